/**
 * `tsx scripts/check-template.ts FILE...` — validate packaged CloudFormation templates (JSON, or YAML in long-form intrinsics — `Fn::GetAtt:` maps, not `!GetAtt` tags) offline against
 * the CloudFormation resource specification (deploy/check-template.ts). Prints resources and problems per file;
 * exits 1 when any file has a problem.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { checkTemplate } from '../deploy/check-template.ts';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: tsx scripts/check-template.ts TEMPLATE...');
  process.exit(64);
}
let failed = false;
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const template: unknown = file.endsWith('.json') ? JSON.parse(text) : parse(text);
  const { resources, problems } = await checkTemplate(template);
  console.log(`${file}: ${resources} resources, ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
  for (const p of problems) console.log(`  - ${p.where}: ${p.message}`);
  if (problems.length) failed = true;
}
process.exit(failed ? 1 : 0);
