import type { InputLocation } from '../platform/errors.ts';
import { concatenatedValues, decodeText } from '../1-ingest/envelope/decode.ts';
import { parseLineValues, type DecodedText } from '../1-ingest/envelope/decode-stream.ts';
import { splitConcatenated, splitRecordsArray } from '../1-ingest/envelope/records-split.ts';
import { unwrapRecordsEntry } from '../1-ingest/envelope/unwrap.ts';
import { canSkipRecord } from '../1-ingest/cloudtrail/prescan.ts';
import {
  classifyPayload,
  classifyValue,
  classifyValueAsync,
  emptyClassified,
  mergeClassified,
  type Classified,
  type ClassifyDeps,
} from './classify.ts';

/**
 * The classify hot path over text: JSON Lines lines and whole documents as {@link decodeStreamText} hands them out.
 * With `fast` on, each CloudTrail record's text is pre-scanned ({@link canSkipRecord}) and only records some rule
 * could read are JSON-parsed; a log file `{"Records":[…]}` is split into record texts ({@link splitRecordsArray})
 * instead of being parsed whole. Findings, changes and errors are the same as the full path's (test/perf/
 * fast-path.test.ts compares both over the corpus and the console stream); only the `reason` of a skipped record
 * differs, since the scan does not read why a call is uninteresting.
 */

/** Text units the classifier takes (errors are handled by the caller, which knows how it reports them). */
export type TextUnit = Exclude<DecodedText, { kind: 'error' }>;

/**
 * Classify one text unit into `into` (appending, so a caller can stream many units into one result and flush it).
 * Returns how many JSON values it read (for `--stats`).
 */
export function classifyText(
  unit: TextUnit,
  deps: ClassifyDeps,
  into: Classified,
  fast: boolean | TextOptions = true,
): number {
  const options = typeof fast === 'boolean' ? (fast ? FAST : FULL) : fast;
  if (options.fast && unit.kind === 'line' && canSkipRecord(unit.text)) {
    skipped(into, options, { file: unit.file, line: unit.line });
    return 1;
  }
  if (options.fast && unit.kind === 'document' && !unit.truncated) {
    if (classifyLogFile(unit.text, unit.file, deps, into, options)) return 1;
    // Log files back to back (`zcat *.json.gz | netwatch classify -`): each log file through the fast path; the
    // other documents (and broken ones, with their place in the sequence) the normal way.
    const parts = splitConcatenated(unit.text);
    if (parts !== undefined && parts.tail === undefined) {
      const rest = new Set<number>();
      parts.spans.forEach(([start, end], k) => {
        if (!classifyLogFile(unit.text.slice(start, end), unit.file, deps, into, options)) rest.add(k);
      });
      let values = parts.spans.length - rest.size;
      for (const decoded of concatenatedValues(unit.text, parts, unit.file, false, (k) => rest.has(k))) {
        values += 1;
        if (decoded.kind === 'error') into.errors.push(decoded.error);
        else mergeClassified(into, classifyValue(decoded.value, { file: decoded.file }, deps));
      }
      return values;
    }
  }
  let values = 0;
  for (const { value, where } of valuesOf(unit, into)) {
    values += 1;
    mergeClassified(into, classifyValue(value, where, deps));
  }
  return values;
}

/**
 * {@link classifyText} for enrichment (`deps.enrich`): every value is parsed and classified with
 * {@link classifyValueAsync}, which does the AWS look-ups between normalize and evaluate. No pre-scan: enrichment
 * serves the few Config changes, not the CloudTrail firehose.
 */
export async function classifyTextAsync(unit: TextUnit, deps: ClassifyDeps, into: Classified): Promise<number> {
  let values = 0;
  for (const { value, where } of valuesOf(unit, into)) {
    values += 1;
    mergeClassified(into, await classifyValueAsync(value, where, deps));
  }
  return values;
}

/** The JSON values of a text unit with their locations; parse errors go to `into.errors`. */
function* valuesOf(unit: TextUnit, into: Classified): Generator<{ value: unknown; where: InputLocation }> {
  const decodedAll = unit.kind === 'line' ? parseLineValues(unit) : decodeText(unit.text, unit.file, unit.truncated);
  for (const decoded of decodedAll) {
    if (decoded === undefined) continue;
    if (decoded.kind === 'error') {
      into.errors.push(decoded.error);
      continue;
    }
    yield {
      value: decoded.value,
      where: decoded.line === undefined ? { file: decoded.file } : { file: decoded.file, line: decoded.line },
    };
  }
}

/**
 * A log file, record by record. Returns false (having added nothing) when the text is not a plain Records array or a
 * candidate record does not parse: the caller then reads the file the normal way, so a broken file is reported
 * exactly as before.
 */
function classifyLogFile(
  text: string,
  file: string,
  deps: ClassifyDeps,
  into: Classified,
  options: TextOptions,
): boolean {
  const spans = splitRecordsArray(text);
  if (spans === undefined) return false;
  const part = emptyClassified();
  const where: InputLocation = { file };
  for (let i = 0; i < spans.length; i++) {
    const [start, end] = spans[i]!;
    const entry = text.slice(start, end);
    if (canSkipRecord(entry)) {
      skipped(part, options, { file, path: `/Records/${i}`, record: i });
      continue;
    }
    let record: unknown;
    try {
      record = JSON.parse(entry);
    } catch {
      return false;
    }
    for (const payload of unwrapRecordsEntry(record, i, where)) classifyPayload(payload, deps, part);
  }
  mergeClassified(into, part);
  return true;
}

/** One reason for every skipped record: building a per-record text would cost more than the scan saved. */
export const SKIPPED_REASON = 'no rule reads this call (skipped by the pre-scan before parsing)';

function skipped(into: Classified, options: TextOptions, where: InputLocation): void {
  into.records += 1;
  if (options.onSkip) options.onSkip();
  else into.ignored.push({ reason: SKIPPED_REASON, where });
}

/** How {@link classifyText} runs. */
export interface TextOptions {
  /** Pre-scan and skip records no rule reads (default true). */
  fast: boolean;
  /**
   * Count skipped records through this callback instead of listing them in `ignored` (a backtest only counts them;
   * a list of millions of locations is memory and garbage for nothing).
   */
  onSkip?: () => void;
}

const FAST: TextOptions = { fast: true };
const FULL: TextOptions = { fast: false };
