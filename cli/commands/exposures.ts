import type { OpenEpisode } from '../../shared/3-state/store.ts';
import { durationText } from '../../shared/model/exposure.ts';
import { printable } from '../../shared/platform/printable.ts';
import { documentClient } from '../../shared/platform/aws/dynamodb.ts';
import { classifyWithRules } from '../classify-run.ts';
import {
  contextOption,
  ENRICH_HELP,
  ENRICH_OPTIONS,
  enrichOption,
  limitsOption,
  stateLookupOption,
} from '../enrich-options.ts';
import { needsAws } from '../aws-problem.ts';
import { EXIT, stringFlag, UsageError, writeLines, type Command } from './command.ts';
import { configOption } from './config-option.ts';

/** One open episode as `exposures --format jsonl` prints it. */
export function openEpisodeRecord(open: OpenEpisode, now: Date): Record<string, unknown> {
  const e = open.episode;
  return {
    episode: e.id,
    kind: e.kind,
    resource: { ...e.resource, account: open.account, region: open.region },
    exposure: e.exposures.map((x) => x.label),
    openedAt: e.opened.at,
    openedBy: e.opened.actor ?? null,
    openedVia: e.opened.via ?? null,
    openChange: e.opened.changeId,
    openSeconds: Math.max(0, Math.round((now.getTime() - Date.parse(e.opened.at)) / 1000)),
    assumed: [...new Set(e.exposures.flatMap((x) => x.assumed ?? []))],
  };
}

/** The table of open episodes, longest open first; every cell through printable() (record text, terminal). */
export function openEpisodesTable(open: readonly OpenEpisode[], now: Date): string {
  if (open.length === 0) return 'No open exposures.';
  const rows = open.map((o) =>
    [
      durationText((now.getTime() - Date.parse(o.episode.opened.at)) / 1000),
      o.episode.kind,
      o.episode.resource.id,
      `${o.account}/${o.region}`,
      o.episode.exposures.map((x) => x.label).join('; '),
      o.episode.opened.actor?.split('/').pop() ?? '-',
      o.episode.id,
    ].map(printable),
  );
  const headers = ['OPEN FOR', 'KIND', 'RESOURCE', 'ACCOUNT/REGION', 'EXPOSURE', 'OPENED BY', 'EPISODE'];
  const widths = headers.map((h, i) => Math.min(70, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (c.length > widths[i]! ? `${c.slice(0, widths[i]! - 1)}…` : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** `netwatch exposures`: what is open now. */
export const exposuresCommand: Command = {
  help: `Usage: netwatch exposures [options] [FILE|DIR|-]...
       netwatch exposures --table NAME | --config FILE

List the exposure episodes that are open — world-reachable ports of security groups, what network ACLs admit
from the internet, default routes to internet gateways, endpoint policies granting everyone, endpoint services
open to outside principals, attached internet gateways — with how long each has been open and who opened it.

From the state table the functions keep (--table NAME, or --config FILE's state.tableName; AWS credentials and
AWS_ENDPOINT_URL_DYNAMODB as for the other DynamoDB commands), or from the state left after replaying the inputs
(in event-time order, as classify does).

Options:
  --table NAME           DynamoDB state table (the stack's <service>-<stage>-state)
  --config FILE          read state.tableName from a config file
  --format table|jsonl   (default table)
  --now TIME             measure "open for" up to this ISO time (default: now)
${ENRICH_HELP}
  -h, --help             this help`,
  options: {
    table: { type: 'string' },
    config: { type: 'string' },
    format: { type: 'string', default: 'table' },
    now: { type: 'string' },
    ...ENRICH_OPTIONS,
  },
  async run(values, inputs) {
    const format = String(values['format']);
    if (format !== 'table' && format !== 'jsonl') throw new UsageError(`--format must be table or jsonl`);
    const nowText = stringFlag(values, 'now');
    const now = nowText === undefined ? new Date() : new Date(nowText);
    if (Number.isNaN(now.getTime())) throw new UsageError(`--now must be an ISO time, not "${nowText}"`);
    let table = stringFlag(values, 'table');
    const configPath = stringFlag(values, 'config');
    if (table === undefined && configPath !== undefined) {
      const { config, name } = await configOption(configPath, 'netwatch-out');
      table = config.state.tableName;
      if (table === undefined) throw new UsageError(`${name} has no state.tableName`);
    }
    if (table !== undefined && inputs.length > 0)
      throw new UsageError('give either --table (the kept state) or inputs to replay, not both');
    let open: OpenEpisode[];
    let errors = 0;
    if (table !== undefined) {
      const { DynamoStateStore } = await import('../../shared/3-state/dynamodb-store.ts');
      const store = new DynamoStateStore(documentClient(), table);
      open = await needsAws(`the state table ${table}`, () => store.openEpisodes());
    } else {
      if (inputs.length === 0) throw new UsageError('give --table NAME (or --config FILE), or inputs to replay');
      const lookup = await stateLookupOption(values);
      const run = await classifyWithRules(inputs, await contextOption(values['context']), await enrichOption(values), {
        state: 'kept',
        limits: limitsOption(values),
        ...(lookup ? { lookup } : {}),
      });
      errors = run.errors.length;
      open = (await run.engine?.store.openEpisodes()) ?? [];
    }
    if (format === 'jsonl') writeLines(open.map((o) => JSON.stringify(openEpisodeRecord(o, now))));
    else process.stdout.write(`${openEpisodesTable(open, now)}\n`);
    return errors > 0 ? EXIT.malformed : EXIT.ok;
  },
};
