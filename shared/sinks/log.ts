import type { Logger } from '@aws-lambda-powertools/logger';
import type { Finding } from '../model/finding.ts';
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
  async deliver(finding: Finding): Promise<void> {
    this.logger.info('finding', { sink: this.name, finding });
  }
}
