import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MalformedInputError } from '../../shared/platform/errors.ts';
import { wantedLogPath, type DayWindow } from './layout.ts';
import type { BacktestUnit } from './unit.ts';

/**
 * Local inputs: files as given, directories walked (a copy of a trail bucket, `aws s3 sync s3://trail/AWSLogs .`),
 * sorted so a run is repeatable and days come in order.
 */
export async function localUnits(
  args: readonly string[],
  window: DayWindow = {},
): Promise<{ units: BacktestUnit[]; errors: string[] }> {
  const units: BacktestUnit[] = [];
  const errors: string[] = [];
  for (const arg of args) {
    try {
      const info = await stat(arg);
      if (info.isDirectory()) await walk(arg, window, units);
      else units.push({ kind: 'file', path: arg, size: info.size });
    } catch (cause) {
      const text =
        (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (cause as Error).message;
      errors.push(new MalformedInputError(`cannot read input: ${text}`, { file: arg }, { cause }).describe());
    }
  }
  return { units, errors };
}

async function walk(dir: string, window: DayWindow, out: BacktestUnit[]): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'CloudTrail-Digest') await walk(path, window, out);
    } else if (entry.isFile() && wantedLogPath(path, window)) {
      out.push({ kind: 'file', path, size: (await stat(path)).size });
    }
  }
}
