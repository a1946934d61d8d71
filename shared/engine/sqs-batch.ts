import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { InvocationApprovalCache } from '../approvals/sources.ts';
import type { LambdaDeps } from '../deps.ts';
import { processSqsRecord } from './process-record.ts';

/**
 * The shared SQS batch handler body: each record runs through the pipeline on its own, and the response lists only the
 * failed records (`ReportBatchItemFailures`), so one bad record is retried / dead-lettered alone. Approvals are read
 * once per account per invocation (a fresh cache each invocation, so new tickets are seen within one batch).
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/features/batch/
 */
export function sqsBatchHandler(deps: LambdaDeps): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  return (event, context) => {
    const approvals = new InvocationApprovalCache(deps.approvals);
    const recordHandler = async (record: SQSRecord): Promise<void> => {
      try {
        const { classified, outcomes } = await processSqsRecord(record, deps, approvals);
        deps.metrics.addMetric('ChangesProcessed', MetricUnit.Count, classified.changes.length);
        deps.metrics.addMetric('Findings', MetricUnit.Count, classified.findings.length);
        deps.metrics.addMetric('Pages', MetricUnit.Count, outcomes.reduce((n, o) => n + o.delivered.filter((s) => o.decision.pageSinks.includes(s)).length, 0));
        deps.metrics.addMetric('Digested', MetricUnit.Count, outcomes.reduce((n, o) => n + o.digested.length, 0));
        for (const o of outcomes) {
          deps.logger.debug('delivered', { fingerprint: o.fingerprint, approval: o.approval.state, routes: o.decision.routes, delivered: o.delivered, already: o.alreadyDelivered, digested: o.digested });
        }
        if (classified.ignored.length) deps.logger.debug('ignored', { messageId: record.messageId, reasons: classified.ignored.map((i) => i.reason) });
      } catch (error) {
        deps.metrics.addMetric('RecordFailures', MetricUnit.Count, 1);
        deps.logger.error('record failed', { messageId: record.messageId, error: error as Error });
        throw error;
      }
    };
    return processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
  };
}
