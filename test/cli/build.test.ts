import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NETWATCH_BIN, netwatch } from '../support/cli.ts';
import { REPO_ROOT } from '../support/corpus.ts';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe('the built command (npm ci → prepare → dist/)', () => {
  it('npm ci builds what `bin` names, and the README commands run it', () => {
    // `npm ci` runs `prepare`; `npm start` and `npx netwatch` run the built file, not the sources.
    expect(pkg.scripts['prepare']).toBe('tsx scripts/build-cli.ts');
    expect(pkg.bin['netwatch']).toBe('dist/netwatch.js');
    expect(pkg.scripts['start']).toMatch(/^node dist\/netwatch\.js replay /);
    expect(readFileSync(NETWATCH_BIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('is plain JavaScript: tsx is a devDependency only and nothing built loads it or a .ts file', () => {
    expect(pkg.dependencies['tsx']).toBeUndefined();
    expect(pkg.devDependencies['tsx']).toBeDefined();
    const dist = dirname(NETWATCH_BIN);
    const built = readdirSync(dist).filter((f) => f.endsWith('.js'));
    expect(built).toEqual(expect.arrayContaining(['netwatch.js', 'backtest-worker.js']));
    for (const file of built) {
      const text = readFileSync(join(dist, file), 'utf8');
      expect(text, file).not.toMatch(/(?:from |import\()["'](?:tsx\b|[^"']+\.ts["'])/);
      // The backtest pool starts the compiled worker next to it (worker-boot.js is for runs from the sources).
      if (text.includes('new Worker(')) expect(text, file).toContain('"./backtest-worker.js"');
    }
  });

  it('prints its version, which is the package version', () => {
    const { code, stdout } = netwatch(['--version']);
    expect(code).toBe(0);
    expect(stdout).toBe(`netwatch ${pkg.version}\n`);
  });

  it('loads a command only when it runs: --version reads a few KB, classify neither delivery nor the YAML parser', () => {
    const dist = dirname(NETWATCH_BIN);
    /** The files a module loads before it runs: itself and its static imports, recursively. */
    const closure = (file: string, seen = new Set<string>()): Set<string> => {
      if (seen.has(file)) return seen;
      seen.add(file);
      for (const m of readFileSync(join(dist, file), 'utf8').matchAll(
        /^(?:import|export)\b[^;]*?from "\.\/([^"]+)";|^import "\.\/([^"]+)";/gm,
      ))
        closure((m[1] ?? m[2])!, seen);
      return seen;
    };
    const bytes = (files: Set<string>) => [...files].reduce((n, f) => n + readFileSync(join(dist, f)).length, 0);
    /** The source files built into these files (their source maps say). */
    const sources = (files: Set<string>) =>
      [...files].flatMap((f) =>
        existsSync(join(dist, `${f}.map`))
          ? (JSON.parse(readFileSync(join(dist, `${f}.map`), 'utf8')) as { sources: string[] }).sources
          : [],
      );
    const start = closure('netwatch.js');
    expect(bytes(start)).toBeLessThan(20_000);
    expect(sources(start).filter((s) => /rules\/|node_modules|shared\/(?!platform\/errors)/.test(s))).toEqual([]);
    const classify = /import\("\.\/(classify-[A-Z0-9]+\.js)"\)/.exec(readFileSync(NETWATCH_BIN, 'utf8'))?.[1];
    expect(classify).toBeDefined();
    const loaded = sources(closure(classify!));
    expect(loaded).toEqual(expect.arrayContaining([expect.stringMatching(/rules\/sg-open-world\.ts$/)]));
    expect(
      loaded.filter((s) => /node_modules\/(yaml|@aws-lambda-powertools)|shared\/6-deliver\/|2-enrich\/live/.test(s)),
    ).toEqual([]);
  });
});
