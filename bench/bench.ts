/**
 * `npm run bench`: the performance figures of docs/performance.md, from one run on this machine. Not a test — nothing here
 * fails the suite; it prints PASS/FAIL against the targets so a regression is visible in review.
 *
 *  1. classify throughput over a large CloudTrail stream (console-sessions.jsonl.gz replicated to BENCH_MB, default
 *     300 MB, cached in .bench/) vs bare JSON.parse of every record of the same file, read the same way;
 *  2. the same for CloudTrail log files ({"Records":[…]}): whole-file parse vs record splitting + pre-scan;
 *  3. per-function bundle sizes (esbuild with serverless.yml's options) and what is big in them;
 *  4. cold import of each bundle vs `node -e 0` (median of BENCH_COLD_RUNS spawns);
 *  5. warm per-record latency of the Lambda pipeline (processSqsRecord, memory sinks), without state and with the state
 *     table on dynalite (state look-ups and writes per record);
 *  6. a backtest of a CloudTrail log tree (gzip log files) by the built command, on one thread and on worker threads;
 *  7. the built command as a whole process (dist/, `npm run build`): `netwatch --version` vs `node -e 0`, and classify of
 *     the console stream ×12 vs a Node script that only reads and JSON.parses every line; a worker thread's start-up.
 *  8. one 64 MB JSON Lines line, plain and gzipped: decoding stays linear in the input, and the line cap skips it.
 *  9. a reconciliation of 10,000 resources (advanced-query pages served from memory, the state table on dynalite): the
 *     first run (posture report), a second with nothing changed, a third with 1 % changed and some deleted — time,
 *     advanced-query requests, DynamoDB requests by kind.
 *
 * Options (env): BENCH_MB=300, BENCH_COLD_RUNS=15, BENCH_REBUILD=1 (regenerate the input), BENCH_ONLY=a,b (run only
 * some parts: throughput, logfiles, backtest, bundles, cold, warm, cli, longline, reconcile; `cold` builds the bundles too),
 * BENCH_TREE_FILES=600 (files in the backtest's log tree), BENCH_CLI_RUNS=11 (interleaved rounds of the whole-process
 * classify).
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
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
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { SQSRecord } from 'aws-lambda';
import { build } from 'esbuild';
import { localUnits } from '../cli/backtest/local-source.ts';
import { FILES_IN_FLIGHT } from '../cli/backtest/pool.ts';
import { scanStream } from '../cli/backtest/scan.ts';
import { RULES } from '../rules/index.ts';
import { emptyClassified } from '../shared/4-classify/classify.ts';
import { classifyText } from '../shared/4-classify/classify-text.ts';
import { StaticApprovals } from '../shared/5-decide/approvals/providers.ts';
import { inMemoryDelivery } from '../shared/config/build-delivery.ts';
import { processSqsRecord } from '../shared/lambda/process-record.ts';
import { StateEngine } from '../shared/3-state/engine.ts';
import { MemoryStateStore } from '../shared/3-state/memory-store.ts';
import type { StateStore } from '../shared/3-state/store.ts';
import { judgeInOrder } from '../shared/4-classify/classify.ts';
import { canSkipRecord } from '../shared/1-ingest/cloudtrail/prescan.ts';
import { decodeStreamBatches, type DecodeLimits } from '../shared/1-ingest/envelope/decode-stream.ts';
import { EMPTY_CONTEXT } from '../shared/model/rule.ts';
import { MemorySink } from '../shared/6-deliver/sinks/memory.ts';
import { buildCli, DIST } from '../scripts/build-cli.ts';
import { slsEsbuildOptions, slsNodeOptions } from './esbuild-options.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
const CACHE = join(ROOT, '.bench');
const STREAM = resolve(ROOT, '../shared/corpus/streams/console-sessions.jsonl.gz');
const MB = Number(process.env['BENCH_MB'] ?? 300);
const COLD_RUNS = Number(process.env['BENCH_COLD_RUNS'] ?? 15);
const CLI_RUNS = Number(process.env['BENCH_CLI_RUNS'] ?? 11);
const NETWATCH = join(DIST, 'netwatch.js');
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
  // The CLI with kept state (its default): every input read, then the changes judged in event-time order. Medians of
  // three interleaved passes each (one pass alone moved ±30 % here).
  say('CLI classify with state (default) and --state off, 3 interleaved passes…');
  type Pass = Awaited<ReturnType<typeof classifyCli>>;
  const passes: { kept: Pass[]; off: Pass[] } = { kept: [], off: [] };
  for (let i = 0; i < 3; i++) {
    passes.off.push(await classifyCli(file, 'off'));
    passes.kept.push(await classifyCli(file, 'kept'));
  }
  const mid = (runs: Pass[]): Pass => [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)]!;
  const kept = mid(passes.kept);
  const off = mid(passes.off);
  rows.push({
    figure: 'CLI classify with state (default) / --state off (medians of 3)',
    value: `${fmt(rate(kept.records, kept.seconds))} / ${fmt(rate(off.records, off.seconds))} records/s (${(rate(kept.records, kept.seconds) / rate(off.records, off.seconds)).toFixed(2)}x); ${fmt(kept.changes)} changes judged in order in ${(kept.judgeSeconds * 1000).toFixed(0)} ms; ${fmt(kept.findings)} / ${fmt(off.findings)} findings`,
  });
  prescanVsParse(lines);
}

/** `netwatch classify FILE` as the CLI runs it (no printing), with or without kept state. */
async function classifyCli(
  file: string,
  state: 'kept' | 'off',
): Promise<{ records: number; changes: number; findings: number; seconds: number; judgeSeconds: number }> {
  const t = performance.now();
  const quiet = Object.assign(Object.create(process.stderr) as NodeJS.WriteStream, { isTTY: false });
  const { classifyInputs } = await import('../cli/run-inputs.ts');
  const run = await classifyInputs([file], { ...deps, ...(state === 'kept' ? { defer: true } : {}) }, quiet);
  const read = performance.now();
  if (state === 'kept') {
    const engine = new StateEngine({ store: new MemoryStateStore() });
    await judgeInOrder(run.pending, { ...deps, state: engine }, run);
  }
  const end = performance.now();
  return {
    records: run.records,
    changes: run.changes.length,
    findings: run.findings.length,
    seconds: (end - t) / 1000,
    judgeSeconds: (end - read) / 1000,
  };
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
  /** Wall time of one whole `netwatch backtest` (the built command) over the tree. */
  const run = (workers: number): number => {
    const t = performance.now();
    const r = spawnSync(
      process.execPath,
      [NETWATCH, 'backtest', tree, '--format', 'json', '--workers', String(workers)],
      { env: benchEnv(), stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 },
    );
    const seconds = (performance.now() - t) / 1000;
    if (r.status !== 0) throw new Error(`netwatch backtest failed: ${r.stderr.toString()}`);
    const read = (JSON.parse(r.stdout.toString()) as { input: { records: number } }).input.records;
    if (read !== records) throw new Error(`backtest read ${read} records, expected ${records}`);
    return seconds;
  };
  run(1);
  // Interleaved rounds, median of each: one run is a few seconds, where this machine's noise is ±20 %.
  const one: number[] = [];
  const many: number[] = [];
  for (let round = 0; round < 3; round++) {
    one.push(run(1));
    many.push(run(cores));
  }
  const oneS = median(one);
  const manyS = median(many);
  rows.push({
    figure: `backtest of a log tree by the built command (${units.length} gzip files, ${mb.toFixed(0)} MB compressed, ${fmt(records)} records; medians of 3 interleaved runs)`,
    value: '',
  });
  rows.push({
    figure: `  --workers 1 (${FILES_IN_FLIGHT} files in flight in the main thread)`,
    value: `${fmt(rate(records, oneS))} records/s (${oneS.toFixed(1)} s)`,
  });
  rows.push({
    figure: `  --workers ${cores} (one compiled worker thread per core, start-up included)`,
    value: `${fmt(rate(records, manyS))} records/s (${manyS.toFixed(1)} s, ${(oneS / manyS).toFixed(2)}x)`,
  });
  rows.push({
    figure: '  start-up of one compiled worker thread (median of 5)',
    value: `${(await workerStartMs()).toFixed(0)} ms`,
  });
}

/** Time from `new Worker(dist/backtest-worker.js)` to its "ready" message, median of 5. */
async function workerStartMs(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    // execArgv []: a worker inherits this process's flags, and the bench runs under tsx, whose loader the built
    // command's workers never load.
    const worker = new Worker(join(DIST, 'backtest-worker.js'), {
      workerData: { fast: true, context: EMPTY_CONTEXT },
      execArgv: [],
    });
    await new Promise<void>((ready, fail) => {
      worker.once('error', fail);
      worker.on('message', (m: { type: string }) => m.type === 'ready' && ready());
    });
    times.push(performance.now() - t);
    await worker.terminate();
  }
  return median(times);
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

/**
 * One function bundle, built as deployed (serverless.yml's esbuild options) and the other way round as to source maps:
 * with them (and --enable-source-maps) when the deployed build has none, without them when it has them.
 */
interface Bundle {
  name: string;
  deployed: string;
  other: string;
}

/** Whether the functions ship source maps and run with --enable-source-maps (serverless.yml; the template test keeps the two together). */
const DEPLOYED_MAPS = slsNodeOptions().includes('--enable-source-maps');

async function bundles(): Promise<Bundle[]> {
  const options = slsEsbuildOptions();
  const built: Bundle[] = [];
  for (const entry of readdirSync(join(ROOT, 'functions')).filter((f) => f.endsWith('.ts'))) {
    const name = entry.replace(/\.ts$/, '.mjs');
    const deployed = join(CACHE, 'bundles', name);
    const other = join(CACHE, 'bundles-other-maps', name);
    const entryPoints = [join(ROOT, 'functions', entry)];
    const result = await build({ ...options, entryPoints, outfile: deployed, metafile: true });
    await build({ ...options, sourcemap: !DEPLOYED_MAPS, sourcesContent: false, entryPoints, outfile: other });
    const output = result.metafile.outputs[relative(ROOT, deployed)]!;
    const map = statSync(`${DEPLOYED_MAPS ? deployed : other}.map`).size;
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
      value: `${(output.bytes / 1024).toFixed(0)} KB (${top}); source map ${(map / 1024).toFixed(0)} KB, ${DEPLOYED_MAPS ? 'shipped' : 'not shipped'}`,
      target: '<= 400 KB',
      pass: output.bytes <= BUNDLE_LIMIT,
    });
    built.push({ name, deployed, other });
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

/** Environment of a spawned process: no inherited NODE_OPTIONS (a case sets its own), SDK warning off, a region. */
function benchEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_REGION: 'eu-west-1',
    NODE_OPTIONS: '',
    NO_COLOR: '1',
    ...extra,
  };
}

/** Wall time of one `node …` spawn, in ms; `mustPrint`: a text its stdout must hold (else the figure is meaningless). */
function spawnMs(args: string[], extraEnv: Record<string, string> = {}, mustPrint?: string): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, {
    env: benchEnv(extraEnv),
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1 << 28,
  });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${r.stderr.toString()}`);
  if (mustPrint !== undefined && !r.stdout.toString().includes(mustPrint))
    throw new Error(
      `node ${args.join(' ')}: no "${mustPrint}" on stdout:\n${r.stdout.toString()}${r.stderr.toString()}`,
    );
  return ms;
}

/**
 * Cold import of each bundle against `node -e 0`, as deployed (serverless.yml's esbuild options and NODE_OPTIONS) and
 * the other way round as to source maps (map + --enable-source-maps, or neither): what the maps cost. The spawns are
 * interleaved (one baseline, then each case, round after round) so a machine that speeds up or slows down during the
 * run moves both sides of each ratio alike; each figure is the median of its rounds.
 */
function coldImports(built: readonly Bundle[]): void {
  const nodeOptions = slsNodeOptions();
  const deployedMaps = DEPLOYED_MAPS ? 'with source map and --enable-source-maps' : 'no source map';
  const otherMaps = DEPLOYED_MAPS ? 'without source map' : 'with source map (mappings only) and --enable-source-maps';
  // The functions that build the delivery runtime (and log "config loaded"): the flow-log custom resource and the
  // approvals functions (approvals table only) have no such cold start to compare.
  const delivering = (b: Bundle) => !/^(flow-log-targets|approvals-sync|approvals-inbound)\.mjs$/.test(b.name);
  const cases = [
    ...built.filter(delivering).map((b) => ({
      label: `cold import ${b.name} (as deployed: ${deployedMaps})`,
      file: b.deployed,
      env: { NODE_OPTIONS: nodeOptions },
    })),
    ...built.filter(delivering).map((b) => ({
      label: `cold import ${b.name}, ${otherMaps}`,
      file: b.other,
      env: { NODE_OPTIONS: DEPLOYED_MAPS ? '' : '--enable-source-maps' },
    })),
    ...built
      .filter((b) => delivering(b) && !b.name.endsWith('digest.mjs'))
      .map((b) => ({
        label: `cold import ${b.name}, deployed config`,
        file: b.deployed,
        env: { ...DEPLOYED_ENV, NODE_OPTIONS: nodeOptions },
      })),
  ];
  const baseline: number[] = [];
  const times = cases.map((): number[] => []);
  for (let round = 0; round < COLD_RUNS; round++) {
    baseline.push(spawnMs(['-e', '0']));
    for (const [i, c] of cases.entries()) {
      times[i]!.push(
        // The cold-start build runs after the import resolves; a build that failed would be a fast, meaningless figure.
        spawnMs(
          ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(c.file).href)})`],
          c.env,
          '"config loaded"',
        ),
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

/** console-sessions ×12 (≈ 98k records) as JSON Lines, eventIDs unique per copy (cached in .bench/). */
async function consoleTimes12(): Promise<{ file: string; records: number }> {
  const lines = consoleLines();
  const file = join(CACHE, 'console-sessions-x12.jsonl');
  if (!existsSync(file) || process.env['BENCH_REBUILD']) {
    const out = createWriteStream(file);
    for (let c = 0; c < 12; c++) {
      const chunk = `${lines.map((l) => l.replace('"eventID":"', `"eventID":"x${c}-`)).join('\n')}\n`;
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
  }
  return { file, records: lines.length * 12 };
}

/** The reference: a whole Node process that reads the file line by line and JSON.parses every line, nothing else. */
const BARE_PARSE_SCRIPT = `
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
let records = 0;
for await (const line of createInterface({ input: createReadStream(process.argv[1]), crlfDelay: Infinity }))
  if (line !== '') { JSON.parse(line); records++; }
if (records === 0) process.exit(1);
`;

/**
 * The built command as users run it (dist/netwatch.js, whole processes, interleaved rounds, medians): start-up
 * against `node -e 0`, and `classify` of the console stream ×12 against a process that only reads and parses it.
 */
async function cliProcess(): Promise<void> {
  const started = performance.now();
  await buildCli();
  rows.push({
    figure: 'build of dist/ (npm run build, esbuild)',
    value: `${(performance.now() - started).toFixed(0)} ms`,
  });
  const { file, records } = await consoleTimes12();
  const base: number[] = [];
  const version: number[] = [];
  for (let round = 0; round < COLD_RUNS; round++) {
    base.push(spawnMs(['-e', '0']));
    version.push(spawnMs([NETWATCH, '--version'], {}, 'netwatch '));
  }
  const bare: number[] = [];
  const classify: number[] = [];
  for (let round = 0; round < CLI_RUNS; round++) {
    bare.push(spawnMs(['--input-type=module', '-e', BARE_PARSE_SCRIPT, file]));
    classify.push(spawnMs([NETWATCH, 'classify', file], {}, '"ruleId"'));
  }
  const b = median(base);
  const v = median(version);
  rows.push({
    figure: `netwatch --version vs node -e 0 (medians of ${COLD_RUNS}, interleaved)`,
    value: `${v.toFixed(0)} ms vs ${b.toFixed(0)} ms = ${(v / b).toFixed(2)}x`,
    target: '<= 3.0x',
    pass: v <= 3 * b,
  });
  const p = median(bare);
  const c = median(classify);
  rows.push({
    figure: `whole process over console-sessions x12 (${fmt(records)} records; medians of ${CLI_RUNS}, interleaved)`,
    value: '',
  });
  rows.push({
    figure: '  node script: read + JSON.parse every line',
    value: `${p.toFixed(0)} ms (${fmt(rate(records, p / 1000))} records/s)`,
  });
  rows.push({
    figure: '  netwatch classify (dist/netwatch.js)',
    value: `${c.toFixed(0)} ms (${fmt(rate(records, c / 1000))} records/s)`,
  });
  rows.push({
    figure: '  classify / bare parse (whole process)',
    value: `${(p / c).toFixed(2)}x`,
    target: '>= 1.0x',
    pass: c <= p,
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
    figure: 'warm latency per SQS record (EventBridge -> SG ssh world -> 2 sinks), no state',
    value: `median ${q(0.5)}, p99 ${q(0.99)}`,
  });
  await warmLatencyWithState(record, pipeline);
}

/**
 * The same record through the stateful pipeline with the state table on dynalite (in process, on loopback): a fresh
 * security group and event id per record, so every record is a first sight — one state read, one look-up of nothing,
 * one conditional write — the common case of a change. Counted per record.
 */
async function warmLatencyWithState(
  record: SQSRecord,
  pipeline: () => Omit<Parameters<typeof processSqsRecord>[1], 'state'>,
): Promise<void> {
  const { startDynalite } = await import('../test/support/dynalite.ts');
  const { DynamoStateStore, stateTableDefinition } = await import('../shared/3-state/dynamodb-store.ts');
  const dynamo = await startDynalite();
  try {
    await dynamo.createTable(stateTableDefinition('bench-state'));
    const calls = { load: 0, save: 0, ms: 0 };
    const inner = new DynamoStateStore(dynamo.client, 'bench-state');
    const timed = async <T>(work: Promise<T>): Promise<T> => {
      const t = performance.now();
      try {
        return await work;
      } finally {
        calls.ms += performance.now() - t;
      }
    };
    const store: StateStore = {
      load: (region, ids) => {
        calls.load += 1;
        return timed(inner.load(region, ids));
      },
      save: (item, expected) => {
        calls.save += 1;
        return timed(inner.save(item, expected));
      },
      referencing: (region, id) => inner.referencing(region, id),
      setReference: (region, id, referrer, present) => inner.setReference(region, id, referrer, present),
      openEpisodes: () => inner.openEpisodes(),
      inventory: (region, account) => inner.inventory(region, account),
      setInventory: (marker) => inner.setInventory(marker),
      listResources: () => inner.listResources(),
      remember: (region, key, value) => inner.remember(region, key, value),
      recall: (region, key) => inner.recall(region, key),
    };
    // The floor: one GetItem and one conditional PutItem of a state-sized item on the same dynalite, no Netwatch.
    const { GetCommand, PutCommand } = await import('@aws-sdk/lib-dynamodb');
    const bare: number[] = [];
    const blob = 'x'.repeat(4000);
    for (let i = 0; i < 2300; i++) {
      const t = performance.now();
      const key = { pk: `BENCH#${i}`, sk: 'STATE' };
      await dynamo.client.send(new GetCommand({ TableName: 'bench-state', Key: key, ConsistentRead: true }));
      await dynamo.client.send(
        new PutCommand({
          TableName: 'bench-state',
          Item: { ...key, version: 1, data: blob },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      if (i >= 300) bare.push(performance.now() - t);
    }
    bare.sort((a, b) => a - b);
    const at = (list: number[], p: number): string => `${(list[Math.floor(list.length * p)]! * 1000).toFixed(0)} µs`;
    rows.push({
      figure: 'dynalite floor: GetItem + conditional PutItem (4 KB item), no Netwatch',
      value: `median ${at(bare, 0.5)}, p99 ${at(bare, 0.99)}`,
    });
    const engine = new StateEngine({ store });
    const variant = (i: number): SQSRecord => ({
      ...record,
      messageId: `m-${i}`,
      body: record.body
        .replaceAll('sg-0a1b2c3d4e5f60718', `sg-0b${String(i).padStart(15, '0')}`)
        .replaceAll('16c22eb9-7ee4-5edb-8335-888db019d616', `16c22eb9-7ee4-5edb-8335-${String(i).padStart(12, '0')}`),
    });
    for (let i = 0; i < 300; i++) await processSqsRecord(variant(i), { ...pipeline(), state: engine });
    const times: number[] = [];
    const before = { ...calls };
    const n = 2000;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const next = { ...pipeline(), state: engine };
      const r = variant(1000 + i);
      const t = performance.now();
      await processSqsRecord(r, next);
      times.push(performance.now() - t);
      total += performance.now() - t;
    }
    times.sort((a, b) => a - b);
    const ms = (p: number): number => times[Math.floor(times.length * p)]!;
    const inStore = (calls.ms - before.ms) / total;
    const q = (p: number): string => `${(ms(p) * 1000).toFixed(0)} µs`;
    rows.push({
      figure: 'warm latency per SQS record, state table on dynalite (same record, a new group each time)',
      value: `median ${q(0.5)}, p99 ${q(0.99)}; per record ${((calls.load - before.load) / n).toFixed(1)} state reads, ${((calls.save - before.save) / n).toFixed(1)} conditional writes (${(inStore * 100).toFixed(0)} % of the time waiting on dynalite)`,
      target: 'p99 < 5 ms',
      pass: ms(0.99) < 5,
    });
  } finally {
    await dynamo.close();
  }
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

/**
 * A synthetic estate of `vpcs` × 100 resources as advanced-query rows: per VPC an internet gateway, 3 public and 3
 * private subnets, a public, a private (NAT) and a main route table, one ACL, 29 security groups (one with tcp/22 from
 * 0.0.0.0/0, the rest referencing each other or 10.0.0.0/8) and 60 interfaces (20 with a public IP).
 */
async function estateRows(vpcs: number, variant: (id: string, config: Record<string, unknown>) => boolean) {
  const t = await import('../test/support/topology.ts');
  const rows: string[] = [];
  const hex = (v: number, i: number, width = 8) =>
    `${v.toString(16).padStart(width, '0')}${i.toString(16).padStart(9, '0')}`;
  for (let v = 0; v < vpcs; v++) {
    const vpc = `vpc-${hex(v, 0)}`;
    const items: import('../test/support/topology.ts').ConfigItem[] = [];
    const igwId = `igw-${hex(v, 0)}`;
    items.push(t.igw(igwId, vpc));
    const pub = [0, 1, 2].map((i) => `subnet-${hex(v, i)}`);
    const priv = [3, 4, 5].map((i) => `subnet-${hex(v, i)}`);
    for (const s of pub) items.push(t.subnet(s, { vpc, mapPublicIp: true }));
    for (const s of priv) items.push(t.subnet(s, { vpc }));
    items.push(t.routeTable(`rtb-${hex(v, 1)}`, [['0.0.0.0/0', igwId]], pub, { vpc }));
    items.push(t.routeTable(`rtb-${hex(v, 2)}`, [['0.0.0.0/0', `nat-${hex(v, 0)}`]], priv, { vpc }));
    items.push(t.routeTable(`rtb-${hex(v, 3)}`, [], [], { vpc, main: true }));
    items.push(t.nacl(`acl-${hex(v, 0)}`, t.ALLOW_ALL, [...pub, ...priv], vpc));
    const groups = Array.from({ length: 29 }, (_, i) => `sg-${hex(v, i)}`);
    const enis = Array.from({ length: 60 }, (_, i) => `eni-${hex(v, i)}`);
    groups.forEach((g, i) => {
      const members = enis.filter((_, e) => e % 29 === i);
      const rules: import('../test/support/topology.ts').RuleSpec[] =
        i === 0
          ? [['tcp', 22, 22, '0.0.0.0/0']]
          : [
              ['tcp', 443, 443, groups[i - 1]!],
              ['tcp', 8080, 8080, '10.0.0.0/8'],
            ];
      items.push(t.securityGroup(g, rules, { enis: members, vpc }));
    });
    enis.forEach((e, i) => {
      const subnetId = i < 20 ? pub[i % 3]! : priv[i % 3]!;
      items.push(
        t.eni(e, subnetId, [groups[i % 29]!], {
          vpc,
          ...(i < 20 ? { publicIp: `203.0.${v % 256}.${i + 1}` } : {}),
        }),
      );
    });
    for (const item of items) {
      if (!variant(item.resourceId, item.configuration)) continue;
      rows.push(
        JSON.stringify({
          resourceId: item.resourceId,
          resourceType: item.resourceType,
          accountId: item.awsAccountId,
          awsRegion: item.awsRegion,
          configurationItemCaptureTime: item.configurationItemCaptureTime,
          configurationItemStatus: 'OK',
          configuration: item.configuration,
          supplementaryConfiguration: {},
          relationships: item.relationships,
          tags: [],
        }),
      );
    }
  }
  return rows;
}

/**
 * Reconciliation of 10,000 resources: the advanced query served from memory in pages of 100 (its rate limiter on a
 * fake clock — at the default 1 request/s the query's own wall time is the request count in seconds), the state table
 * on dynalite, delivery to memory sinks. Three runs: the first (seeds the state, one posture report), a second with
 * nothing changed, a third where 1 % changed (a group opened to the world per VPC) and 0.5 % were deleted.
 */
async function reconcileBench(): Promise<void> {
  const { startDynalite } = await import('../test/support/dynalite.ts');
  const { DynamoStateStore, stateTableDefinition } = await import('../shared/3-state/dynamodb-store.ts');
  const { runReconciliation } = await import('../shared/lambda/reconcile-run.ts');
  const VPCS = 100;
  const day1 = await estateRows(VPCS, () => true);
  const day3 = await estateRows(VPCS, (id, config) => {
    // Deleted: the last interface (number 59 = 0x3b) of every other VPC.
    if (id.startsWith('eni-') && id.endsWith('00000003b') && Number.parseInt(id.slice(4, 12), 16) % 2 === 0)
      return false;
    // Changed: in every VPC the group sg-…001 gains tcp/3389 from 0.0.0.0/0.
    if (id.startsWith('sg-') && id.endsWith('000000001'))
      (config['ipPermissions'] as unknown[]).push({
        ipProtocol: 'tcp',
        fromPort: 3389,
        toPort: 3389,
        ipv4Ranges: [{ cidrIp: '0.0.0.0/0' }],
        ipv6Ranges: [],
        prefixListIds: [],
        userIdGroupPairs: [],
      });
    return true;
  });
  const dynamo = await startDynalite();
  try {
    await dynamo.createTable(stateTableDefinition('bench-reconcile'));
    const dynamoCalls = new Map<string, number>();
    dynamo.client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = String(context.commandName ?? '?').replace(/Command$/, '');
        dynamoCalls.set(name, (dynamoCalls.get(name) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', name: 'benchCount' },
    );
    const engine = new StateEngine({ store: new DynamoStateStore(dynamo.client, 'bench-reconcile') });
    let fake = 0;
    const run = async (label: string, results: string[], at: string) => {
      let requests = 0;
      const select = async (input: { NextToken?: string }) => {
        requests += 1;
        const from = Number(input.NextToken ?? 0);
        const next = from + 100;
        return { Results: results.slice(from, next), ...(next < results.length ? { NextToken: String(next) } : {}) };
      };
      const sinks = new Map([
        ['paging', new MemorySink('paging')],
        ['change-log', new MemorySink('change-log')],
      ]);
      dynamoCalls.clear();
      const t = performance.now();
      const result = await runReconciliation({
        engine,
        select,
        regions: ['eu-west-1'],
        rules: RULES,
        context: EMPTY_CONTEXT,
        delivery: { deps: inMemoryDelivery(sinks), approvals: new StaticApprovals([]) },
        clock: () => fake,
        sleep: async (ms) => void (fake += ms),
        now: () => new Date(at),
      });
      const seconds = (performance.now() - t) / 1000;
      if (result.failures.length > 0) throw new Error(`reconcile bench: ${result.failures.map(String).join('; ')}`);
      const db = [...dynamoCalls.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${fmt(n)}`);
      const pages = (sinks.get('paging')?.notices.length ?? 0) + (sinks.get('change-log')?.notices.length ?? 0);
      rows.push({
        figure: `reconciliation of ${fmt(result.resources)} resources: ${label}`,
        value: `${seconds.toFixed(1)} s; ${requests} advanced-query requests (≥ ${requests} s at the default 1 request/s); ${result.findings.length} findings${result.posture ? `, posture of ${result.posture.findings.length} exposures` : ''}, ${pages} notices; DynamoDB: ${db.join(', ')}`,
        ...(label.startsWith('first')
          ? { target: '< 15 min (the function timeout)', pass: seconds + requests < 900 }
          : {}),
      });
    };
    await run('first run (seeds, one posture report)', day1, '2026-03-01T07:00:00Z');
    await run('next day, nothing changed', day1, '2026-03-02T07:00:00Z');
    await run(
      `then ${VPCS} groups opened, ${day1.length - day3.length} interfaces deleted`,
      day3,
      '2026-03-03T07:00:00Z',
    );
  } finally {
    await dynamo.close();
  }
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

Prints, from one run on this machine: the built command as a whole process (--version vs \`node -e 0\`, classify
of the console stream x12 vs a read-and-parse script), classify throughput vs bare JSON.parse over a large
CloudTrail stream, the pre-scan vs JSON.parse per record, log-file splitting, a backtest by the built command on one
thread and on worker threads, per-function bundle sizes, cold import of each bundle vs \`node -e 0\` (as deployed
with its source map, without, and with a deployed config), and warm per-record latency — with PASS/FAIL against the
targets.

  BENCH_MB=300           size of the generated input (console-sessions replicated; cached in .bench/)
  BENCH_REBUILD=1        regenerate the input
  BENCH_COLD_RUNS=15     interleaved spawn rounds for the cold-import medians
  BENCH_TREE_FILES=600   gzip log files (2,000 records each) in the backtest's log tree
  BENCH_CLI_RUNS=11      interleaved rounds of the whole-process classify (the built command vs a parse script)
  BENCH_ONLY=a,b         run some parts only: throughput, logfiles, backtest, bundles, cold, warm, cli, longline,
                         reconcile
`);
  process.exit(0);
}
const ONLY = new Set(
  (process.env['BENCH_ONLY'] ?? 'cli,throughput,logfiles,backtest,bundles,cold,warm,longline,reconcile')
    .split(',')
    .map((s) => s.trim()),
);
const PARTS = ['cli', 'throughput', 'logfiles', 'backtest', 'bundles', 'cold', 'warm', 'longline', 'reconcile'];
const unknown = [...ONLY].filter((p) => !PARTS.includes(p));
if (unknown.length > 0) {
  say(`BENCH_ONLY: unknown part(s) ${unknown.join(', ')}; known: ${PARTS.join(', ')}`);
  process.exit(2);
}
mkdirSync(CACHE, { recursive: true });
// The backtest part runs the built command too.
if (ONLY.has('cli')) await cliProcess();
else if (ONLY.has('backtest')) await buildCli();
if (ONLY.has('throughput')) await throughput();
if (ONLY.has('logfiles')) logFiles(consoleLines());
if (ONLY.has('backtest')) await backtestScaling(consoleLines());
if (ONLY.has('bundles') || ONLY.has('cold')) {
  const built = await bundles();
  if (ONLY.has('cold')) coldImports(built);
}
if (ONLY.has('warm')) await warmLatency();
if (ONLY.has('longline')) await longLine();
if (ONLY.has('reconcile')) await reconcileBench();
print();
