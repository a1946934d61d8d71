import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The tree reads as the pipeline (docs/architecture.md): each folder of `shared/` is a layer, and a file may import
 * only its own layer and the layers listed before it. `rules/` sit on the foundations: a rule reads the change model
 * and the network helpers, never a stage, the config or AWS.
 */
const LAYERS = [
  'shared/platform/',
  'shared/model/',
  'shared/net/',
  'rules/',
  'shared/1-ingest/',
  'shared/2-enrich/',
  'shared/3-state/',
  'shared/4-classify/',
  'shared/5-decide/',
  'shared/6-deliver/',
  'shared/config/',
  'shared/lambda/',
] as const;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function layerOf(file: string): number {
  return LAYERS.findIndex((prefix) => file.startsWith(prefix));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)).replaceAll('\\', '/'));
}

/** Relative import specifiers of a file (static, dynamic and type-only imports, re-exports). */
function importsOf(text: string): string[] {
  return [...text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
}

describe('layers', () => {
  const files = [...sourceFiles('shared'), ...sourceFiles('rules')];

  it('every file of shared/ and rules/ sits in a known layer', () => {
    expect(files.filter((f) => layerOf(f) < 0)).toEqual([]);
  });

  it('no import climbs a layer', () => {
    const climbs: string[] = [];
    for (const file of files) {
      for (const spec of importsOf(readFileSync(join(ROOT, file), 'utf8'))) {
        const target = normalize(join(dirname(file), spec)).replaceAll('\\', '/');
        if (layerOf(target) > layerOf(file)) climbs.push(`${file} imports ${target}`);
      }
    }
    expect(climbs).toEqual([]);
  });

  it('the check can fail: an import from the foundations into a stage is reported', () => {
    const file = 'shared/model/change.ts';
    const target = normalize(join(dirname(file), '../4-classify/classify.ts')).replaceAll('\\', '/');
    expect(layerOf(target)).toBeGreaterThan(layerOf(file));
  });
});
