/**
 * Writes the generated documentation (`npm run generate:docs`): docs/rules.md, the rule catalogue, from RULES and
 * each rule's cases; docs/parameters.md and the flow-log parameter table of docs/flow-logs.md from the deploy
 * parameters (deploy/stack/params.ts); schemas/change-record.schema.json, the change record's JSON Schema, from its zod
 * schema (shared/6-deliver/sinks/format/change-record-schema.ts); the generated blocks of docs/cli.md (each command's
 * `--help`, scripts/cli-docs.ts) and docs/configuration.md (the config schema's keys, scripts/config-docs.ts).
 * test/rules/catalogue.test.ts, test/deploy/params.test.ts, test/6-deliver/sinks/change-record.test.ts,
 * test/docs/cli.test.ts and test/docs/configuration.test.ts fail while one is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RULE_CASES, RULES } from '../rules/index.ts';
import { changeRecordJsonSchema } from '../shared/6-deliver/sinks/format/change-record-schema.ts';
import { renderCliDocs } from './cli-docs.ts';
import { renderConfigBlock } from './config-docs.ts';
import { rewriteBlocks } from './doc-blocks.ts';
import { renderFlowLogDocs, renderParameterDocs } from './parameter-docs.ts';
import { renderRuleCatalogue } from './rule-catalogue.ts';

const doc = (name: string) => fileURLToPath(new URL(`../docs/${name}`, import.meta.url));
for (const [target, text] of [
  [doc('rules.md'), renderRuleCatalogue(RULES, (id) => RULE_CASES.get(id)?.() ?? [])],
  [doc('parameters.md'), renderParameterDocs()],
  [doc('flow-logs.md'), renderFlowLogDocs(readFileSync(doc('flow-logs.md'), 'utf8'))],
  [fileURLToPath(new URL('../schemas/change-record.schema.json', import.meta.url)), changeRecordJsonSchema()],
  [doc('cli.md'), await renderCliDocs(readFileSync(doc('cli.md'), 'utf8'))],
  [
    doc('configuration.md'),
    rewriteBlocks(readFileSync(doc('configuration.md'), 'utf8'), 'docs/configuration.md', (name) =>
      renderConfigBlock(name),
    ),
  ],
] as const) {
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
