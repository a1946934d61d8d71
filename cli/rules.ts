/**
 * The rules the command runs, and nothing else of rules/index.ts: a module imported for one name lets the build leave
 * out the rules' cases (`RULE_CASES`, pure) and runbook texts, which a dynamic `import()` of rules/index.ts — whose
 * whole namespace the build must keep — would load with every `classify`.
 */
export { RULES } from '../rules/index.ts';
