import { rm } from 'node:fs/promises';
import { documentClient } from '../../shared/platform/aws/dynamodb.ts';
import { InvocationApprovalCache } from '../../shared/5-decide/approvals/providers.ts';
import { ruleContextFromConfig } from '../../shared/config/routes.ts';
import {
  approvalSourceFromConfig,
  deliveryDepsFromConfig,
  sinksFromConfig,
} from '../../shared/config/build-delivery.ts';
import { sendDueDigests } from '../../shared/6-deliver/digest.ts';
import { DynamoDeliveryStore } from '../../shared/6-deliver/ledger/dynamodb-store.ts';
import { MemoryDeliveryStore } from '../../shared/6-deliver/ledger/memory-store.ts';
import { deliverFindings } from '../../shared/6-deliver/orchestrate.ts';
import { errorText } from '../../shared/platform/errors.ts';
import { printable } from '../../shared/platform/printable.ts';
import { count } from '../../shared/platform/plural.ts';
import type { Finding } from '../../shared/model/finding.ts';
import { classifyWithRules } from '../classify-run.ts';
import {
  contextOption,
  ENRICH_HELP,
  ENRICH_OPTIONS,
  enrichOption,
  limitsOption,
  stateLookupOption,
} from '../enrich-options.ts';
import { bySeverityThenTime, findingRecord } from '../format.ts';
import { awsProblem, awsProblemLine, needsAws } from '../aws-problem.ts';
import { EXIT, UsageError, writeLines, type Command } from './command.ts';
import { configOption } from './config-option.ts';
import { outputFormat, reportErrors, writeTable } from './output.ts';
import { STATE_HELP, stateOption } from './state-option.ts';

/** `netwatch replay`: classify and deliver, through the built-in local sinks or the config's. */
export const replayCommand: Command = {
  help: `Usage: netwatch replay [options] [FILE|DIR|-]...

Run the monitor over recorded events through the same pipeline as the Lambda functions and deliver the
findings for real: approvals reconciled, routes applied, one page per change, storm control, ledger.
Without --config, the built-in config writes local sinks:
  page-risky         medium and above, unapproved or expired  -> paging     (<out>/pages.jsonl)
  change-management  every finding                             -> change-log (<out>/changes.jsonl)
A change seen twice (redelivered, or via both CloudTrail and Config) is delivered once. Storm windows run on
the clock: findings of one account + rule replayed together page once, and the rest are sent as one digest
at the end of the run. With no input, replays the bundled samples in ./events.

Options:
  --config FILE          netwatch.config.yml / .json: its sinks, routes, approvals, allowlists, windows
  --store memory|dynamodb  delivery ledger (default memory; dynamodb uses dedup.tableName, so a replay
                         does not re-send what the functions already delivered)
  --out DIR              where the built-in config's local sinks write (default: netwatch-out; files replaced)
  --format table|jsonl   table of findings with their deliveries (default), or JSON Lines with routes and sinks
${ENRICH_HELP}
                         (--context replaces the config file's context section)
${STATE_HELP}
                         dynamodb: the config's state.tableName (the state the functions keep)
  -h, --help             this help`,
  options: {
    config: { type: 'string' },
    store: { type: 'string', default: 'memory' },
    out: { type: 'string', default: 'netwatch-out' },
    format: { type: 'string', default: 'table' },
    ...ENRICH_OPTIONS,
    state: { type: 'string', default: 'memory' },
  },
  async run(values, inputs) {
    const format = outputFormat(values['format']);
    const storeKind = String(values['store']);
    if (storeKind !== 'memory' && storeKind !== 'dynamodb')
      throw new UsageError(`--store must be memory or dynamodb, not "${storeKind}"`);
    const configPath = typeof values['config'] === 'string' ? values['config'] : undefined;
    const { config, name } = await configOption(configPath, String(values['out']));
    if (!configPath)
      await Promise.all(
        Object.values(config.sinks).map((s) => (s.type === 'file' ? rm(s.path, { force: true }) : undefined)),
      );
    const context =
      typeof values['context'] === 'string' ? await contextOption(values['context']) : ruleContextFromConfig(config);
    const state = stateOption(values['state'], ['memory', 'dynamodb', 'off']);
    if (state === 'dynamodb' && !config.state.tableName)
      throw new UsageError(`--state dynamodb needs state.tableName in ${name}`);
    const lookup = await stateLookupOption(values);
    const enrichment = await enrichOption(values);
    const stateStore =
      state === 'dynamodb' && config.state.tableName
        ? new (await import('../../shared/3-state/dynamodb-store.ts')).DynamoStateStore(
            documentClient(),
            config.state.tableName,
          )
        : undefined;
    const classify = () =>
      classifyWithRules(inputs.length ? inputs : ['events'], context, enrichment, {
        limits: limitsOption(values),
        state: state === 'off' ? 'off' : 'kept',
        ...(stateStore ? { store: stateStore } : {}),
        ...(lookup ? { lookup } : {}),
      });
    const run = stateStore ? await needsAws(`the state table ${config.state.tableName}`, classify) : await classify();
    const findings = [...run.findings].sort(bySeverityThenTime);
    const needsTable = storeKind === 'dynamodb' || config.approvals.dynamodb !== undefined;
    const client = needsTable ? documentClient() : undefined;
    if (storeKind === 'dynamodb' && !config.dedup.tableName)
      throw new UsageError(`--store dynamodb needs dedup.tableName in ${name}`);
    const store =
      storeKind === 'dynamodb' && client && config.dedup.tableName
        ? new DynamoDeliveryStore(client, config.dedup.tableName, config.grouping.tableName)
        : new MemoryDeliveryStore();
    const sinks = await sinksFromConfig(config);
    const deps = deliveryDepsFromConfig(config, { store, sinks });
    const approvals = new InvocationApprovalCache(approvalSourceFromConfig(config, client ? { client } : {}));
    const tables = [
      config.approvals.dynamodb && client ? `approvals table ${config.approvals.dynamodb.tableName}` : undefined,
      storeKind === 'dynamodb' ? `delivery ledger ${config.dedup.tableName}` : undefined,
    ].filter((t) => t !== undefined);
    const outcomes = await needsAws(`the ${tables.join(' and the ') || 'delivery'}`, () =>
      deliverFindings(findings, approvals, deps),
    );
    // The replay is one burst: close its storm windows now, so held-back findings arrive as digests.
    const digests =
      storeKind === 'memory'
        ? await sendDueDigests({ ...deps, now: () => new Date(Date.now() + deps.groupingWindowMs + 1000) })
        : [];
    for (const sink of sinks.values()) await sink.close?.();
    const byFp = new Map<string, (typeof outcomes)[number]>();
    for (const o of outcomes) if (!byFp.has(o.finding.fingerprint)) byFp.set(o.finding.fingerprint, o); // first delivery, not the merged duplicate
    // One row per fingerprint, showing the finding that was delivered: the first of its fingerprint in delivery order
    // (most severe first). Records of one change merged into one delivery (a create and a policy replaced that leave
    // the same state) must not show the other record's text beside the page's routing.
    const first = new Map<string, Finding>();
    for (const f of findings) if (!first.has(f.fingerprint)) first.set(f.fingerprint, f);
    const unique = [...first.values()].map((f) => byFp.get(f.fingerprint)?.finding ?? f);
    const delivery = (f: Finding): string => {
      const o = byFp.get(f.fingerprint);
      if (!o) return '-';
      const parts = [...o.delivered, ...o.digested.map((s) => `${s} (digest)`)];
      return parts.join(', ') || (o.alreadyDelivered.length ? 'already delivered' : '-');
    };
    if (format === 'table') writeTable(unique, { header: 'ROUTED TO', value: delivery });
    else {
      writeLines(
        unique.map((f) => {
          const o = byFp.get(f.fingerprint);
          return JSON.stringify(
            findingRecord(f, {
              approval: o?.approval ?? null,
              routes: o?.decision.routes ?? [],
              sinks: o?.delivered ?? [],
              digested: o?.digested ?? [],
            }),
          );
        }),
      );
    }
    const failed = [...outcomes.flatMap((o) => o.failed), ...digests.flatMap((d) => d.failed)];
    reportErrors(run);
    // A sink that cannot reach AWS fails every delivery the same way: one line per sink saying what to set.
    const noAws = new Map<string, string>();
    for (const f of failed) {
      const problem = awsProblem(f);
      if (problem) noAws.set(`${problem.kind} ${problem.purpose ?? ''}`, awsProblemLine(problem));
      else process.stderr.write(`netwatch: ${printable(errorText(f))}\n`);
    }
    for (const line of noAws.values()) process.stderr.write(`${line}\n`);
    const perSink = [...sinks.keys()].map((s) => {
      const n = outcomes.filter((o) => o.delivered.includes(s)).length;
      const d = digests.reduce((sum, x) => sum + (x.sent[s] ?? 0), 0);
      return `${s}: ${n} delivered${d ? ` + ${d} in ${count(digests.filter((x) => x.sent[s]).length, 'digest')}` : ''}`;
    });
    process.stderr.write(
      `\n${count(run.records, 'record')} from ${count(run.files, 'file')} in ${run.seconds.toFixed(2)} s: ${count(run.changes.length, 'network change')}, ${count(unique.length, 'finding')} ` +
        `(${count(run.findings.length - unique.length, 'duplicate')} merged), ${run.ignored.length} ignored, ${run.errors.length} malformed. Config: ${name}.\n${perSink.join('\n')}\n`,
    );
    if (failed.length) return failed.every((f) => awsProblem(f) !== undefined) ? EXIT.noAws : EXIT.failed;
    return run.errors.length ? EXIT.malformed : EXIT.ok;
  },
};
