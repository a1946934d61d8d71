import { contextOption, limitsOption, MAX_LINE_HELP } from '../enrich-options.ts';
import type { DecodeLimits } from '../../shared/1-ingest/envelope/decode-stream.ts';
import { writeFile } from 'node:fs/promises';
import { EXIT, UsageError, type Command } from './command.ts';
import { Progress } from '../progress.ts';
import {
  buildApprovalCheck,
  parseAllowActor,
  type ActorAllowEntry,
  type ApprovalCheck,
} from '../backtest/approvals.ts';
import { localUnits } from '../backtest/local-source.ts';
import { FILES_IN_FLIGHT, scanUnits } from '../backtest/pool.ts';
import { renderHtmlReport } from '../backtest/report-html.ts';
import { renderTextReport } from '../backtest/report-text.ts';
import { emptyScan, mergeScan, type ScanResult } from '../backtest/scan.ts';
import {
  pagePolicy,
  summarize,
  summarizeEpisodes,
  type BacktestSummary,
  type EpisodeSummary,
  type PagePolicy,
} from '../backtest/summary.ts';
import { StateEngine } from '../../shared/3-state/engine.ts';
import { MemoryStateStore } from '../../shared/3-state/memory-store.ts';
import { emptyClassified, judgeInOrder } from '../../shared/4-classify/classify.ts';
import type { EpisodeTransition } from '../../shared/model/exposure.ts';
import { errorText } from '../../shared/platform/errors.ts';
import { stateOption } from './state-option.ts';
import type { BacktestUnit } from '../backtest/unit.ts';
import { RULES } from '../../rules/index.ts';
import { reconcile } from '../../shared/5-decide/approvals/match.ts';
import {
  allowlistsFromConfig,
  routesFromConfig,
  ruleContextFromConfig,
  staticApprovalsFromConfig,
} from '../../shared/config/routes.ts';
import { EMPTY_CONTEXT, type RuleContext } from '../../shared/model/rule.ts';
import { configOption } from './config-option.ts';
import { AwsStepError, awsProblem, awsReady } from '../aws-problem.ts';
import { printable } from '../../shared/platform/printable.ts';

/**
 * `netwatch backtest`: run the rules over history and report what would have paged. Inputs are local CloudTrail log
 * trees, S3 prefixes, or LookupEvents history; the files are spread over worker threads; Ctrl-C prints the report of
 * what was read so far and exits 130.
 */

const HELP = `Usage: netwatch backtest [options] [DIR|FILE|s3://BUCKET/PREFIX]...
       netwatch backtest --lookup-events --since 7d --region eu-west-1 [options]

Run every rule over past CloudTrail activity and report what Netwatch would have found and paged:
findings per rule, category, severity, account and day; top actors; the would-be pages; and how many
pages approvals and allowlists would have saved.

Inputs:
  DIR                    a CloudTrail log tree (AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz),
                         walked recursively; digest files are skipped. Plain files and JSON Lines work too.
  s3://BUCKET/PREFIX     the same tree in S3 (ListObjectsV2 + streamed GetObject; AWS_ENDPOINT_URL_S3 overrides
                         the endpoint)
  --lookup-events        CloudTrail event history (LookupEvents, ≤ 90 days, 2 requests/s) of --region

Options:
  --since WHEN           start of the window: 7d, 12h, 2w, or a date/time (2026-10-01, 2026-10-01T12:00:00Z)
  --until WHEN           end of the window (default: now)
  --region R             region(s) for --lookup-events (repeat or comma-separate; default AWS_REGION)
  --format table|json|html   report format (default table)
  --out FILE             write the report to FILE instead of standard output
  --config FILE          a Netwatch config (YAML or JSON): its context: (internal VPCs, known accounts,
                         automation roles) grades the findings, its paging routes decide what pages, and its
                         static approvals and allowlists are reconciled as the functions would. The DynamoDB
                         approvals table is not read: its items expire, so it cannot say what was approved last month.
  --context FILE         estate facts (JSON, as for classify): replaces the config's context: section
  --allow-actor PATTERN[:CATEGORY,...]
                         actor allowlist: a glob (* and ?) on the actor ARN or the role (session issuer) ARN,
                         optionally for some categories only; repeatable. Matching risky findings count as
                         allowlisted instead of paged.
  --workers N            worker threads for multi-file inputs (default: one per core from 32 MB of input)
  --concurrency N        inputs in flight per worker (default 2 for files, 8 for S3)
  --full-parse           JSON-parse every record (no pre-scan)
  --state memory|off     keep the network state (default memory): every change is judged in event-time order
                         against the state it leaves, as the deployed stack would; the report adds the exposure
                         episodes (opened, closed, still open, how long). off = each change on its own deltas
${MAX_LINE_HELP}
  -h, --help             this help

Exit codes: 0 read everything; 2 some input was malformed (reported; the rest was read); 64 usage error;
130 interrupted by Ctrl-C (the report covers what was read).`;

/** The command, as cli/main.ts lists it. */
export const BACKTEST: Command = {
  help: HELP,
  options: {
    since: { type: 'string' },
    until: { type: 'string' },
    region: { type: 'string', multiple: true },
    'lookup-events': { type: 'boolean', default: false },
    format: { type: 'string', default: 'table' },
    out: { type: 'string' },
    config: { type: 'string' },
    context: { type: 'string' },
    'allow-actor': { type: 'string', multiple: true },
    workers: { type: 'string' },
    concurrency: { type: 'string' },
    'full-parse': { type: 'boolean', default: false },
    state: { type: 'string', default: 'memory' },
    'max-line-mb': { type: 'string' },
  },
  run: runBacktest,
};

async function runBacktest(values: Record<string, unknown>, inputs: string[]): Promise<number> {
  const format = formatOption(values['format']);
  const now = new Date();
  const from = values['since'] === undefined ? undefined : timeOption('--since', values['since'], now);
  const to = values['until'] === undefined ? undefined : timeOption('--until', values['until'], now);
  const lookup = values['lookup-events'] === true;
  const regions = lookup ? regionsOption(values['region']) : [];
  if (!lookup && inputs.length === 0)
    throw new UsageError('give a log directory, file or s3:// prefix, or --lookup-events');
  const allow = ((values['allow-actor'] as string[] | undefined) ?? []).map((spec): ActorAllowEntry => {
    try {
      return parseAllowActor(spec);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  });
  const configured = values['config'] === undefined ? undefined : await configPolicy(String(values['config']), now);
  const workers = values['workers'] === undefined ? undefined : countOption('--workers', values['workers']);
  const window = { ...(from ? { from: from.toISOString() } : {}), ...(to ? { to: to.toISOString() } : {}) };
  const days = { ...(from ? { from: window.from!.slice(0, 10) } : {}), ...(to ? { to: window.to!.slice(0, 10) } : {}) };
  const fast = values['full-parse'] !== true;
  let limits: DecodeLimits;
  try {
    limits = limitsOption(values);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const context =
    typeof values['context'] === 'string'
      ? await contextOption(values['context'])
      : (configured?.context ?? EMPTY_CONTEXT);
  const kept = stateOption(values['state'], ['memory', 'off']) === 'memory';

  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    process.stderr.write(
      '\nnetwatch: interrupted — finishing the report of what was read (Ctrl-C again to quit now)\n',
    );
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const started = performance.now();
  const total: ScanResult = emptyScan();
  try {
    const local = inputs.filter((i) => !i.startsWith('s3://'));
    const remote = inputs.filter((i) => i.startsWith('s3://'));
    const units: BacktestUnit[] = [];
    const listed = await localUnits(local, days);
    units.push(...listed.units);
    total.errors.push(...listed.errors);
    if (remote.length) {
      const { s3Units } = await import('../backtest/s3-source.ts');
      for (const url of remote) {
        try {
          units.push(...(await s3Units(url, days)));
        } catch (error) {
          if (awsProblem(error)) throw new AwsStepError(`listing ${url}`, error);
          total.errors.push(`${url}: cannot list: ${(error as Error).message}`);
        }
      }
    }
    const progress = new Progress(
      units.reduce((sum, u) => sum + u.size, 0),
      process.stderr,
    );
    const onProgress = (records: number, bytes: number): void => {
      progress.advance(bytes);
      progress.tick(records);
    };
    if (units.length) {
      const concurrency =
        values['concurrency'] === undefined
          ? remote.length
            ? 8
            : FILES_IN_FLIGHT
          : countOption('--concurrency', values['concurrency']);
      const result = await scanUnits(units, {
        ...(workers !== undefined ? { workers } : {}),
        perWorker: concurrency,
        fast,
        limits,
        context,
        ...(kept ? { defer: true } : {}),
        onProgress,
        signal: controller.signal,
      });
      mergeScan(total, result);
    }
    if (lookup && !controller.signal.aborted) {
      const { scanLookupEvents } = await import('../backtest/lookup-source.ts');
      const { CloudTrailClient } = await import('@aws-sdk/client-cloudtrail');
      const start = from ?? new Date(now.getTime() - 7 * 86_400_000);
      for (const region of regions) {
        if (controller.signal.aborted) break;
        const client = new CloudTrailClient({ region });
        await awsReady(`CloudTrail LookupEvents in ${region}`, client.config);
        mergeScan(
          total,
          await scanLookupEvents(
            { region, start, end: to ?? now, signal: controller.signal, client },
            { rules: RULES, context, ...(kept ? { defer: true } : {}) },
            onProgress,
          ),
        );
      }
    }
    progress.done();
  } finally {
    process.off('SIGINT', onSigint);
  }
  // Kept state: every change read, judged now in event-time order against one state (as the stack would have).
  let episodes: EpisodeSummary | undefined;
  if (kept) {
    const transitions: EpisodeTransition[] = [];
    const judged = emptyClassified();
    await judgeInOrder(
      total.pending,
      {
        rules: RULES,
        context,
        state: new StateEngine({ store: new MemoryStateStore(), knownAccounts: context.knownAccounts }),
      },
      judged,
      undefined,
      (changes) => {
        for (const c of changes)
          for (const view of Object.values(c.state?.resources ?? {})) transitions.push(...view.episodes);
      },
    );
    for (const f of judged.findings) total.findings.push(f);
    for (const e of judged.errors) total.errors.push(errorText(e));
    const end = total.pending.reduce((last, p) => (p.change.at > last ? p.change.at : last), '');
    total.pending.length = 0;
    episodes = summarizeEpisodes(transitions, to?.toISOString() ?? (end || now.toISOString()));
  }
  const summary = summarize(total, {
    sources: [...inputs, ...regions.map((r) => `LookupEvents ${r}`)],
    window,
    ...(allow.length || configured
      ? {
          approvals: buildApprovalCheck({
            allowActors: allow,
            ...(configured ? { configured: configured.check } : {}),
          }),
        }
      : {}),
    ...(configured ? { wouldPage: configured.wouldPage, config: configured.name } : {}),
    seconds: (performance.now() - started) / 1000,
    interrupted: controller.signal.aborted,
    ...(episodes !== undefined ? { episodes } : {}),
  });
  // Nothing read at all (a mistyped path, an empty prefix): the errors, not an empty report that looks like a result.
  if (total.records === 0 && total.units === 0 && total.errors.length > 0 && !controller.signal.aborted) {
    for (const error of total.errors.slice(0, 20)) process.stderr.write(`netwatch: ${printable(error)}\n`);
    process.stderr.write('netwatch backtest: no input could be read, so no report\n');
    return EXIT.malformed;
  }
  await writeReport(summary, format, values['out'] as string | undefined);
  if (controller.signal.aborted) return EXIT.interrupted;
  return total.errors.length ? EXIT.malformed : EXIT.ok;
}

/** What `--config FILE` brings to a backtest: the rules' context, the paging routes and the approvals check. */
export interface ConfigPolicy {
  name: string;
  context: RuleContext;
  check: ApprovalCheck;
  wouldPage: PagePolicy;
}

/**
 * Read a config file for a backtest. Reconciliation is the functions' own (`reconcile`, change time against the
 * windows), over the static approvals and allowlists; a finding pages when a paging route matches it with its
 * verdict, as `routeFinding` decides for the functions.
 */
export async function configPolicy(path: string, now: Date): Promise<ConfigPolicy> {
  const { config, name } = await configOption(path);
  const routes = routesFromConfig(config);
  const approvals = staticApprovalsFromConfig(config);
  const allowlists = allowlistsFromConfig(config);
  return {
    name,
    context: ruleContextFromConfig(config),
    check: (finding) => reconcile(finding, approvals, allowlists, now),
    wouldPage: pagePolicy(routes),
  };
}

/** Render and write the report (stdout, or --out). */
export async function writeReport(
  summary: BacktestSummary,
  format: 'table' | 'json' | 'html',
  out?: string,
): Promise<void> {
  const text =
    format === 'json'
      ? `${JSON.stringify(summary, null, 2)}\n`
      : format === 'html'
        ? renderHtmlReport(summary)
        : // A terminal: its width (the tables fit it, SUMMARY keeps the most room); a pipe or file: nothing cut.
          `${renderTextReport(summary, out === undefined && process.stdout.isTTY ? (process.stdout.columns ?? 160) : Number.POSITIVE_INFINITY)}\n`;
  if (out === undefined) {
    process.stdout.write(text);
    return;
  }
  await writeFile(out, text);
  process.stderr.write(
    `netwatch: ${format} report written to ${out} (${summary.totals.pages} would-be pages, ${summary.totals.findings} findings)\n`,
  );
}

function formatOption(value: unknown): 'table' | 'json' | 'html' {
  if (value === 'table' || value === 'json' || value === 'html') return value;
  throw new UsageError(`--format must be table, json or html, not "${String(value)}"`);
}

/** `7d`, `12h`, `30m`, `2w` before now, or an ISO date / date-time. */
export function timeOption(name: string, value: unknown, now: Date): Date {
  const text = String(value);
  const relative = /^(\d+)([mhdw])$/.exec(text);
  if (relative) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[relative[2] as 'm' | 'h' | 'd' | 'w'];
    return new Date(now.getTime() - Number(relative[1]) * unit);
  }
  const date = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00Z`) : new Date(text);
  if (Number.isNaN(date.getTime()))
    throw new UsageError(`${name} must be like 7d, 12h, 2026-10-01 or 2026-10-01T12:00:00Z, not "${text}"`);
  return date;
}

function countOption(name: string, value: unknown): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a whole number ≥ 1, not "${String(value)}"`);
  return n;
}

function regionsOption(value: unknown): string[] {
  const given = ((value as string[] | undefined) ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  if (given.length) return given;
  const env = process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'];
  if (env) return [env];
  throw new UsageError('--lookup-events needs --region (or AWS_REGION)');
}
