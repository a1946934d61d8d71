import { contextOption } from '../enrich-options.ts';
import { printable, printableCopy } from '../../shared/platform/printable.ts';
import { count } from '../../shared/platform/plural.ts';
import { documentClient } from '../../shared/platform/aws/dynamodb.ts';
import { InvocationApprovalCache } from '../../shared/5-decide/approvals/providers.ts';
import { approvalSourceFromConfig } from '../../shared/config/build-delivery.ts';
import { decide } from '../../shared/6-deliver/orchestrate.ts';
import { sinkAction } from '../../shared/6-deliver/sinks/registry.ts';
import { allowlistsFromConfig, routesFromConfig, ruleContextFromConfig } from '../../shared/config/routes.ts';
import type { NetwatchConfig } from '../../shared/config/schema.ts';
import type { RouteDecision } from '../../shared/5-decide/route.ts';
import { errorText, type NetwatchError } from '../../shared/platform/errors.ts';
import type { Finding } from '../../shared/model/finding.ts';
import type { ApprovalVerdict } from '../../shared/model/notice.ts';
import { classifyWithRules } from '../classify-run.ts';
import { needsAws } from '../aws-problem.ts';
import { EXIT, UsageError, stringFlag, writeLines, type Command } from './command.ts';
import { configOption } from './config-option.ts';
import { readFindingFile } from './findings-input.ts';

/** One finding's dry-run answer. */
export interface RouteExplanation {
  finding: Finding;
  approval: ApprovalVerdict;
  decision: RouteDecision;
}

/**
 * The dry run's text for one finding: what it is, which approval applied (and why), which routes matched, and which
 * sinks it would reach — paging sinks marked as pages (subject to dedup and storm control), record sinks as records.
 */
export function explainText(e: RouteExplanation, config: NetwatchConfig): string {
  const f = e.finding;
  const kinds = new Map(config.routes.map((r) => [r.name, r.kind]));
  const approval = e.approval.approval
    ? `${e.approval.state} — ${e.approval.approval.ticket} (${e.approval.approval.source})`
    : e.approval.allowlist
      ? `${e.approval.state} — allowlist ${e.approval.allowlist}`
      : e.approval.state;
  const sinks = e.decision.sinks.map((s) => {
    const spec = config.sinks[s];
    const action = spec ? sinkAction(spec, f) : undefined;
    return `${s} (${e.decision.pageSinks.includes(s) ? 'page' : 'record'}${action ? `: ${action}` : ''})`;
  });
  return [
    `${f.severity.toUpperCase()} ${f.category} ${f.resource.id} ${f.account}/${f.region} — ${f.summary}`,
    `  rule:     ${f.ruleId}  source: ${f.source}  change: ${f.changeId}  fingerprint: ${f.fingerprint}`,
    `  approval: ${approval}`,
    `            ${e.approval.reason}`,
    `  routes:   ${e.decision.routes.map((r) => `${r} (${kinds.get(r) ?? 'record'})`).join(', ') || 'none matched'}`,
    `  sinks:    ${sinks.join(', ') || 'none — this finding would not be delivered anywhere'}`,
  ].join('\n');
}

/** The dry run's JSON record for one finding (with what each ticket / archive sink would do, when `config` is given). */
export function explainRecord(e: RouteExplanation, config?: NetwatchConfig): Record<string, unknown> {
  const actions = Object.fromEntries(
    e.decision.sinks.flatMap((s) => {
      const spec = config?.sinks[s];
      const action = spec ? sinkAction(spec, e.finding) : undefined;
      return action ? [[s, action]] : [];
    }),
  );
  return {
    fingerprint: e.finding.fingerprint,
    ruleId: e.finding.ruleId,
    severity: e.finding.severity,
    category: e.finding.category,
    resource: { ...e.finding.resource, account: e.finding.account, region: e.finding.region },
    at: e.finding.at,
    approval: e.approval,
    routes: e.decision.routes,
    pageSinks: e.decision.pageSinks,
    recordSinks: e.decision.recordSinks,
    ...(Object.keys(actions).length ? { sinkActions: actions } : {}),
  };
}

/** Approval + route decision for each finding, with the config's approvals (static, and the table unless told not to). */
export async function explainFindings(
  findings: readonly Finding[],
  config: NetwatchConfig,
  options: { useTable: boolean; now?: () => Date },
): Promise<RouteExplanation[]> {
  const approvals = new InvocationApprovalCache(
    approvalSourceFromConfig(config, {
      ...(options.useTable && config.approvals.dynamodb ? { client: documentClient() } : {}),
      ...(options.now ? { now: options.now } : {}),
    }),
  );
  const deps = {
    routes: routesFromConfig(config),
    allowlists: allowlistsFromConfig(config),
    ...(options.now ? { now: options.now } : {}),
  };
  const out: RouteExplanation[] = [];
  for (const finding of findings) out.push({ finding, ...(await decide(finding, approvals, deps)) });
  return out;
}

export const routeCommand: Command = {
  help: `Usage: netwatch route [--config FILE] [options] [FILE|DIR|-]...
       netwatch route [--config FILE] --findings FILE|-

Dry run: for each finding, print which approval applied (and why), which routes matched and which sinks it
would reach (page or record). Nothing is delivered; dedup and storm control are not applied (they depend on
what was already sent). Inputs are events (as for classify), or --findings: JSON Lines from
\`netwatch classify --format jsonl\`.

Options:
  --config FILE          netwatch.config.yml / .json (default: the built-in config)
  --findings FILE|-      read findings instead of events
  --context FILE         estate facts (JSON, as for classify) grading the events: replaces the config's context:
  --no-table             use only the config's static approvals (do not read the approvals table)
  --format text|jsonl    text for people (default), JSON Lines with approval, routes, pageSinks, recordSinks
  -h, --help             this help

The approvals table is read when the config names one (approvals.dynamodb.tableName or
NETWATCH_APPROVALS_TABLE), with the usual AWS credentials; AWS_ENDPOINT_URL_DYNAMODB overrides the endpoint.`,
  options: {
    config: { type: 'string' },
    findings: { type: 'string' },
    context: { type: 'string' },
    'no-table': { type: 'boolean', default: false },
    format: { type: 'string', default: 'text' },
  },
  async run(values, inputs) {
    const format = stringFlag(values, 'format') ?? 'text';
    if (format !== 'text' && format !== 'jsonl')
      throw new UsageError(`--format must be text or jsonl, not "${format}"`);
    const findingsFile = stringFlag(values, 'findings');
    if (findingsFile && inputs.length) throw new UsageError('give either --findings or event inputs, not both');
    const contextFile = stringFlag(values, 'context');
    if (findingsFile && contextFile)
      throw new UsageError('--context grades events; --findings are graded already (give --context to classify)');
    const { config } = await configOption(stringFlag(values, 'config'));
    let findings: Finding[];
    let errors: NetwatchError[];
    if (findingsFile) ({ findings, errors } = await readFindingFile(findingsFile));
    else
      ({ findings, errors } = await classifyWithRules(
        inputs.length ? inputs : ['-'],
        contextFile ? await contextOption(contextFile) : ruleContextFromConfig(config),
      ));
    const useTable = values['no-table'] !== true;
    const table = useTable ? config.approvals.dynamodb?.tableName : undefined;
    const explain = () => explainFindings(findings, config, { useTable });
    const explained = table
      ? await needsAws(`the approvals table ${table}; --no-table uses only the static approvals`, explain)
      : await explain();
    if (format === 'jsonl') writeLines(explained.map((e) => JSON.stringify(explainRecord(e, config))));
    else
      writeLines(
        explained.length
          ? explained
              .map((e) => explainText(printableCopy(e), config))
              .join('\n\n')
              .split('\n')
          : ['No findings.'],
      );
    for (const e of errors.slice(0, 50)) process.stderr.write(`netwatch: ${printable(errorText(e))}\n`);
    if (format === 'text' && explained.length) {
      const pages = explained.filter((e) => e.decision.pageSinks.length > 0).length;
      process.stderr.write(
        `\n${count(explained.length, 'finding')}: ${pages} would page, ${explained.filter((e) => e.decision.recordSinks.length > 0).length} would be recorded, ${explained.filter((e) => e.decision.sinks.length === 0).length} reach no sink.\n`,
      );
    }
    return errors.length ? EXIT.malformed : EXIT.ok;
  },
};
