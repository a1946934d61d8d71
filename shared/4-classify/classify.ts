import { MalformedInputError, NetwatchError, StateError, errorText, type InputLocation } from '../platform/errors.ts';
import { unwrap, type Payload } from '../1-ingest/envelope/unwrap.ts';
import type { ChangeEvent } from '../model/change.ts';
import type { Finding } from '../model/finding.ts';
import type { Rule, RuleContext } from '../model/rule.ts';
import { normalizeCloudTrailRecord } from '../1-ingest/cloudtrail/index.ts';
import { normalizeConfigMessage } from '../1-ingest/aws-config/index.ts';
import type { Normalized } from '../1-ingest/normalized.ts';
import { adjust } from './adjust.ts';
import type { EnrichDeps } from '../2-enrich/enrich.ts';
import { enrich } from '../2-enrich/enrich.ts';
import { evaluate } from './evaluate.ts';
import { lifecycleFindings } from './lifecycle.ts';
import type { StateEngine } from '../3-state/engine.ts';

/** An input that was read correctly and deliberately not classified (read-only call, failed call, other service). */
export interface Ignored {
  reason: string;
  where: InputLocation;
}

/** A change and where it was read (for errors of judging it later). */
export interface LocatedChange {
  change: ChangeEvent;
  where: InputLocation;
}

/** Everything one input value produced. Errors are values, not exceptions: the good parts are kept. */
export interface Classified {
  /** Payloads seen (CloudTrail records, Config messages, ignored events, malformed parts). */
  records: number;
  changes: ChangeEvent[];
  findings: Finding[];
  ignored: Ignored[];
  errors: NetwatchError[];
  /** Changes collected but not judged yet (`ClassifyDeps.defer`): judged later, in event-time order, with state. */
  pending: LocatedChange[];
}

/** Dependencies of classification, built once (cold start / CLI start). */
export interface ClassifyDeps {
  rules: readonly Rule[];
  context: RuleContext;
  /** AWS look-ups between normalize and evaluate ({@link classifyValueAsync} only); absent = offline. */
  enrich?: EnrichDeps;
  /**
   * Keep the network state (shared/3-state): each change is applied to it and judged against the state it leaves
   * ({@link classifyValueAsync}, {@link judgeInOrder}). Absent = every change is judged on its own deltas.
   */
  state?: StateEngine;
  /**
   * Collect the changes in `pending` instead of judging them: the CLI reads all its input first, then judges every
   * change in event-time order with state ({@link judgeInOrder}), as the deployed stack would have seen them.
   */
  defer?: boolean;
}

/** Empty result, for accumulation. */
export function emptyClassified(): Classified {
  return { records: 0, changes: [], findings: [], ignored: [], errors: [], pending: [] };
}

/** Append `part` into `into` (no copies of the big arrays). */
export function mergeClassified(into: Classified, part: Classified): Classified {
  into.records += part.records;
  for (const c of part.changes) into.changes.push(c);
  for (const f of part.findings) into.findings.push(f);
  for (const i of part.ignored) into.ignored.push(i);
  for (const e of part.errors) into.errors.push(e);
  for (const p of part.pending) into.pending.push(p);
  return into;
}

/**
 * The shared pipeline up to findings: envelope → payloads → normalized changes → rule findings. The CLI and every
 * Lambda handler call this same function, so an event gives the same answer whichever way it came.
 */
export function classifyValue(value: unknown, where: InputLocation, deps: ClassifyDeps): Classified {
  const result = emptyClassified();
  for (const payload of unwrap(value, where)) classifyPayload(payload, deps, result);
  return result;
}

/** Classify one unwrapped payload into `result`. */
export function classifyPayload(payload: Payload, deps: ClassifyDeps, result: Classified): void {
  const at = payload.kind === 'error' ? {} : payload.where;
  for (const change of normalizePayload(payload, result)) judgeChange(change, at, deps, result);
}

/**
 * {@link classifyValue} with enrichment (oversized items fetched, actors looked up) when `deps.enrich` is set: the
 * Lambda functions and `netwatch --enrich` / `--recorded-aws` use this. The changes of one value are enriched
 * concurrently; results keep input order.
 */
export async function classifyValueAsync(
  value: unknown,
  where: InputLocation,
  deps: ClassifyDeps,
): Promise<Classified> {
  if (deps.enrich === undefined && (deps.state === undefined || deps.defer)) return classifyValue(value, where, deps);
  const enrichDeps = deps.enrich;
  const result = emptyClassified();
  const pending: Array<{ change: Promise<ChangeEvent>; where: InputLocation }> = [];
  for (const payload of unwrap(value, where)) {
    const at = payload.kind === 'error' ? where : payload.where;
    for (const change of normalizePayload(payload, result))
      pending.push({ change: enrichDeps ? enrich(change, enrichDeps) : Promise.resolve(change), where: at });
  }
  for (const { change, where: at } of pending) {
    if (deps.state !== undefined && !deps.defer) await judgeStateful(await change, at, deps, result);
    else judgeChange(await change, at, deps, result);
  }
  return result;
}

/** Payload → normalized changes (errors and ignored payloads are recorded in `result`). */
function normalizePayload(payload: Payload, result: Classified): ChangeEvent[] {
  result.records += 1;
  if (payload.kind === 'error') {
    result.errors.push(payload.error);
    return [];
  }
  if (payload.kind === 'ignored') {
    result.ignored.push({ reason: payload.reason, where: payload.where });
    return [];
  }
  let normalized: Normalized;
  try {
    normalized =
      payload.kind === 'cloudtrail'
        ? normalizeCloudTrailRecord(payload.record, payload.where)
        : normalizeConfigMessage(payload.message, payload.where);
  } catch (cause) {
    result.errors.push(
      cause instanceof NetwatchError
        ? cause
        : new MalformedInputError(
            `could not read ${payload.kind} payload: ${(cause as Error)?.message ?? String(cause)}`,
            payload.where,
            { cause },
          ),
    );
    return [];
  }
  if (normalized.kind === 'ignored') {
    result.ignored.push({ reason: normalized.reason, where: payload.where });
    return [];
  }
  return normalized.changes;
}

/** Rules, then context-aware severity (adjust.ts), for one change (judged on its own deltas). */
function judgeChange(
  change: ChangeEvent,
  where: InputLocation,
  deps: ClassifyDeps,
  result: Classified,
  record = true,
): void {
  if (record) result.changes.push(change);
  if (deps.defer) {
    result.pending.push({ change, where });
    return;
  }
  const { findings, errors } = evaluate(change, deps.rules, deps.context, where);
  for (const f of findings) result.findings.push(adjust(f, change, deps.context, deps.rules));
  for (const e of errors) result.errors.push(e);
}

/**
 * Judge one change against the kept state (`deps.state`): apply it (shared/3-state), then rules on each judgement it
 * gives (its own, and those of groups and tables a prefix-list change moved), then the lifecycle records (closed
 * episodes, the record of a change no rule flagged), then context-aware severity. A state failure is an error of the
 * change (the record is retried): judging it without its state would grade the wrong exposure.
 */
export async function judgeStateful(
  change: ChangeEvent,
  where: InputLocation,
  deps: ClassifyDeps,
  result: Classified,
  record = true,
): Promise<ChangeEvent[]> {
  const engine = deps.state;
  if (engine === undefined) {
    judgeChange(change, where, { ...deps, defer: false }, result, record);
    return [change];
  }
  if (record) result.changes.push(change);
  let judged: ChangeEvent[];
  try {
    judged = await engine.judge(change);
  } catch (cause) {
    result.errors.push(
      cause instanceof NetwatchError
        ? cause
        : new StateError(`state step failed on change ${change.id}: ${errorText(cause)}`, where, { cause }),
    );
    return [];
  }
  for (const c of judged) {
    const { findings, errors } = evaluate(c, deps.rules, deps.context, where);
    for (const f of lifecycleFindings(c, findings, deps.rules))
      result.findings.push(adjust(f, c, deps.context, deps.rules));
    for (const e of errors) result.errors.push(e);
  }
  return judged;
}

/** Event-time order: time, then CloudTrail before Config (a Config item reports what the call did), then id. */
export function byEventTime(a: LocatedChange, b: LocatedChange): number {
  const ta = Date.parse(a.change.at) || 0;
  const tb = Date.parse(b.change.at) || 0;
  if (ta !== tb) return ta - tb;
  if (a.change.source !== b.change.source) return a.change.source === 'cloudtrail' ? -1 : 1;
  return a.change.id < b.change.id ? -1 : a.change.id > b.change.id ? 1 : 0;
}

/**
 * Judge collected changes in event-time order with state (the CLI after reading all its input): each resource then
 * sees its changes in the order they happened, whatever order the files were read in.
 */
export async function judgeInOrder(
  pending: readonly LocatedChange[],
  deps: ClassifyDeps,
  result: Classified,
  onProgress?: (done: number) => void,
  onJudged?: (judged: readonly ChangeEvent[]) => void,
): Promise<void> {
  const ordered = [...pending].sort(byEventTime);
  let done = 0;
  for (const { change, where } of ordered) {
    const judged = await judgeStateful(change, where, { ...deps, defer: false }, result, false);
    onJudged?.(judged);
    done += 1;
    if (onProgress && done % 1000 === 0) onProgress(done);
  }
}
