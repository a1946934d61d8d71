import { afterAll, describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { classifyValue } from '../../shared/4-classify/classify.ts';
import { EMPTY_CONTEXT } from '../../shared/model/rule.ts';
import { isRisky } from '../../shared/model/severity.ts';
import { corpusAvailable, corpusInput, loadCorpus, type CorpusCase } from '../support/corpus.ts';

/**
 * Conformance: every labelled case of ../shared/corpus. Risky ⇔ a finding at medium or above, and when risky that
 * finding carries the expected category. Borderline cases are reported, not required.
 */
const cases = loadCorpus();

interface Verdict {
  id: string;
  borderline: boolean;
  agrees: boolean;
  got: string;
  expected: string;
}
const verdicts: Verdict[] = [];

function judge(c: CorpusCase) {
  const result = classifyValue(corpusInput(c), { file: c.id }, { rules: RULES, context: EMPTY_CONTEXT });
  const risky = result.findings.filter((f) => isRisky(f.severity));
  const categories = [...new Set(risky.map((f) => f.category))];
  const agrees = c.expected.risky ? categories.includes(c.expected.category as never) : risky.length === 0;
  verdicts.push({
    id: c.id,
    borderline: Boolean(c.expected.borderline),
    agrees,
    got: risky.length ? risky.map((f) => `${f.severity} ${f.category}`).join(', ') : 'no medium+ finding',
    expected: c.expected.risky ? `risky ${c.expected.category}` : 'benign',
  });
  return { result, risky, categories, agrees };
}

describe.skipIf(!corpusAvailable('corpus conformance'))('corpus conformance', () => {
  it('has the cases the README describes', () => {
    expect(cases.length).toBeGreaterThanOrEqual(91);
  });

  for (const c of cases.filter((c) => !c.expected.borderline)) {
    it(`${c.id}: ${c.expected.risky ? `risky ${c.expected.category}` : 'benign'}`, () => {
      const { result, categories, risky } = judge(c);
      expect(result.errors.map((e) => e.message)).toEqual([]);
      if (c.expected.risky) expect(categories).toContain(c.expected.category);
      else expect(risky.map((f) => `${f.ruleId}: ${f.summary}`)).toEqual([]);
    });
  }

  it('reports borderline cases', () => {
    for (const c of cases.filter((c) => c.expected.borderline)) {
      const { result } = judge(c);
      expect(result.errors.map((e) => e.message)).toEqual([]);
    }
  });

  afterAll(() => {
    const strict = verdicts.filter((v) => !v.borderline);
    const border = verdicts.filter((v) => v.borderline);
    const lines = [
      `corpus agreement: ${strict.filter((v) => v.agrees).length}/${strict.length} non-borderline, ${border.filter((v) => v.agrees).length}/${border.length} borderline`,
      ...border.map(
        (v) => `  borderline ${v.agrees ? 'agree   ' : 'disagree'} ${v.id}: expected ${v.expected}, got ${v.got}`,
      ),
    ];
    console.log(lines.join('\n'));
  });
});
