import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, DESCRIPTIONS, describedPaths, renderConfigBlock } from '../../scripts/config-docs.ts';
import { blockNames, rewriteBlocks } from '../../scripts/doc-blocks.ts';

/** docs/configuration.md against the config schema (shared/config/schema.ts). */
const root = join(import.meta.dirname, '..', '..');
const read = (...path: string[]) => readFileSync(join(root, ...path), 'utf8');

describe('docs/configuration.md', () => {
  it('its key tables are what the schema generates (npm run generate:docs)', () => {
    // Prepare
    const doc = read('docs', 'configuration.md');
    // Act
    const rendered = rewriteBlocks(doc, 'docs/configuration.md', (name) => renderConfigBlock(name));
    // Assess
    expect(doc).toBe(rendered);
  });

  it('has a table for every top-level key of the schema, the sinks and the sync sources', () => {
    // Prepare
    const names = blockNames(read('docs', 'configuration.md'));
    // Act
    const keys = Object.keys(configJsonSchema().properties ?? {}).filter((k) => k !== 'version' && k !== 'sinks');
    // Assess
    expect(names).toEqual(
      expect.arrayContaining(['config: top-level keys', 'config: sinks', 'config: approvals.sync']),
    );
    for (const key of keys) expect(names).toContain(`config: ${key}`);
  });

  it('every key of the schema has a sentence, and every sentence is about a key the schema has', () => {
    // Act
    const paths = describedPaths();
    // Assess
    expect(paths.filter((p) => DESCRIPTIONS[p] === undefined)).toEqual([]);
    expect(Object.keys(DESCRIPTIONS).filter((p) => !paths.includes(p))).toEqual([]);
  });

  it('every setting of every sink kind is explained in sinks.md or change-management.md', () => {
    // Prepare
    const prose = read('docs', 'sinks.md') + read('docs', 'change-management.md');
    const sinks = renderConfigBlock('config: sinks') ?? '';
    // Act: the first column of each sink table (`key` or `retry.attempts`).
    const keys = new Set([...sinks.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => (m[1] ?? '').split('.').at(-1) ?? ''));
    // Assess
    expect(keys.size).toBeGreaterThan(20);
    expect([...keys].filter((key) => !prose.includes(`\`${key}\``))).toEqual([]);
  });
});
