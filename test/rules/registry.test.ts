import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RULE_CASES, RULES, RUNBOOKS } from '../../rules/index.ts';
import { isCategory } from '../../shared/model/category.ts';
import { RESOURCE_TYPES } from '../../shared/model/change.ts';
import { EXPOSURE_KINDS } from '../../shared/model/exposure.ts';
import { CLOUDTRAIL_API_CALLS } from '../../shared/1-ingest/cloudtrail/index.ts';

/**
 * The registry is an explicit list (no directory scan at runtime), so this test is what keeps it honest: every rule
 * file is listed, ids match file names, and every rule carries its own firing and non-firing examples.
 */
const RULES_DIR = fileURLToPath(new URL('../../rules/', import.meta.url));
const ruleFiles = readdirSync(RULES_DIR, { withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith('.ts') && e.name !== 'index.ts' && !e.name.endsWith('.test.ts'))
  .map((e) => e.name.replace(/\.ts$/, ''))
  .sort();

describe('rules registry', () => {
  it('lists every rule file exactly once, id == file name', async () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ruleFiles);
    expect([...RUNBOOKS.keys()].sort()).toEqual(ruleFiles);
    for (const file of ruleFiles) {
      const mod = (await import(`../../rules/${file}.ts`)) as {
        rule?: { id: string; whatToCheck: string };
        cases?: unknown;
      };
      expect(mod.rule?.id, `rules/${file}.ts must export \`rule\``).toBe(file);
      expect(RULES).toContain(mod.rule);
      expect(RULE_CASES.get(file), `rules/${file}.ts must export \`cases\`, listed in RULE_CASES`).toBe(mod.cases);
      expect(RUNBOOKS.get(file), `rules/${file}.ts's whatToCheck, listed in RUNBOOKS`).toBe(mod.rule?.whatToCheck);
    }
  });

  it('each exposure kind is graded by exactly one rule (it owns the episodes: their close records carry its id)', () => {
    for (const kind of EXPOSURE_KINDS)
      expect(
        RULES.filter((r) => r.exposureKinds?.includes(kind)).map((r) => r.id),
        kind,
      ).toHaveLength(1);
  });

  for (const rule of RULES) {
    describe(rule.id, () => {
      it('has complete metadata', () => {
        expect(isCategory(rule.category)).toBe(true);
        expect(rule.title.length).toBeGreaterThan(10);
        expect(rule.description.length).toBeGreaterThan(100);
        expect(rule.whatToCheck.length).toBeGreaterThan(40);
        expect(rule.deltaKinds.length).toBeGreaterThan(0);
        expect(rule.resourceTypes.length).toBeGreaterThan(0);
        for (const t of rule.resourceTypes) expect(t).toMatch(/^AWS::[A-Za-z0-9]*::[A-Za-z0-9]+$/);
        const known = new Set<string>(RESOURCE_TYPES);
        expect(rule.resourceTypes.some((t) => known.has(t))).toBe(true);
        for (const call of rule.apiCalls) {
          expect(call.source).toMatch(/^[a-z0-9-]+\.amazonaws\.com$/);
          expect(call.names.length).toBeGreaterThan(0);
          for (const n of call.names) expect(n).toMatch(/^[A-Z][A-Za-z0-9]+$/);
        }
      });

      it('declares only API calls the CloudTrail normalizer turns into changes (deploy patterns come from these)', () => {
        const handled = new Set(CLOUDTRAIL_API_CALLS.flatMap((c) => c.names.map((n) => `${c.source} ${n}`)));
        const declared = rule.apiCalls.flatMap((c) => c.names.map((n) => `${c.source} ${n}`));
        expect(declared.filter((d) => !handled.has(d))).toEqual([]);
      });

      it('has at least one firing and one non-firing case, with unique names', () => {
        const cases = RULE_CASES.get(rule.id)?.() ?? [];
        expect(cases.some((c) => c.expect !== null)).toBe(true);
        expect(cases.some((c) => c.expect === null)).toBe(true);
        const names = cases.map((c) => c.name);
        expect(new Set(names).size).toBe(names.length);
      });
    });
  }
});
