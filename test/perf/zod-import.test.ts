import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/corpus.ts';

/**
 * `import { z } from 'zod'` pulls every zod locale into a bundle (≈290 KB minified); the namespace form does not. The
 * Lambda bundles stay under 400 KB only with the namespace form, so runtime code must not use the named one.
 */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

describe('bundle hygiene', () => {
  it('runtime code imports zod as a namespace', () => {
    const offenders = ['shared', 'functions', 'rules', 'cli']
      .flatMap((d) => sources(join(REPO_ROOT, d)))
      .filter((file) => /^import \{[^}]*\bz\b[^}]*\} from 'zod';/m.test(readFileSync(file, 'utf8')))
      .map((file) => relative(REPO_ROOT, file));
    expect(offenders).toEqual([]);
  });
});
