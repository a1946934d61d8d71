import type { Logger } from '@aws-lambda-powertools/logger';
import type { DigestNotice, Notice } from '../model/notice.ts';
import type { Sink } from './sink.ts';

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
