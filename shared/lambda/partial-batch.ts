import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { ApprovalSource } from '../5-decide/approvals/model.ts';
import { InvocationApprovalCache } from '../5-decide/approvals/providers.ts';
import type { InvocationDeadline } from '../platform/deadline.ts';

/**
 * An SQS batch handler with partial batch responses: `perInvocation` is called once per invocation (to set up what the
 * invocation shares: the deadline, an approvals cache) and returns the handler of one record; a record whose handler
 * throws is listed in `batchItemFailures` (`ReportBatchItemFailures`) and retried / dead-lettered alone, and a batch
 * in which every record failed is reported the same way, not thrown. The ingest, evidence and respond functions use it.
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/features/batch/
 */
export function partialBatchHandler(
  perInvocation: (context: Context) => (record: SQSRecord) => Promise<void>,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  return (event, context) =>
    processPartialResponse(event, perInvocation(context), processor, { context, throwOnFullBatchFailure: false });
}

/**
 * {@link partialBatchHandler} for the functions that deliver (ingest, evidence): each invocation starts the delivery
 * deadline from the time Lambda has left, and reads approvals once per account per invocation (a fresh cache each
 * invocation, so new tickets are seen within one batch); `handle` gets each record with that cache.
 */
export function deliveringBatchHandler(
  deps: { deadline?: Pick<InvocationDeadline, 'begin'> | undefined; approvals: ApprovalSource },
  handle: (record: SQSRecord, approvals: ApprovalSource) => Promise<void>,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  return partialBatchHandler((context) => {
    deps.deadline?.begin(context.getRemainingTimeInMillis());
    const approvals = new InvocationApprovalCache(deps.approvals);
    return (record) => handle(record, approvals);
  });
}
