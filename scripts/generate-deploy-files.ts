/**
 * Writes the generated deploy files from the rules (`npm run generate:deploy`): deploy/event-patterns.json and
 * deploy/member-account.yml. Tests fail when either is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderEventPatterns } from '../deploy/event-patterns.ts';
import { renderMemberAccountTemplate } from '../deploy/member-account.ts';
import { RULES } from '../rules/index.ts';

for (const [file, text] of [
  ['event-patterns.json', renderEventPatterns(RULES)],
  ['member-account.yml', renderMemberAccountTemplate(RULES)],
] as const) {
  const target = fileURLToPath(new URL(`../deploy/${file}`, import.meta.url));
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
