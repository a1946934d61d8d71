import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { classifyValue, emptyClassified, mergeClassified } from '../../shared/4-classify/classify.ts';
import { decodeBytes } from '../../shared/1-ingest/envelope/decode.ts';
import { EMPTY_CONTEXT } from '../../shared/model/rule.ts';
import { isRisky } from '../../shared/model/severity.ts';
import { CORPUS_DIR, corpusAvailable, CONSOLE_STREAM_PAGES } from '../support/corpus.ts';

const HAS_CORPUS = corpusAvailable('console-sessions stream');

describe.skipIf(!HAS_CORPUS)('console-sessions stream (8,170 real CloudTrail records)', () => {
  it('yields exactly the four medium-or-higher findings its README lists', () => {
    // Prepare
    const bytes = readFileSync(join(CORPUS_DIR, 'streams/console-sessions.jsonl.gz'));
    const total = emptyClassified();
    // Act
    for (const decoded of decodeBytes(bytes, 'console-sessions.jsonl.gz')) {
      if (decoded.kind === 'error') throw decoded.error;
      mergeClassified(
        total,
        classifyValue(
          decoded.value,
          { file: decoded.file, line: decoded.line ?? 0 },
          { rules: RULES, context: EMPTY_CONTEXT },
        ),
      );
    }
    // Assess
    expect(total.records).toBe(8170);
    expect(total.errors.map((e) => e.message)).toEqual([]);
    const pages = total.findings.filter((f) => isRisky(f.severity)).map((f) => `${f.changeId} ${f.category}`);
    expect(pages.sort()).toEqual(CONSOLE_STREAM_PAGES);
  });
});
