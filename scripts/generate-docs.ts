/**
 * Writes the generated documentation (`npm run generate:docs`): docs/rules.md, the rule catalogue, from RULES and
 * each rule's cases. test/rules/catalogue.test.ts fails while it is stale.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RULE_CASES, RULES } from '../rules/index.ts';
import { renderRuleCatalogue } from './rule-catalogue.ts';

const target = fileURLToPath(new URL('../docs/rules.md', import.meta.url));
mkdirSync(fileURLToPath(new URL('../docs/', import.meta.url)), { recursive: true });
writeFileSync(
  target,
  renderRuleCatalogue(RULES, (id) => RULE_CASES.get(id)?.() ?? []),
);
console.log(`wrote ${target}`);
