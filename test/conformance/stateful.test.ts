import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { StateEngine } from '../../shared/3-state/engine.ts';
import { MemoryStateStore } from '../../shared/3-state/memory-store.ts';
import {
  classifyValue,
  classifyValueAsync,
  emptyClassified,
  judgeInOrder,
  mergeClassified,
} from '../../shared/4-classify/classify.ts';
import { decodeBytes } from '../../shared/1-ingest/envelope/decode.ts';
import { EMPTY_CONTEXT } from '../../shared/model/rule.ts';
import { isRisky } from '../../shared/model/severity.ts';
import { CORPUS_DIR, corpusAvailable, corpusInput, loadCorpus, CONSOLE_STREAM_PAGES } from '../support/corpus.ts';

/**
 * The conformance suite with kept state (issue 14): every labelled case judged by the stateful pipeline (a fresh state
 * per case, as a first sight of the resource), and the console stream judged in event-time order against one state
 * across all 8,170 records — the same verdicts and exactly the same four pages as the per-event judgement.
 */
const HAS_CORPUS = corpusAvailable('stateful conformance');

const fresh = () => ({
  rules: RULES,
  context: EMPTY_CONTEXT,
  state: new StateEngine({ store: new MemoryStateStore() }),
});

describe.skipIf(!HAS_CORPUS)('corpus conformance with kept state', () => {
  for (const c of loadCorpus().filter((c) => !c.expected.borderline)) {
    it(`${c.id}: ${c.expected.risky ? `risky ${c.expected.category}` : 'benign'}`, async () => {
      const result = await classifyValueAsync(corpusInput(c), { file: c.id }, fresh());
      expect(result.errors.map((e) => e.message)).toEqual([]);
      const risky = result.findings.filter((f) => isRisky(f.severity));
      if (c.expected.risky) expect(risky.map((f) => f.category)).toContain(c.expected.category);
      else expect(risky.map((f) => `${f.ruleId}: ${f.summary}`)).toEqual([]);
    });
  }
});

describe.skipIf(!HAS_CORPUS)('console-sessions stream with kept state, in event-time order', () => {
  it('yields exactly the four medium-or-higher findings its README lists', async () => {
    // Prepare
    const bytes = readFileSync(join(CORPUS_DIR, 'streams/console-sessions.jsonl.gz'));
    const total = emptyClassified();
    const deps = { ...fresh(), defer: true };
    // Act
    for (const decoded of decodeBytes(bytes, 'console-sessions.jsonl.gz')) {
      if (decoded.kind === 'error') throw decoded.error;
      mergeClassified(total, classifyValue(decoded.value, { file: decoded.file, line: decoded.line ?? 0 }, deps));
    }
    await judgeInOrder(total.pending, { ...deps, defer: false }, total);
    // Assess
    expect(total.records).toBe(8170);
    expect(total.errors.map((e) => e.message)).toEqual([]);
    const pages = total.findings.filter((f) => isRisky(f.severity)).map((f) => `${f.changeId} ${f.category}`);
    expect(pages.sort()).toEqual(CONSOLE_STREAM_PAGES);
    // Every change reached change management: findings cover every change judged.
    expect(new Set(total.findings.map((f) => f.changeId))).toEqual(new Set(total.changes.map((c) => c.id)));
  });
});
