/** Writes deploy/event-patterns.json from the rules (`npm run generate:patterns`); a test fails when it is stale. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderEventPatterns } from '../deploy/event-patterns.ts';
import { RULES } from '../rules/index.ts';

const target = fileURLToPath(new URL('../deploy/event-patterns.json', import.meta.url));
writeFileSync(target, renderEventPatterns(RULES));
console.log(`wrote ${target}`);
