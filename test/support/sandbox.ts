import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NETWATCH_BIN } from './cli.ts';
import { REPO_ROOT } from './corpus.ts';

/**
 * `netwatch sandbox` in its own process, as a user starts it (docs/sandbox.md), for tests that run commands against
 * it: what it printed so far, a wait for a line (event-driven: resolves when the output matches, no sleeps), the
 * environment its env.sh sets, and stop.
 */
export async function startSandbox() {
  const dir = mkdtempSync(join(tmpdir(), 'netwatch-sandbox-'));
  const child = spawn(process.execPath, [NETWATCH_BIN, 'sandbox', '--dir', dir], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1' },
  });
  let printed = '';
  const waiters: { pattern: RegExp; from: number; resolve: (text: string) => void }[] = [];
  const check = () => {
    for (const w of [...waiters])
      if (w.pattern.test(printed.slice(w.from))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(printed.slice(w.from));
      }
  };
  const append = (d: Buffer) => {
    printed += d.toString();
    check();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const sandbox = {
    dir,
    config: join(dir, 'netwatch.config.yml'),
    /** Everything printed so far. */
    printed: () => printed,
    /** Resolves with the output after `from` once it matches `pattern`. */
    printedLine(pattern: RegExp, from = 0): Promise<string> {
      return new Promise((resolve) => {
        waiters.push({ pattern, from, resolve });
        check();
      });
    },
    /** env.sh as a shell applies it: its `export K=V` lines. */
    env(): Record<string, string> {
      return Object.fromEntries(
        readFileSync(join(dir, 'env.sh'), 'utf8')
          .split('\n')
          .flatMap((l) => {
            const m = /^export ([A-Z_]+)=(.*)$/.exec(l);
            return m ? [[m[1] ?? '', m[2] ?? '']] : [];
          }),
      );
    },
    /** SIGTERM, and the exit code. */
    async stop(): Promise<number | null> {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  await Promise.race([
    sandbox.printedLine(/What arrives:/),
    exited.then((code) => {
      throw new Error(`netwatch sandbox exited (${code}) before it was ready:\n${printed}`);
    }),
  ]);
  return sandbox;
}

export type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
