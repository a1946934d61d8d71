import { readFileSync } from 'node:fs';
import { CORPUS_DIR } from '../../support/corpus.ts';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { ChangeEvent, NetworkDelta } from '../../../shared/model/change.ts';
import { MalformedInputError } from '../../../shared/platform/errors.ts';
import type { Normalized } from '../../../shared/1-ingest/normalized.ts';
import { normalizeCloudTrailRecord } from '../../../shared/1-ingest/cloudtrail/index.ts';

/** Test helpers for the CloudTrail normalizer: sample records, the shared corpus, and result narrowing. */

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../../..');
const SAMPLES_DIR = path.join(repoRoot, 'events', 'cloudtrail');
/** The labelled corpus lives next to the repository (../shared/corpus), not inside it. */
export { CORPUS_DIR };

/** A fresh copy of events/cloudtrail/<name>.json, safe to mutate. */
export function sample(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(SAMPLES_DIR, `${name}.json`), 'utf8')) as Record<string, unknown>;
}

/** The CloudTrail record (`event`) of a corpus case. */
export function corpusEvent(id: string): Record<string, unknown> {
  const doc = JSON.parse(readFileSync(path.join(CORPUS_DIR, 'cloudtrail', `${id}.json`), 'utf8')) as {
    event: Record<string, unknown>;
  };
  return doc.event;
}

export function normalize(record: unknown): Normalized {
  return normalizeCloudTrailRecord(record, { file: 'test.json', record: 0 });
}

/** The changes of a result, failing the test if it was ignored. */
export function changesOf(result: Normalized): ChangeEvent[] {
  if (result.kind !== 'changes') throw new Error(`expected changes, got ignored: ${result.reason}`);
  return result.changes;
}

/** The single change of a result. */
export function onlyChange(result: Normalized): ChangeEvent {
  const list = changesOf(result);
  expect(list).toHaveLength(1);
  return list[0]!;
}

/** The deltas of one kind in a change (typed). */
export function deltasOf<K extends NetworkDelta['kind']>(
  change: ChangeEvent,
  kind: K,
): Extract<NetworkDelta, { kind: K }>[] {
  return change.deltas.filter((d): d is Extract<NetworkDelta, { kind: K }> => d.kind === kind);
}

/** The reason a result was ignored, failing the test if it produced changes. */
export function ignoredReason(result: Normalized): string {
  if (result.kind !== 'ignored') throw new Error(`expected ignored, got ${result.changes.length} change(s)`);
  return result.reason;
}

/** The MalformedInputError normalizing `record` throws (fails the test if it does not throw one). */
export function malformed(record: unknown): MalformedInputError {
  try {
    normalize(record);
  } catch (error) {
    if (error instanceof MalformedInputError) return error;
    throw error;
  }
  throw new Error('expected a MalformedInputError, normalization succeeded');
}

/** `record.requestParameters` as a mutable object (for building variants of a sample). */
export function params(record: Record<string, unknown>): Record<string, unknown> {
  return record['requestParameters'] as Record<string, unknown>;
}
