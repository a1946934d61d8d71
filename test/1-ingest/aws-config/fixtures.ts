import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { ChangeEvent } from '../../../shared/model/change.ts';
import type { Normalized } from '../../../shared/1-ingest/normalized.ts';
import { CORPUS_DIR as SHARED_CORPUS, HAS_CORPUS } from '../../support/corpus.ts';

/** Repo root, from this file's location (never a hard-coded path). */
const ROOT = new URL('../../../', import.meta.url);

/** A hand-built sample from events/config, cloned so a test can mutate it freely. */
export function sample(name: string): Record<string, unknown> {
  return structuredClone(
    JSON.parse(readFileSync(new URL(`events/config/${name}`, ROOT), 'utf8')) as Record<string, unknown>,
  );
}

/** The Config cases of the shared corpus (`../shared/corpus/config`), or undefined when it is not checked out. */
export const CORPUS_DIR: string | undefined = HAS_CORPUS ? join(SHARED_CORPUS, 'config') : undefined;

export interface CorpusCase {
  id: string;
  notification: unknown;
  expected: { risky: boolean; category: string };
}

export function corpusCases(): CorpusCase[] {
  if (CORPUS_DIR === undefined) return [];
  return readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(`${CORPUS_DIR}/${f}`, 'utf8')) as CorpusCase);
}

/** The single change a normalizer result must hold. */
export function onlyChange(result: Normalized): ChangeEvent {
  expect(result.kind).toBe('changes');
  if (result.kind !== 'changes') throw new Error('unreachable');
  expect(result.changes).toHaveLength(1);
  return result.changes[0]!;
}

/** Minimal path helper for building test items: `at(obj, 'configurationItem')`. */
export function at(value: Record<string, unknown>, key: string): Record<string, unknown> {
  return value[key] as Record<string, unknown>;
}
