import { errorText, MalformedInputError } from '../../shared/platform/errors.ts';
import { emptyClassified, type ClassifyDeps, type LocatedChange } from '../../shared/4-classify/classify.ts';
import { classifyText } from '../../shared/4-classify/classify-text.ts';
import {
  decodeStreamBatches,
  type ByteChunks,
  type DecodeLimits,
} from '../../shared/1-ingest/envelope/decode-stream.ts';
import type { Finding } from '../../shared/model/finding.ts';
import { openUnit, unitName, type BacktestUnit } from './unit.ts';

/**
 * Classify one backtest unit (file or S3 object) as a stream and keep only what a backtest reports: the findings and
 * counts. Ignored records are counted, not kept — a month of an organisation's trail is millions of them.
 */

/** What one unit (or a whole source) produced. Plain data: it crosses the worker boundary by structured clone. */
export interface ScanResult {
  units: number;
  records: number;
  /** Records read but not classified (read-only, failed, unrelated calls). */
  ignored: number;
  changes: number;
  findings: Finding[];
  /**
   * With kept state (`deps.defer`): the changes read, not judged yet — the backtest judges all of them afterwards, in
   * event-time order, against one state (a worker cannot: the state spans every file).
   */
  pending: LocatedChange[];
  /** Error texts with their location (`file:line record #n at /path: message`). */
  errors: string[];
  /** Bytes read from the source (compressed size for gzip), for progress and ETA. */
  bytes: number;
}

/** Empty result, for accumulation. */
export function emptyScan(): ScanResult {
  return { units: 0, records: 0, ignored: 0, changes: 0, findings: [], pending: [], errors: [], bytes: 0 };
}

/** Fold `part` into `into`. */
export function mergeScan(into: ScanResult, part: ScanResult): ScanResult {
  into.units += part.units;
  into.records += part.records;
  into.ignored += part.ignored;
  into.changes += part.changes;
  into.bytes += part.bytes;
  for (const f of part.findings) into.findings.push(f);
  for (const p of part.pending) into.pending.push(p);
  for (const e of part.errors) into.errors.push(e);
  return into;
}

/** Progress callback: records and bytes done since the last call. */
export type OnProgress = (records: number, bytes: number) => void;

/** How often (records) a scan reports progress and drops its ignored list. */
const FLUSH_EVERY = 2_000;

/** Classify a byte stream named `name` (a unit, or stdin) into a {@link ScanResult}. */
export async function scanStream(
  chunks: ByteChunks,
  name: string,
  deps: ClassifyDeps,
  onProgress: OnProgress = () => undefined,
  fast = true,
  signal?: AbortSignal,
  limits: DecodeLimits = {},
): Promise<ScanResult> {
  const result: ScanResult = { ...emptyScan(), units: 1 };
  const counted = countBytes(chunks, (n) => {
    result.bytes += n;
    pendingBytes += n;
  });
  let pendingBytes = 0;
  const part = emptyClassified();
  let skipped = 0;
  const options = { fast, onSkip: (): void => void skipped++ };
  const flush = (): void => {
    result.records += part.records;
    result.ignored += part.ignored.length + skipped;
    skipped = 0;
    result.changes += part.changes.length;
    for (const f of part.findings) result.findings.push(f);
    for (const p of part.pending) result.pending.push(p);
    for (const e of part.errors) result.errors.push(errorText(e));
    onProgress(part.records, pendingBytes);
    pendingBytes = 0;
    part.records = 0;
    part.ignored.length = 0;
    part.changes.length = 0;
    part.findings.length = 0;
    part.pending.length = 0;
    part.errors.length = 0;
  };
  try {
    for await (const batch of decodeStreamBatches(counted, name, limits)) {
      for (const unit of batch) {
        if (unit.kind === 'error') part.errors.push(unit.error);
        else classifyText(unit, deps, part, options);
      }
      if (part.records >= FLUSH_EVERY) {
        flush();
        // Ctrl-C in a single big input: stop here, keep what was read.
        if (signal?.aborted) break;
      }
    }
  } catch (cause) {
    part.errors.push(
      new MalformedInputError(`cannot read input: ${(cause as Error).message}`, { file: name }, { cause }),
    );
  }
  flush();
  return result;
}

/** Open and classify one unit; a unit that cannot be opened is an error of that unit, not of the run. */
export async function scanUnit(
  unit: BacktestUnit,
  deps: ClassifyDeps,
  onProgress?: OnProgress,
  fast = true,
  signal?: AbortSignal,
  limits: DecodeLimits = {},
): Promise<ScanResult> {
  let chunks: ByteChunks;
  try {
    chunks = await openUnit(unit);
  } catch (cause) {
    return {
      ...emptyScan(),
      units: 1,
      errors: [
        new MalformedInputError(
          `cannot read input: ${errorText(cause)}`,
          { file: unitName(unit) },
          { cause },
        ).describe(),
      ],
    };
  }
  return scanStream(chunks, unitName(unit), deps, onProgress, fast, signal, limits);
}

async function* countBytes(chunks: ByteChunks, count: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    count(chunk.byteLength);
    yield chunk;
  }
}
