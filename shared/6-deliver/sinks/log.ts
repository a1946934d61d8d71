import { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import type { DigestNotice, Notice } from '../../model/notice.ts';
import type { SinkDeps } from './deps.ts';
import type { Sink } from './sink.ts';

/** `{ type: log }`: structured log lines through the Powertools logger. */
export const logSettingsSchema = z.strictObject({ type: z.literal('log') });

export type LogSettings = z.output<typeof logSettingsSchema>;

/**
 * Writes each finding as one structured log line (CloudWatch Logs in Lambda). The deployable fallback when no
 * paging or change-management sink is configured: findings are never only in memory.
 */
export class LogSink implements Sink {
  readonly kind = 'log';
  constructor(
    readonly name: string,
    private readonly logger: Logger,
  ) {}
  async deliver(notice: Notice | DigestNotice): Promise<void> {
    this.logger.info(notice.kind, { sink: this.name, notice });
  }
}

export function createLogSink(name: string, _settings: LogSettings, deps: SinkDeps): LogSink {
  return new LogSink(name, deps.logger ?? new Logger({ serviceName: 'netwatch' }));
}
