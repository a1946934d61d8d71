import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as z from 'zod';
import { DeliveryError } from '../../platform/errors.ts';
import type { DigestNotice, Notice } from '../../model/notice.ts';
import type { Sink } from './sink.ts';

/** `{ type: file, path: findings.jsonl }`: a local JSON Lines file (CLI runs, replays, backtests). */
export const fileSettingsSchema = z.strictObject({
  type: z.literal('file'),
  path: z.string().min(1),
});

export type FileSettings = z.output<typeof fileSettingsSchema>;

/**
 * Local JSON Lines sink: one line per notice (the finding with its approval verdict and routes), appended. Lines are buffered and written on `close` (and every
 * 500 findings) so a replay of thousands of records does not issue thousands of writes.
 */
export class FileSink implements Sink {
  readonly kind = 'file';
  private buffer: string[] = [];
  private ready: Promise<unknown> | undefined;
  constructor(
    readonly name: string,
    readonly path: string,
  ) {}

  async deliver(notice: Notice | DigestNotice): Promise<void> {
    this.buffer.push(
      JSON.stringify(
        notice.kind === 'finding'
          ? {
              ...notice.finding,
              approval: notice.approval,
              routes: notice.routes,
              ...(notice.traffic ? { traffic: notice.traffic } : {}),
            }
          : notice,
      ),
    );
    if (this.buffer.length >= 500) await this.flush();
  }

  async close(): Promise<void> {
    await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const text = `${this.buffer.join('\n')}\n`;
    this.buffer = [];
    try {
      this.ready ??= mkdir(dirname(this.path), { recursive: true });
      await this.ready;
      await appendFile(this.path, text, 'utf8');
    } catch (cause) {
      throw new DeliveryError(this.name, `cannot write ${this.path}: ${(cause as Error).message}`, {
        cause,
        retryable: false,
      });
    }
  }
}

export function createFileSink(name: string, settings: FileSettings): FileSink {
  return new FileSink(name, settings.path);
}
