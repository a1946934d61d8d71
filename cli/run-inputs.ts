import { emptyClassified, classifyValueAsync, mergeClassified, type Classified, type ClassifyDeps } from '../shared/engine/classify.ts';
import { expandInputs, readInput } from './inputs.ts';
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
export async function classifyInputs(args: readonly string[], deps: ClassifyDeps, stderr: NodeJS.WriteStream = process.stderr): Promise<InputRun> {
  const started = performance.now();
  const { files, errors } = await expandInputs(args);
  const result: InputRun = { ...emptyClassified(), files: files.length, values: 0, seconds: 0 };
  result.errors.push(...errors);
  const progress = new Progress(files.reduce((sum, f) => sum + f.size, 0), stderr);
  for (const file of files) {
    for await (const decoded of readInput(file)) {
      if (decoded.kind === 'error') {
        result.errors.push(decoded.error);
        continue;
      }
      const where = decoded.line === undefined ? { file: decoded.file } : { file: decoded.file, line: decoded.line };
      const part = await classifyValueAsync(decoded.value, where, deps);
      result.values += 1;
      progress.tick(part.records);
      mergeClassified(result, part);
    }
    progress.fileDone(file.size);
  }
  progress.done();
  result.seconds = (performance.now() - started) / 1000;
  return result;
}
