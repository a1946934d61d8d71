import { MalformedInputError, NetwatchError, type InputLocation } from '../platform/errors.ts';
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

/** An input that was read correctly and deliberately not classified (read-only call, failed call, other service). */
export interface Ignored {
  reason: string;
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
}

/** Dependencies of classification, built once (cold start / CLI start). */
export interface ClassifyDeps {
  rules: readonly Rule[];
  context: RuleContext;
  /** AWS look-ups between normalize and evaluate ({@link classifyValueAsync} only); absent = offline. */
  enrich?: EnrichDeps;
}

/** Empty result, for accumulation. */
export function emptyClassified(): Classified {
  return { records: 0, changes: [], findings: [], ignored: [], errors: [] };
}

/** Append `part` into `into` (no copies of the big arrays). */
export function mergeClassified(into: Classified, part: Classified): Classified {
  into.records += part.records;
  for (const c of part.changes) into.changes.push(c);
  for (const f of part.findings) into.findings.push(f);
  for (const i of part.ignored) into.ignored.push(i);
  for (const e of part.errors) into.errors.push(e);
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
  if (deps.enrich === undefined) return classifyValue(value, where, deps);
  const enrichDeps = deps.enrich;
  const result = emptyClassified();
  const pending: Array<{ change: Promise<ChangeEvent>; where: InputLocation }> = [];
  for (const payload of unwrap(value, where)) {
    const at = payload.kind === 'error' ? where : payload.where;
    for (const change of normalizePayload(payload, result))
      pending.push({ change: enrich(change, enrichDeps), where: at });
  }
  for (const { change, where: at } of pending) judgeChange(await change, at, deps, result);
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

/** Rules, then context-aware severity (adjust.ts), for one change. */
function judgeChange(change: ChangeEvent, where: InputLocation, deps: ClassifyDeps, result: Classified): void {
  result.changes.push(change);
  const { findings, errors } = evaluate(change, deps.rules, deps.context, where);
  for (const f of findings) result.findings.push(adjust(f, change, deps.context));
  for (const e of errors) result.errors.push(e);
}
