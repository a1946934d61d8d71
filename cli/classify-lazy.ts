import type { DecodeLimits } from '../shared/1-ingest/envelope/decode-stream.ts';
import type { EnrichDeps } from '../shared/2-enrich/enrich.ts';
import type { StateLookup } from '../shared/2-enrich/state-lookup.ts';
import type { StateEngine } from '../shared/3-state/engine.ts';
import type { StateStore } from '../shared/3-state/store.ts';
import type { RuleContext } from '../shared/model/rule.ts';
import type { InputRun } from './run-inputs.ts';

/** How the CLI keeps state across its input. */
export interface CliStateOptions {
  /** `off`: judge each change on its own deltas (the pre-state judgement). Default: kept (memory, or `store`). */
  state?: 'kept' | 'off';
  /** Where to keep it (default: memory). */
  store?: StateStore;
  lookup?: StateLookup;
}

/**
 * Classify CLI inputs with the rule set, loading the pipeline (sources + rules) only when a command needs it: the
 * approvals commands, `route --findings` and `--help` start without it.
 *
 * With state (the default), every input is read first and its changes are judged afterwards in event-time order
 * against one kept state (shared/3-state): a log file is judged as the deployed stack would have judged its events,
 * whatever order the files are given in. The engine is returned so `netwatch exposures` can read what stays open.
 */
export async function classifyWithRules(
  inputs: readonly string[],
  context: RuleContext,
  enrich?: EnrichDeps,
  options: { fast?: boolean; limits?: DecodeLimits } & CliStateOptions = {},
): Promise<InputRun & { engine?: StateEngine }> {
  const [{ RULES }, { classifyInputs }] = await Promise.all([import('../rules/index.ts'), import('./run-inputs.ts')]);
  const deps = { rules: RULES, context, ...(enrich ? { enrich } : {}) };
  if (options.state === 'off') return classifyInputs(inputs, deps, process.stderr, options);
  const [{ StateEngine }, { MemoryStateStore }, { judgeInOrder }] = await Promise.all([
    import('../shared/3-state/engine.ts'),
    import('../shared/3-state/memory-store.ts'),
    import('../shared/4-classify/classify.ts'),
  ]);
  const engine = new StateEngine({
    store: options.store ?? new MemoryStateStore(),
    knownAccounts: context.knownAccounts,
    ...(options.lookup ? { lookup: options.lookup } : {}),
  });
  const run = await classifyInputs(inputs, { ...deps, defer: true }, process.stderr, options);
  const started = performance.now();
  await judgeInOrder(run.pending, { ...deps, state: engine }, run);
  run.pending.length = 0;
  run.seconds += (performance.now() - started) / 1000;
  return { ...run, engine };
}
