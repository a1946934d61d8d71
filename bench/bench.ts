/**
 * `npm run bench`: the performance figures of the README, from one run on this machine. Not a test — nothing here
 * fails the suite; it prints PASS/FAIL against the targets so a regression is visible in review.
 *
 *  1. classify throughput over a large CloudTrail stream (console-sessions.jsonl.gz replicated to BENCH_MB, default
 *     300 MB, cached in .bench/) vs bare JSON.parse of every record of the same file, read the same way;
 *  2. the same for CloudTrail log files ({"Records":[…]}): whole-file parse vs record splitting + pre-scan;
 *  3. per-function bundle sizes (esbuild with serverless.yml's options) and what is big in them;
 *  4. cold import of each bundle vs `node -e 0` (median of BENCH_COLD_RUNS spawns);
 *  5. warm per-record latency of the Lambda pipeline (processSqsRecord, memory sinks);
 *  6. a backtest of a CloudTrail log tree (gzip log files) in this thread and on worker threads, one per core.
 *
 * Options (env): BENCH_MB=300, BENCH_COLD_RUNS=15, BENCH_REBUILD=1 (regenerate the input), BENCH_ONLY=a,b (run only
 * some parts: throughput, logfiles, backtest, bundles, cold, warm, longline; `cold` builds the bundles too), BENCH_TREE_FILES=600
 * (files in the backtest's log tree).
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { SQSRecord } from 'aws-lambda';
import { build } from 'esbuild';
import { localUnits } from '../cli/backtest/local-source.ts';
import { FILES_IN_FLIGHT, scanUnits } from '../cli/backtest/pool.ts';
import { scanStream } from '../cli/backtest/scan.ts';
import { RULES } from '../rules/index.ts';
import { emptyClassified } from '../shared/4-classify/classify.ts';
import { classifyText } from '../shared/4-classify/classify-text.ts';
import { StaticApprovals } from '../shared/5-decide/approvals/providers.ts';
import { inMemoryDelivery } from '../shared/config/build-delivery.ts';
import { processSqsRecord } from '../shared/lambda/process-record.ts';
import { canSkipRecord } from '../shared/1-ingest/cloudtrail/prescan.ts';
import { decodeStreamBatches, type DecodeLimits } from '../shared/1-ingest/envelope/decode-stream.ts';
import { EMPTY_CONTEXT } from '../shared/model/rule.ts';
import { MemorySink } from '../shared/6-deliver/sinks/memory.ts';
import { slsEsbuildOptions } from './esbuild-options.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = join(ROOT, '.bench');
const STREAM = resolve(ROOT, '../shared/corpus/streams/console-sessions.jsonl.gz');
const MB = Number(process.env['BENCH_MB'] ?? 300);
const COLD_RUNS = Number(process.env['BENCH_COLD_RUNS'] ?? 15);
const BUNDLE_LIMIT = 400 * 1024;
const deps = { rules: RULES, context: EMPTY_CONTEXT };

interface Row {
  figure: string;
  value: string;
  target?: string;
  pass?: boolean;
}
const rows: Row[] = [];
const say = (text: string): void => void process.stderr.write(`${text}\n`);

/** console-sessions replicated to `mb` MB of JSON Lines (eventIDs made unique per copy). */
let streamLines: string[] | undefined;
/** The records of console-sessions.jsonl.gz, one text each (read once for every part that needs them). */
function consoleLines(): string[] {
  return (streamLines ??= gunzipSync(readFileSync(STREAM))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== ''));
}

async function input(mb: number): Promise<{ file: string; lines: string[] }> {
  const lines = consoleLines();
  const file = join(CACHE, `console-sessions-${mb}mb.jsonl`);
  const bytesPerCopy = lines.reduce((s, l) => s + Buffer.byteLength(l) + 1, 0);
  const copies = Math.max(1, Math.ceil((mb * 1024 * 1024) / bytesPerCopy));
  if (existsSync(file) && !process.env['BENCH_REBUILD']) return { file, lines };
  mkdirSync(CACHE, { recursive: true });
  say(`generating ${file} (${copies} copies of ${lines.length} records)…`);
  const out = createWriteStream(file);
  for (let c = 0; c < copies; c++) {
    const chunk = lines.map((l) => l.replace('"eventID":"', `"eventID":"c${c}-`)).join('\n') + '\n';
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
  return { file, lines };
}

/** Bare JSON.parse of every line, read and split exactly as classify reads it. */
async function bareParse(file: string): Promise<{ records: number; seconds: number }> {
  const t = performance.now();
  let records = 0;
  for await (const batch of decodeStreamBatches(createReadStream(file, { highWaterMark: 1 << 20 }), file)) {
    for (const unit of batch) {
      if (unit.kind !== 'line') continue;
      JSON.parse(unit.text);
      records++;
    }
  }
  return { records, seconds: (performance.now() - t) / 1000 };
}

async function classify(file: string, fast: boolean): Promise<{ records: number; findings: number; seconds: number }> {
  const t = performance.now();
  const r = await scanStream(createReadStream(file, { highWaterMark: 1 << 20 }), file, deps, undefined, fast);
  return { records: r.records, findings: r.findings.length, seconds: (performance.now() - t) / 1000 };
}

const rate = (records: number, seconds: number): number => Math.round(records / seconds);
const fmt = (n: number): string => n.toLocaleString('en-US');

async function throughput(): Promise<void> {
  const { file, lines } = await input(MB);
  const size = statSync(file).size;
  // Warm both paths on the original stream so neither pays the JIT alone.
  const warm = `${lines.join('\n')}\n`;
  for (let i = 0; i < 3; i++) {
    for (const l of lines) JSON.parse(l);
    classifyText({ kind: 'document', text: warm, file: 'warm', truncated: false }, deps, emptyClassified(), true);
  }
  say(`bare JSON.parse over ${(size / 1048576).toFixed(0)} MB…`);
  const bare = await bareParse(file);
  say('classify (fast path)…');
  const fast = await classify(file, true);
  say('classify (--full-parse)…');
  const full = await classify(file, false);
  const bareRate = rate(bare.records, bare.seconds);
  const fastRate = rate(fast.records, fast.seconds);
  rows.push({
    figure: `input: console-sessions x${Math.round(bare.records / lines.length)} (JSON Lines)`,
    value: `${(size / 1048576).toFixed(0)} MB, ${fmt(bare.records)} records`,
  });
  rows.push({
    figure: 'bare JSON.parse of every record',
    value: `${fmt(bareRate)} records/s (${(size / 1048576 / bare.seconds).toFixed(0)} MB/s)`,
  });
  rows.push({
    figure: 'classify, fast path (default)',
    value: `${fmt(fastRate)} records/s, ${fmt(fast.findings)} findings`,
  });
  rows.push({
    figure: 'classify / bare parse',
    value: `${(fastRate / bareRate).toFixed(2)}x`,
    target: '>= 1.0x',
    pass: fastRate >= bareRate,
  });
  rows.push({
    figure: 'classify --full-parse (reference)',
    value: `${fmt(rate(full.records, full.seconds))} records/s, ${fmt(full.findings)} findings`,
  });
  prescanVsParse(lines);
}

/**
 * The pre-scan alone against JSON.parse alone, per record, in memory: on console-sessions as recorded (trimmed
 * records, `eventSource` near the front) and on the same records with the `userIdentity` block CloudTrail writes
 * before `eventSource` (taken from events/cloudtrail/authorize-sg-ingress-ssh-world.json), which is what an
 * organisation trail delivers and what the pre-scan must tokenize past.
 */
function prescanVsParse(lines: readonly string[]): void {
  const sample = JSON.parse(
    readFileSync(join(ROOT, 'events/cloudtrail/authorize-sg-ingress-ssh-world.json'), 'utf8'),
  ) as { userIdentity: unknown };
  const identity = `"eventVersion":"1.09","userIdentity":${JSON.stringify(sample.userIdentity)},`;
  const withIdentity = lines.map((l) => `{${identity}${l.slice(1)}`);
  const time = (texts: readonly string[], f: (t: string) => unknown): number => {
    for (const t of texts) f(t);
    const start = performance.now();
    for (let r = 0; r < 3; r++) for (const t of texts) f(t);
    return (performance.now() - start) / 3 / 1000;
  };
  for (const [label, texts] of [
    ['as recorded', lines],
    ['with userIdentity', withIdentity],
  ] as const) {
    const parse = time(texts, (t) => JSON.parse(t));
    const scan = time(texts, canSkipRecord);
    const skipped = texts.filter((t) => canSkipRecord(t)).length;
    rows.push({
      figure: `  pre-scan vs JSON.parse per record, ${label}`,
      value: `${fmt(rate(texts.length, scan))} vs ${fmt(rate(texts.length, parse))} records/s = ${(parse / scan).toFixed(2)}x (${((100 * skipped) / texts.length).toFixed(1)}% skipped)`,
    });
  }
}

/**
 * `netwatch backtest` over a log tree: console-sessions as CloudTrail writes it (gzip `{"Records":[…]}` files under
 * AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/, 2,000 records a file), read in this thread and then on one
 * worker thread per core, through the same scanUnits the CLI uses (cached in .bench/tree-<files>).
 */
async function backtestScaling(lines: readonly string[]): Promise<void> {
  const perFile = 2000;
  const files = Number(process.env['BENCH_TREE_FILES'] ?? 600);
  const tree = join(CACHE, `tree-${files}`);
  if (!existsSync(tree) || process.env['BENCH_REBUILD']) {
    say(`generating a log tree of ${files} gzip files…`);
    for (let f = 0; f < files; f++) {
      const day = String(1 + (f % 28)).padStart(2, '0');
      const dir = join(tree, 'AWSLogs', '111122223333', 'CloudTrail', 'eu-west-1', '2026', '10', day);
      mkdirSync(dir, { recursive: true });
      const records = Array.from({ length: perFile }, (_, i) =>
        lines[(f * perFile + i) % lines.length]!.replace('"eventID":"', `"eventID":"t${f}-${i}-`),
      );
      writeFileSync(
        join(dir, `111122223333_CloudTrail_eu-west-1_202610${day}T${String(f).padStart(4, '0')}Z_b.json.gz`),
        gzipSync(`{"Records":[${records.join(',')}]}`),
      );
    }
  }
  const { units } = await localUnits([tree]);
  const records = units.length * perFile;
  const mb = units.reduce((sum, u) => sum + u.size, 0) / 1048576;
  const cores = availableParallelism();
  const run = async (workers: number): Promise<number> => {
    const t = performance.now();
    const result = await scanUnits(units, { workers, perWorker: FILES_IN_FLIGHT });
    if (result.records !== records) throw new Error(`backtest read ${result.records} records, expected ${records}`);
    return (performance.now() - t) / 1000;
  };
  await run(1);
  const one = await run(1);
  const many = await run(cores);
  rows.push({
    figure: `backtest of a log tree (${units.length} gzip files, ${mb.toFixed(0)} MB compressed, ${fmt(records)} records)`,
    value: '',
  });
  rows.push({
    figure: `  in this thread (${FILES_IN_FLIGHT} files in flight, as the CLI)`,
    value: `${fmt(rate(records, one))} records/s (${one.toFixed(1)} s)`,
  });
  rows.push({
    figure: `  on ${cores} worker threads (one per core; start-up included)`,
    value: `${fmt(rate(records, many))} records/s (${many.toFixed(1)} s, ${(one / many).toFixed(2)}x)`,
  });
}

/** Log files: parse whole + unwrap vs split + pre-scan, over the stream grouped 1,000 records a file (≈50 MB). */
function logFiles(lines: readonly string[]): void {
  const docs: string[] = [];
  for (let c = 0; docs.length * 1000 < 60_000; c++) {
    for (let i = 0; i < lines.length; i += 1000)
      docs.push(
        `{"Records":[${lines
          .slice(i, i + 1000)
          .map((l) => l.replace('"eventID":"', `"eventID":"c${c}-`))
          .join(',')}]}`,
      );
  }
  const records = docs.reduce((s, d) => s + (d.match(/"eventID"/g)?.length ?? 0), 0);
  const mb = docs.reduce((s, d) => s + d.length, 0) / 1048576;
  // Interleaved rounds, median of each: one pass is a tenth of a second, where this machine's noise is ±50 %.
  const passes = {
    bare: () => {
      for (const d of docs) JSON.parse(d);
    },
    slow: () => {
      for (const d of docs)
        classifyText({ kind: 'document', text: d, file: 'f', truncated: false }, deps, emptyClassified(), false);
    },
    fast: () => {
      for (const d of docs)
        classifyText({ kind: 'document', text: d, file: 'f', truncated: false }, deps, emptyClassified(), true);
    },
  };
  const seconds: Record<keyof typeof passes, number[]> = { bare: [], slow: [], fast: [] };
  for (let round = 0; round < 6; round++) {
    for (const key of Object.keys(passes) as (keyof typeof passes)[]) {
      const t = performance.now();
      passes[key]();
      if (round > 0) seconds[key].push((performance.now() - t) / 1000);
    }
  }
  const bare = median(seconds.bare);
  const slow = median(seconds.slow);
  const fast = median(seconds.fast);
  rows.push({
    figure: `log files {"Records":[…]} (${docs.length} x 1,000 records, ${mb.toFixed(0)} MB, in memory)`,
    value: '',
  });
  rows.push({ figure: '  bare JSON.parse of each file', value: `${fmt(rate(records, bare))} records/s` });
  rows.push({ figure: '  classify, whole-file parse', value: `${fmt(rate(records, slow))} records/s` });
  rows.push({
    figure: '  classify, split + pre-scan',
    value: `${fmt(rate(records, fast))} records/s (${(bare / fast).toFixed(2)}x bare parse)`,
  });
}

async function bundles(): Promise<string[]> {
  const options = slsEsbuildOptions();
  const outDir = join(CACHE, 'bundles');
  const built: string[] = [];
  for (const entry of readdirSync(join(ROOT, 'functions')).filter((f) => f.endsWith('.ts'))) {
    const outfile = join(outDir, entry.replace(/\.ts$/, '.mjs'));
    const result = await build({ ...options, entryPoints: [join(ROOT, 'functions', entry)], outfile, metafile: true });
    const output = Object.values(result.metafile.outputs)[0]!;
    const byPackage = new Map<string, number>();
    for (const [path, info] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path.split('/').slice(0, 2).join('/');
      byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + info.bytesInOutput);
    }
    const top = [...byPackage]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([k, v]) => `${k} ${(v / 1024).toFixed(0)}K`)
      .join(', ');
    rows.push({
      figure: `bundle functions/${entry}`,
      value: `${(output.bytes / 1024).toFixed(0)} KB (${top})`,
      target: '<= 400 KB',
      pass: output.bytes <= BUNDLE_LIMIT,
    });
    built.push(outfile);
  }
  return built;
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * A deployed function's config (bench/deployed-config.json: the example config without its webhook, whose secrets
 * would be fetched from SSM at cold start): SNS and S3 sinks, DynamoDB ledger, grouping and approvals tables,
 * allowlists, context. The default-config figures alone would flatter a real deployment.
 */
const DEPLOYED_ENV = { NETWATCH_CONFIG_PATH: join(ROOT, 'bench', 'deployed-config.json') };

/** Wall time of one `node …` spawn, in ms. */
function spawnMs(args: string[], extraEnv: Record<string, string> = {}): number {
  const env = {
    ...process.env,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_REGION: 'eu-west-1',
    NODE_OPTIONS: '',
    ...extraEnv,
  };
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${r.stderr.toString()}`);
  // The cold-start build runs after the import resolves; a build that failed would be a fast, meaningless figure.
  if (args.length > 1 && args[0] === '--input-type=module' && !r.stdout.toString().includes('"config loaded"'))
    throw new Error(
      `node ${args.join(' ')}: no "config loaded" log, the cold-start build failed:\n${r.stdout.toString()}${r.stderr.toString()}`,
    );
  return performance.now() - t;
}

/**
 * Cold import of each bundle against `node -e 0`. The spawns are interleaved (one baseline, then each bundle, round
 * after round) so a machine that speeds up or slows down during the run moves both sides of each ratio alike; each
 * figure is the median of its rounds.
 */
function coldImports(files: readonly string[]): void {
  const cases = [
    ...files.map((file) => ({ label: `cold import ${file.split('/').pop()!}`, file, env: {} })),
    ...files
      .filter((f) => !f.endsWith('digest.mjs'))
      .map((file) => ({ label: `cold import ${file.split('/').pop()!}, deployed config`, file, env: DEPLOYED_ENV })),
  ];
  const baseline: number[] = [];
  const times = cases.map((): number[] => []);
  for (let round = 0; round < COLD_RUNS; round++) {
    baseline.push(spawnMs(['-e', '0']));
    for (const [i, c] of cases.entries()) {
      times[i]!.push(
        spawnMs(['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(c.file).href)})`], c.env),
      );
    }
  }
  const base = median(baseline);
  rows.push({ figure: `cold start: node -e 0 (median of ${COLD_RUNS}, interleaved)`, value: `${base.toFixed(0)} ms` });
  cases.forEach((c, i) => {
    const ms = median(times[i]!);
    rows.push({
      figure: c.label,
      value: `${ms.toFixed(0)} ms (${(ms / base).toFixed(2)}x)`,
      target: '<= 2.0x',
      pass: ms <= 2 * base,
    });
  });
}

async function warmLatency(): Promise<void> {
  const event = JSON.parse(
    readFileSync(join(ROOT, 'events/sqs/cloudtrail-authorize-sg-ingress-ssh-world.json'), 'utf8'),
  ) as { Records: SQSRecord[] };
  const record = event.Records[0]!;
  const sinks = new Map([
    ['paging', new MemorySink('paging')],
    ['change-log', new MemorySink('change-log')],
  ]);
  // A fresh ledger per record: each iteration is a first delivery (a shared one would measure the dedup hit).
  const pipeline = () => ({
    ...deps,
    approvals: new StaticApprovals([]),
    delivery: inMemoryDelivery(sinks),
  });
  for (let i = 0; i < 2000; i++) await processSqsRecord(record, pipeline());
  const times: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const next = pipeline();
    const t = performance.now();
    await processSqsRecord(record, next);
    times.push(performance.now() - t);
    if (i % 1000 === 0) for (const s of sinks.values()) s.notices.length = 0;
  }
  times.sort((a, b) => a - b);
  const q = (p: number): string => `${(times[Math.floor(times.length * p)]! * 1000).toFixed(0)} µs`;
  rows.push({
    figure: 'warm latency per SQS record (EventBridge -> SG ssh world -> 2 sinks)',
    value: `median ${q(0.5)}, p99 ${q(0.99)}`,
  });
}

/**
 * One 64 MB line (issue 12, denial of service): JSON Lines whose second line is one 64 MB record, as `classify -`
 * reads a pipe (64 KB chunks) and as a gzip of it inflates (16 KB chunks). Read with `--max-line-mb 128` (the line is
 * kept and JSON-parsed) and with the default limit (skipped with an error). Decoding used to rescan the pending text on
 * every chunk: quadratic in the line's length.
 */
async function longLine(): Promise<void> {
  const [first, second] = consoleLines();
  const size = 64 * 1024 * 1024;
  const text = `${first}\n{"eventVersion":"1.08","pad":"${'x'.repeat(size)}"}\n${second}\n`;
  const bytes = Buffer.from(text);
  const gz = gzipSync(bytes);
  async function* chunked(b: Uint8Array, n: number): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < b.length; i += n) yield b.subarray(i, i + n);
  }
  const run = async (input: Uint8Array, limits: DecodeLimits): Promise<string> => {
    const t = performance.now();
    let lines = 0;
    let errors = 0;
    for await (const batch of decodeStreamBatches(chunked(input, 64 * 1024), 'long.jsonl', limits))
      for (const unit of batch) {
        if (unit.kind === 'line') {
          JSON.parse(unit.text);
          lines++;
        } else if (unit.kind === 'error') errors++;
      }
    return `${((performance.now() - t) / 1000).toFixed(2)} s (${lines} lines read, ${errors} skipped)`;
  };
  const wide = { maxLineChars: 128 * 1024 * 1024 };
  rows.push({
    figure: 'one 64 MB line, 64 KB chunks, --max-line-mb 128 (read + JSON.parse)',
    value: await run(bytes, wide),
  });
  rows.push({ figure: 'one 64 MB line, 64 KB chunks, default limit (32 Mi: skipped)', value: await run(bytes, {}) });
  rows.push({
    figure: `the same gzipped (${fmt(gz.length)} bytes; 16 KB inflate chunks), --max-line-mb 128`,
    value: await run(gz, wide),
  });
}

function print(): void {
  const w = Math.max(...rows.map((r) => r.figure.length));
  const v = Math.max(...rows.map((r) => r.value.length));
  const lines = [`Netwatch bench — node ${process.version}, ${process.platform}/${process.arch}`, ''];
  for (const r of rows)
    lines.push(
      `${r.figure.padEnd(w)}  ${r.value.padEnd(v)}  ${r.target ? `${r.pass ? 'PASS' : 'FAIL'} (${r.target})` : ''}`.trimEnd(),
    );
  const failed = rows.filter((r) => r.pass === false).length;
  lines.push('', failed ? `${failed} target(s) missed.` : 'All targets met.');
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(`Usage: npm run bench   (options are environment variables)

Prints, from one run on this machine: classify throughput vs bare JSON.parse over a large CloudTrail stream,
the pre-scan vs JSON.parse per record, log-file splitting, per-function bundle sizes, cold import of each bundle
vs \`node -e 0\` (default and deployed config), and warm per-record latency — with PASS/FAIL against the targets.

  BENCH_MB=300           size of the generated input (console-sessions replicated; cached in .bench/)
  BENCH_REBUILD=1        regenerate the input
  BENCH_COLD_RUNS=15     interleaved spawn rounds for the cold-import medians
  BENCH_TREE_FILES=600   gzip log files (2,000 records each) in the backtest's log tree
  BENCH_ONLY=a,b         run some parts only: throughput, logfiles, backtest, bundles, cold, warm, longline
`);
  process.exit(0);
}
const ONLY = new Set(
  (process.env['BENCH_ONLY'] ?? 'throughput,logfiles,backtest,bundles,cold,warm,longline')
    .split(',')
    .map((s) => s.trim()),
);
const PARTS = ['throughput', 'logfiles', 'backtest', 'bundles', 'cold', 'warm', 'longline'];
const unknown = [...ONLY].filter((p) => !PARTS.includes(p));
if (unknown.length > 0) {
  say(`BENCH_ONLY: unknown part(s) ${unknown.join(', ')}; known: ${PARTS.join(', ')}`);
  process.exit(2);
}
mkdirSync(CACHE, { recursive: true });
if (ONLY.has('throughput')) await throughput();
if (ONLY.has('logfiles')) logFiles(consoleLines());
if (ONLY.has('backtest')) await backtestScaling(consoleLines());
if (ONLY.has('bundles') || ONLY.has('cold')) {
  const built = await bundles();
  if (ONLY.has('cold')) coldImports(built);
}
if (ONLY.has('warm')) await warmLatency();
if (ONLY.has('longline')) await longLine();
print();
