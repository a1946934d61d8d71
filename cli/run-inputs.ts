import type { DecodeLimits } from '../shared/1-ingest/envelope/decode-stream.ts';
import { emptyClassified, type Classified, type ClassifyDeps } from '../shared/4-classify/classify.ts';
import { classifyText, classifyTextAsync } from '../shared/4-classify/classify-text.ts';
import { MalformedInputError } from '../shared/platform/errors.ts';
import { expandInputs, readInputBatches } from './inputs.ts';
import { Progress } from './progress.ts';

/** Totals of one CLI run over its inputs. */
export interface InputRun extends Classified {
  files: number;
  /** Decoded JSON values (files, or lines of JSON Lines input). */
  values: number;
  seconds: number;
}

/**
 * Read every input and classify it with the shared pipeline. Errors (unreadable files, bad JSON, wrong shapes, rule
 * failures) are collected with their location; everything else is still processed.
 */
export async function classifyInputs(
  args: readonly string[],
  deps: ClassifyDeps,
  stderr: NodeJS.WriteStream = process.stderr,
  options: { fast?: boolean; limits?: DecodeLimits } = {},
): Promise<InputRun> {
  const fast = options.fast ?? true;
  const started = performance.now();
  const { files, errors } = await expandInputs(args);
  const result: InputRun = { ...emptyClassified(), files: files.length, values: 0, seconds: 0 };
  result.errors.push(...errors);
  const progress = new Progress(
    files.reduce((sum, f) => sum + f.size, 0),
    stderr,
  );
  for (const file of files) {
    let units = 0;
    for await (const batch of readInputBatches(file, options.limits)) {
      const before = result.records;
      units += batch.length;
      for (const unit of batch) {
        if (unit.kind === 'error') {
          result.errors.push(unit.error);
          continue;
        }
        // Enrichment does I/O per change: the async path (full parse). Otherwise the synchronous fast path.
        result.values += deps.enrich
          ? await classifyTextAsync(unit, deps, result)
          : classifyText(unit, deps, result, fast);
      }
      progress.tick(result.records - before);
    }
    // An empty input is said, not passed over in silence: a wrong file, a redirect that wrote nothing, a grep that
    // matched nothing.
    if (units === 0) result.errors.push(emptyInput(file.name));
    progress.fileDone(file.size);
  }
  progress.done();
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

/** The error of an input that held nothing but whitespace. */
export function emptyInput(name: string): MalformedInputError {
  return new MalformedInputError(
    name === '-' ? 'no records: standard input was empty' : 'no records: the file is empty',
    { file: name },
  );
}
