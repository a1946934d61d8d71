import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * package.json stays honest: every runtime dependency is used by the product (the functions, the CLI, the stack),
 * the AWS SDK clients move together at one version (one @aws-sdk/core and @smithy/* tree), and tooling is dev-only.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|js|cjs)$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** Package names the code imports or requires (`import … from 'x'`, `import('x')`, `require('x')`, `load('x')`). */
function packagesUsed(files: readonly string[]): Set<string> {
  const used = new Set<string>();
  for (const file of files) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const m of text.matchAll(/(?:\bfrom\s+|\b(?:import|require|load)\s*\(\s*)'((?:@[\w.-]+\/)?[\w.-]+)[^']*'/g))
      used.add(m[1]!);
  }
  return used;
}

describe('dependencies', () => {
  it('every runtime dependency is used by the functions, the CLI or the stack', () => {
    const used = packagesUsed(['shared', 'functions', 'cli', 'rules', 'deploy'].flatMap(sources));
    expect(Object.keys(pkg.dependencies).filter((d) => !used.has(d))).toEqual([]);
  });

  it('the AWS SDK clients are pinned to one version', () => {
    const versions = new Set(
      Object.entries(pkg.dependencies)
        .filter(([name]) => name.startsWith('@aws-sdk/'))
        .map(([, version]) => version),
    );
    expect([...versions]).toHaveLength(1);
    expect([...versions][0]).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('tooling is never a runtime dependency', () => {
    for (const tool of ['tsx', 'esbuild', 'typescript', 'vitest', 'osls', '@biomejs/biome'])
      expect(Object.keys(pkg.dependencies), tool).not.toContain(tool);
  });
});
