import type { DecodeLimits } from '../shared/1-ingest/envelope/decode-stream.ts';
import type { EnrichDeps } from '../shared/2-enrich/enrich.ts';
import type { StateLookup } from '../shared/2-enrich/state-lookup.ts';
import { StateEngine } from '../shared/3-state/engine.ts';
import { MemoryStateStore } from '../shared/3-state/memory-store.ts';
import type { StateStore } from '../shared/3-state/store.ts';
import { judgeInOrder } from '../shared/4-classify/classify.ts';
import type { RuleContext } from '../shared/model/rule.ts';
import { RULES } from './rules.ts';
import { classifyInputs, type InputRun } from './run-inputs.ts';

/** How the CLI keeps state across its input. */
export interface CliStateOptions {
  /** `off`: judge each change on its own deltas (the pre-state judgement). Default: kept (memory, or `store`). */
  state?: 'kept' | 'off';
  /** Where to keep it (default: memory). */
  store?: StateStore;
  lookup?: StateLookup;
}

/**
 * Classify CLI inputs with the rule set. The commands that run the pipeline (classify, replay, route, exposures) import
 * this; cli/main.ts loads a command only when it runs, so `--version`, `help`, `config` and `approvals` start without
 * the pipeline. (Static imports here: the build makes fewer, larger chunks of them than of `import()`s, and a process
 * loads each chunk as a file — ≈ 5 ms less for `classify`, `npm run bench`.)
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
  const deps = { rules: RULES, context, ...(enrich ? { enrich } : {}) };
  if (options.state === 'off') return classifyInputs(inputs, deps, process.stderr, options);
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
