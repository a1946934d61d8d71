/**
 * Writes the generated deploy files (`npm run generate:deploy`): deploy/event-patterns.json and
 * deploy/member-account.yml from the rules, and the parameter blocks of serverless.yml (`params.default`,
 * `custom.netwatch`) from deploy/stack/params.ts. Tests fail when any is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderEventPatterns } from '../deploy/event-patterns.ts';
import { renderMemberAccountTemplate } from '../deploy/member-account.ts';
import { renderServerlessParams } from '../deploy/serverless-params.ts';
import { RULES } from '../rules/index.ts';

const serverlessYml = fileURLToPath(new URL('../serverless.yml', import.meta.url));
for (const [target, text] of [
  [fileURLToPath(new URL('../deploy/event-patterns.json', import.meta.url)), renderEventPatterns(RULES)],
  [fileURLToPath(new URL('../deploy/member-account.yml', import.meta.url)), renderMemberAccountTemplate(RULES)],
  [serverlessYml, renderServerlessParams(readFileSync(serverlessYml, 'utf8'))],
] as const) {
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
