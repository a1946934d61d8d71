import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliBuildOptions } from '../../scripts/build-cli.ts';
import { REPO_ROOT } from '../support/corpus.ts';

/**
 * One Node.js requirement, true everywhere (issue 18 item 7: the README said ≥ 20.18 while `npm ci` warned that dev
 * dependencies need more): package.json `engines` and the lock file, the CLI build target, and what every installed
 * package declares (the README and getting-started say the same: test/docs/readme.test.ts). A dependency that asks for more is listed here with the reason it still runs.
 */

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean; version?: string }>;
};

/** Installed packages whose `engines` exclude a floor, and why they work anyway (docs/getting-started.md says so too). */
const KNOWN: Record<string, string> = {
  // fauxqs → fastify → light-my-request → cookie 2 (ES module only): loaded with require(esm), which Node 20.19 has.
  'node_modules/cookie': '>=22',
};

type Version = [number, number, number];
/** `20`, `20.19`, `20.19.0`, `10.x`, `6.*`: missing or wildcard parts are 0. */
const parse = (v: string): Version => {
  const [a = 0, b = 0, c = 0] = v.split('.').map((x) => (/^\d+$/.test(x) ? Number(x) : 0));
  return [a, b, c];
};
const compare = (x: Version, y: Version): number => x[0] - y[0] || x[1] - y[1] || x[2] - y[2];

/** One comparator of a node-semver range, in the forms package.json `engines` use. */
function comparator(v: Version, c: string): boolean {
  if (c === '*' || c === '') return true;
  if (c.startsWith('>=')) return compare(v, parse(c.slice(2))) >= 0;
  if (c.startsWith('^')) {
    const r = parse(c.slice(1));
    return v[0] === r[0] && compare(v, r) >= 0;
  }
  if (/^\d+(\.(\d+|x|\*)){0,2}$/.test(c)) {
    const parts = c.split('.');
    // `20`, `20.x`: that major; `20.19.0`: exactly.
    return parts.length === 3 && parts.every((x) => /^\d+$/.test(x))
      ? compare(v, parse(c)) === 0
      : v[0] === parse(c)[0];
  }
  throw new Error(`unsupported engines comparator "${c}"`);
}

/** Does `version` satisfy a range (`a || b`, each a space-separated set of comparators that must all hold)? */
function satisfies(version: string, range: string): boolean {
  const v = parse(version);
  return range.split('||').some((set) =>
    set
      .trim()
      .replace(/>=\s+/g, '>=')
      .split(/\s+/)
      .every((c) => comparator(v, c)),
  );
}

describe('the Node.js version', () => {
  /** The lowest release of each allowed major (`^20.19.0 || >=22.13.0` → 20.19.0, 22.13.0). */
  const floors = pkg.engines.node.split('||').map((set) => /^\s*(?:\^|>=)(\d+\.\d+\.\d+)\s*$/.exec(set)?.[1]);

  it('package.json engines is a floor per major, and the lock file says the same', () => {
    expect(floors.length).toBeGreaterThan(0);
    for (const floor of floors) expect(floor).toMatch(/^\d+\.\d+\.\d+$/);
    expect(lock.packages['']?.engines).toEqual(pkg.engines);
  });

  it('every installed package accepts each floor (or is listed with the reason it runs anyway)', () => {
    // `engines` is an object; a few old packages wrote an array of strings, which npm ignores.
    const nodeRange = (p: (typeof lock.packages)[string]): string | undefined =>
      p.engines !== undefined && !Array.isArray(p.engines) ? p.engines.node : undefined;
    const refused = Object.entries(lock.packages)
      .filter(([path, p]) => path !== '' && !p.optional && nodeRange(p) !== undefined)
      .flatMap(([path, p]) =>
        floors
          .filter((floor) => !satisfies(floor ?? '0', nodeRange(p) ?? '*') && KNOWN[path] !== nodeRange(p))
          .map((floor) => `${path}@${p.version}: ${nodeRange(p)} refuses ${floor}`),
      );
    expect(refused).toEqual([]);
  });

  it('the CLI is built for the lowest floor', () => {
    const lowest = floors[0]?.split('.').slice(0, 2).join('.');
    expect(cliBuildOptions().target).toBe(`node${lowest}`);
  });
});
