import type { DecodeLimits } from '../shared/1-ingest/envelope/decode-stream.ts';
import type { EnrichDeps } from '../shared/2-enrich/enrich.ts';
import type { RuleContext } from '../shared/model/rule.ts';
import type { InputRun } from './run-inputs.ts';

/**
 * Classify CLI inputs with the rule set, loading the pipeline (sources + rules) only when a command needs it: the
 * approvals commands, `route --findings` and `--help` start without it.
 */
export async function classifyWithRules(
  inputs: readonly string[],
  context: RuleContext,
  enrich?: EnrichDeps,
  options: { fast?: boolean; limits?: DecodeLimits } = {},
): Promise<InputRun> {
  const [{ RULES }, { classifyInputs }] = await Promise.all([import('../rules/index.ts'), import('./run-inputs.ts')]);
  return classifyInputs(inputs, { rules: RULES, context, ...(enrich ? { enrich } : {}) }, process.stderr, options);
}
