import { describe, expect, it } from 'vitest';
import { RULE_CASES, RULES } from '../../rules/index.ts';
import type { ChangeEvent } from '../../shared/model/change.ts';
import type { FindingDraft } from '../../shared/model/finding.ts';
import { EMPTY_CONTEXT, type Rule, type RuleCase } from '../../shared/model/rule.ts';
import { maxSeverity, type Severity } from '../../shared/model/severity.ts';

/**
 * Runs every rule's own cases. `expect: null` means the rule produces NO finding at all (not even info);
 * otherwise the highest severity it produces must equal `expect` exactly. Cases run with an empty context
 * (context-dependent behaviour is tested in context.test.ts).
 */
function highest(findings: FindingDraft[]): Severity | null {
  return findings.length ? maxSeverity(...findings.map((f) => f.severity)) : null;
}

/** Every finding is readable and points at deltas of the change it came from. */
function assertWellFormed(findings: FindingDraft[], change: ChangeEvent): void {
  for (const f of findings) {
    expect(f.summary.trim().length).toBeGreaterThan(10);
    expect(f.summary).not.toMatch(/\n|undefined|\[object Object\]/);
    expect(f.why.length).toBeGreaterThan(0);
    for (const w of f.why) expect(w.trim().length).toBeGreaterThan(0);
    expect(f.evidence.length).toBeGreaterThan(0);
    for (const e of f.evidence) expect(change.deltas).toContain(e);
  }
}

/** A rule's cases, from the rule file's own `cases()` export. */
function casesOf(rule: Rule): RuleCase[] {
  const cases = RULE_CASES.get(rule.id);
  if (cases === undefined) throw new Error(`rules/${rule.id}.ts: no cases() in RULE_CASES`);
  return cases();
}

for (const rule of RULES) {
  describe(rule.id, () => {
    for (const c of casesOf(rule)) {
      it(`${c.name} -> ${c.expect ?? 'no finding'}`, () => {
        const before = structuredClone(c.change);
        const findings = rule.classify(c.change, EMPTY_CONTEXT);
        expect(highest(findings), findings.map((f) => `${f.severity}: ${f.summary}`).join('\n')).toBe(c.expect);
        if (c.expect === null) expect(findings).toEqual([]);
        assertWellFormed(findings, c.change);
        expect(c.change, 'classify must not mutate its input').toEqual(before);
      });
    }

    it('is deterministic', () => {
      for (const c of casesOf(rule))
        expect(rule.classify(c.change, EMPTY_CONTEXT)).toEqual(rule.classify(c.change, EMPTY_CONTEXT));
    });
  });
}
