import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULE_CASES, RULES } from '../../rules/index.ts';
import { renderRuleCatalogue } from '../../scripts/rule-catalogue.ts';
import { REPO_ROOT } from '../support/corpus.ts';

const casesOf = (id: string) => RULE_CASES.get(id)?.() ?? [];

describe('docs/rules.md, the rule catalogue', () => {
  it('is what the rules generate (npm run generate:docs)', () => {
    expect(readFileSync(join(REPO_ROOT, 'docs', 'rules.md'), 'utf8')).toBe(renderRuleCatalogue(RULES, casesOf));
  });

  it('names every rule with its title, severities, API calls and resource types', () => {
    const text = renderRuleCatalogue(RULES, casesOf);
    for (const rule of RULES) {
      const section = text.slice(text.indexOf(`## ${rule.id}\n`));
      expect(section, rule.id).toContain(`**${rule.title}**`);
      expect(section, rule.id).toContain(rule.whatToCheck);
      for (const call of rule.apiCalls) expect(section, rule.id).toContain(call.names.join(', '));
      for (const type of rule.resourceTypes) expect(section, rule.id).toContain(`\`${type}\``);
      for (const c of casesOf(rule.id)) expect(section, rule.id).toContain(`${c.expect ?? 'does not fire'}: `);
    }
  });
});
