/**
 * Builds the `netwatch` command into dist/ (`npm run build`; `npm ci` runs it through the `prepare` script), so the
 * command users run is plain JavaScript: no TypeScript compiler at run time.
 *
 * Why esbuild and not `tsc --rewriteRelativeImportExtensions` (both were measured, `npm run bench` rows on this
 * machine, node -e 0 = 50 ms): tsc emits one file per source module (≈180), and Node then loads those plus zod's
 * ≈95 ESM files one by one: `netwatch --version` took 190 ms (3.8×) and a whole-process classify of the console stream
 * ×12 took 0.45 s. One esbuild bundle with the dependencies inside loads as a few files: 90 ms (1.8×) and 0.35 s. The
 * bundle is split at the CLI's lazy imports (rules and the input pipeline, S3 and LookupEvents sources) so
 * `--version`, `help` and `approvals` do not load the rules.
 *
 * Outputs, flat in dist/ (the backtest pool finds its worker next to its own chunk, see cli/backtest/pool.ts):
 *  - netwatch.js        the command (package.json `bin`), from cli/netwatch.ts
 *  - backtest-worker.js the backtest worker thread, from cli/backtest/worker.ts
 *  - *-HASH.js          shared chunks; *.map source maps (stack traces in sources with `node --enable-source-maps`)
 *
 * `@aws-sdk/*` stays outside the bundle: the clients are large, loaded on first use (shared/platform/aws/sdk.ts) and
 * installed as dependencies, exactly as the Lambda bundles leave them to the runtime.
 */
import { renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Metafile } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the command is built (package.json `bin` points into it). */
export const DIST = join(ROOT, 'dist');

/** esbuild options of the CLI build (the bench builds the same way). */
export function cliBuildOptions(outdir: string = DIST): BuildOptions {
  return {
    absWorkingDir: ROOT,
    entryPoints: { netwatch: 'cli/netwatch.ts', 'backtest-worker': 'cli/backtest/worker.ts' },
    outdir,
    entryNames: '[name]',
    chunkNames: '[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    // package.json engines: node >= 20.19 (osls, vite and rolldown need it; test/architecture/node-version.test.ts).
    target: 'node20.19',
    mainFields: ['module', 'main'],
    // dynalite (a dev dependency, CommonJS with optional native parts) is loaded only by `netwatch sandbox`.
    external: ['@aws-sdk/*', 'dynalite'],
    sourcemap: 'linked',
    // Dependencies written in CommonJS (yaml's, Powertools Parameters behind a lazy require) need a require() in an
    // ES module bundle: https://github.com/evanw/esbuild/issues/1921 (the same banner as the Lambda bundles).
    banner: {
      js: "import { createRequire as __nwCreateRequire } from 'node:module'; const require = __nwCreateRequire(import.meta.url);",
    },
    metafile: true,
    logLevel: 'warning',
  };
}

/**
 * Build dist/ from scratch (no stale chunk of an earlier build is left beside the new ones): into a fresh directory
 * beside it, then swapped in, so a command started meanwhile finds either the old build or the new one.
 */
export async function buildCli(outdir: string = DIST): Promise<Metafile> {
  const fresh = `${outdir}.${process.pid}.tmp`;
  rmSync(fresh, { recursive: true, force: true });
  const result = await build(cliBuildOptions(fresh));
  rmSync(outdir, { recursive: true, force: true });
  renameSync(fresh, outdir);
  return result.metafile as Metafile;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const metafile = await buildCli();
  const files = Object.entries(metafile.outputs).filter(([name]) => name.endsWith('.js'));
  const bytes = files.reduce((sum, [, o]) => sum + o.bytes, 0);
  console.log(
    `built dist/ (${files.length} files, ${(bytes / 1024).toFixed(0)} KB) in ${(performance.now() - started).toFixed(0)} ms`,
  );
}
