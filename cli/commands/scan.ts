import { writeFile } from 'node:fs/promises';
import { documentClient } from '../../shared/platform/aws/dynamodb.ts';
import { ruleContextFromConfig } from '../../shared/config/routes.ts';
import type { Finding } from '../../shared/model/finding.ts';
import { bySeverityThenTime, findingRecord, renderTable } from '../format.ts';
import { contextOption } from '../enrich-options.ts';
import { EXIT, listFlag, stringFlag, UsageError, type Command } from './command.ts';
import { configOption } from './config-option.ts';
import { count } from '../../shared/platform/plural.ts';

/**
 * `netwatch scan`: the reconciliation the scheduled function runs (shared/lambda/reconcile-run.ts), from a laptop. It
 * reads the network resource types from AWS Config's advanced query — live with the default credential chain, or
 * from recorded responses (`--recorded-aws DIR`, offline) — and prints (or writes) the posture report: the open
 * exposures, graded with their reachability. Against the functions' state table (`--state dynamodb`) it is a later
 * run: it prints what no change event said and what closed; `--deliver` sends them through the config's sinks.
 */
export const scanCommand: Command = {
  help: `Usage: netwatch scan [options]

Reconcile with AWS Config's current state (advanced query) and report: the open exposures of the network resource
types (security groups, prefix lists, route tables, network ACLs, endpoints, endpoint services, gateways, network
interfaces, subnets) with their reachability from the internet — the posture report. Against the functions' state
table, the exposures no change event reported and the ones that closed.

Options:
  --region R[,R...]      Regions to query (default: AWS_REGION, else eu-west-1)
  --aggregator NAME      query this Config aggregator (SelectAggregateResourceConfig: an organisation's accounts
                         and Regions) from the first --region
  --recorded-aws DIR     answer the queries from recorded responses (DIR/SelectResourceConfig/first.json, … or
                         DIR/SelectAggregateResourceConfig/<aggregator>/first.json, …): offline
  --state memory|dynamodb  memory (default): a first run, the posture report; dynamodb: the state table of
                         --config (state.tableName) — a later run, routed findings
  --config FILE          the Netwatch config (its context; with --deliver, its sinks and routes)
  --deliver              send the findings (and a first run's posture digest) through the config's sinks
  --context FILE         estate facts (as for classify); replaces the config's context
  --format table|json|html  (default table; html: the self-contained posture report)
  --out FILE             write the output to FILE instead of stdout
  --rate N               advanced-query requests per second (default 1)
  -h, --help             this help

Exit codes: 0 done; 1 a delivery failed; 64 usage error.`,
  options: {
    region: { type: 'string', multiple: true },
    aggregator: { type: 'string' },
    'recorded-aws': { type: 'string' },
    state: { type: 'string', default: 'memory' },
    config: { type: 'string' },
    deliver: { type: 'boolean', default: false },
    context: { type: 'string' },
    format: { type: 'string', default: 'table' },
    out: { type: 'string' },
    rate: { type: 'string' },
  },
  async run(values) {
    const format = String(values['format']);
    if (!['table', 'json', 'html'].includes(format)) throw new UsageError('--format must be table, json or html');
    const state = String(values['state']);
    if (state !== 'memory' && state !== 'dynamodb') throw new UsageError('--state must be memory or dynamodb');
    const regions = listFlag(values, 'region') ?? [
      process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? 'eu-west-1',
    ];
    const aggregator = stringFlag(values, 'aggregator');
    const rateText = stringFlag(values, 'rate');
    const rate = rateText === undefined ? undefined : Number(rateText);
    if (rate !== undefined && !(rate > 0)) throw new UsageError(`--rate must be a positive number, not "${rateText}"`);
    const configPath = stringFlag(values, 'config');
    const deliver = values['deliver'] === true;
    if ((deliver || state === 'dynamodb') && configPath === undefined)
      throw new UsageError(`${deliver ? '--deliver' : '--state dynamodb'} needs --config FILE`);
    const loaded = configPath !== undefined ? await configOption(configPath, 'netwatch-out') : undefined;
    const context =
      typeof values['context'] === 'string'
        ? await contextOption(values['context'])
        : loaded !== undefined
          ? ruleContextFromConfig(loaded.config)
          : await contextOption(undefined);
    const [{ RULES }, { StateEngine }, { MemoryStateStore }, { runReconciliation }, posture, live] = await Promise.all([
      import('../../rules/index.ts'),
      import('../../shared/3-state/engine.ts'),
      import('../../shared/3-state/memory-store.ts'),
      import('../../shared/lambda/reconcile-run.ts'),
      import('../../shared/6-deliver/posture.ts'),
      import('../../shared/2-enrich/live-clients.ts'),
    ]);
    const recorded = stringFlag(values, 'recorded-aws');
    const select =
      recorded !== undefined
        ? (await import('../../shared/2-enrich/recorded.ts')).recordedSelect(recorded)
        : live.liveSelect();
    const table = loaded?.config.state.tableName;
    if (state === 'dynamodb' && table === undefined)
      throw new UsageError(`--state dynamodb needs state.tableName in ${loaded?.name}`);
    const store =
      state === 'dynamodb' && table !== undefined
        ? new (await import('../../shared/3-state/dynamodb-store.ts')).DynamoStateStore(documentClient(), table)
        : new MemoryStateStore();
    const engine = new StateEngine({ store, knownAccounts: context.knownAccounts });
    let delivery: Parameters<typeof runReconciliation>[0]['delivery'];
    if (deliver && loaded !== undefined) {
      const [{ approvalSourceFromConfig, deliveryDepsFromConfig, sinksFromConfig }, ledger, providers] =
        await Promise.all([
          import('../../shared/config/build-delivery.ts'),
          loaded.config.dedup.tableName
            ? import('../../shared/6-deliver/ledger/dynamodb-store.ts')
            : import('../../shared/6-deliver/ledger/memory-store.ts'),
          import('../../shared/5-decide/approvals/providers.ts'),
        ]);
      const client = loaded.config.dedup.tableName || loaded.config.approvals.dynamodb ? documentClient() : undefined;
      const deliveryStore =
        'DynamoDeliveryStore' in ledger && loaded.config.dedup.tableName && client
          ? new ledger.DynamoDeliveryStore(client, loaded.config.dedup.tableName, loaded.config.grouping.tableName)
          : new (await import('../../shared/6-deliver/ledger/memory-store.ts')).MemoryDeliveryStore();
      const sinks = await sinksFromConfig(loaded.config);
      delivery = {
        deps: deliveryDepsFromConfig(loaded.config, { store: deliveryStore, sinks }),
        approvals: new providers.InvocationApprovalCache(
          approvalSourceFromConfig(loaded.config, client ? { client } : {}),
        ),
      };
    }
    const started = performance.now();
    const result = await runReconciliation({
      engine,
      select,
      regions,
      ...(aggregator !== undefined ? { aggregator } : {}),
      rules: RULES,
      context,
      ...(delivery !== undefined ? { delivery } : {}),
      ...(rate !== undefined ? { ratePerSecond: rate } : recorded !== undefined ? { ratePerSecond: 1000 } : {}),
    });
    const seconds = (performance.now() - started) / 1000;
    const findings = [...result.findings].sort(bySeverityThenTime);
    let text: string;
    if (format === 'html') {
      if (result.posture === undefined)
        throw new UsageError(
          '--format html writes the posture report of a first run; this was a later run (use table or json)',
        );
      text = posture.postureHtml(result.posture);
    } else if (format === 'json') {
      text = `${JSON.stringify(
        {
          requests: result.requests,
          throttled: result.throttled,
          resources: result.resources,
          scopes: result.reconciliation.scopes,
          posture: result.posture
            ? { ...result.posture, findings: result.posture.findings.map((f) => findingRecord(f)) }
            : null,
          findings: findings.map((f: Finding) => findingRecord(f)),
          rowErrors: result.rowErrors,
        },
        null,
        2,
      )}\n`;
    } else {
      const parts: string[] = [];
      if (result.posture !== undefined) parts.push(posture.postureText(result.posture));
      if (findings.length > 0 || result.posture === undefined)
        parts.push(
          findings.length === 0
            ? 'Nothing new: the kept state matches AWS Config.'
            : `Found by reconciliation:\n${renderTable(findings, { width: process.stdout.columns ?? 200, color: false })}`,
        );
      text = `${parts.join('\n\n')}\n`;
    }
    const out = stringFlag(values, 'out');
    if (out !== undefined) await writeFile(out, text);
    else process.stdout.write(text);
    process.stderr.write(
      `${count(result.resources, 'resource')} from ${count(result.requests, 'advanced-query request')}${result.throttled ? ` (${result.throttled} throttled)` : ''} in ${seconds.toFixed(2)} s; ${count(result.reconciliation.scopes.length, 'account/Region scope')}; ${result.posture ? `posture: ${count(result.posture.findings.length, 'open exposure')}` : count(findings.length, 'finding')}${out !== undefined ? `; written to ${out}` : ''}\n`,
    );
    for (const e of result.rowErrors.slice(0, 20)) process.stderr.write(`netwatch: ${e}\n`);
    for (const f of result.failures) process.stderr.write(`netwatch: ${f.message}\n`);
    return result.failures.length > 0 ? EXIT.failed : EXIT.ok;
  },
};
