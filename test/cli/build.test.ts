import { readdirSync, readFileSync } from 'node:fs';
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
});
