import type { SQSRecord } from 'aws-lambda';
import type { ApprovalSource } from '../5-decide/approvals/model.ts';
import { deliverFindings, type DeliveryDeps, type FindingOutcome } from '../6-deliver/orchestrate.ts';
import { MalformedInputError } from '../platform/errors.ts';
import { classifyValueAsync, type Classified, type ClassifyDeps } from '../4-classify/classify.ts';
import { planResponses, scheduleResponses, type ScheduleDeps } from '../6-deliver/respond/schedule.ts';

/** Everything a Lambda record handler needs, built once at cold start. */
export interface PipelineDeps extends ClassifyDeps {
  delivery: DeliveryDeps;
  /** Approval sources (config + table); the batch handler wraps them in a per-invocation cache. */
  approvals: ApprovalSource;
  /** Opt-in response (the config's `respond` section): plan on the findings, queue the unapproved ones. */
  respond?: ScheduleDeps;
}

/** What one SQS record produced. */
export interface RecordResult {
  classified: Classified;
  outcomes: FindingOutcome[];
}

/**
 * Process one SQS record end to end: body → payloads → findings → approvals → routes → dedup / storm control → sinks
 * (through the delivery ledger). Throws (so the batch processor reports the record as failed and SQS redelivers it,
 * then dead-letters it) when the body is malformed, a rule failed, or a sink could not deliver; the retry re-sends
 * only to the sinks the ledger does not list. Ignored events succeed.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 */
export async function processSqsRecord(
  record: SQSRecord,
  deps: PipelineDeps,
  approvals: ApprovalSource = deps.approvals,
): Promise<RecordResult> {
  let body: unknown;
  const where = { file: `sqs:${record.messageId}`, path: '/body' };
  try {
    body = JSON.parse(record.body);
  } catch (cause) {
    throw new MalformedInputError(`SQS body is not valid JSON: ${(cause as Error).message}`, where, { cause });
  }
  const classified = await classifyValueAsync(body, where, deps);
  // The page says what the response will revert (or would, in dry run); the unapproved ones are queued once delivered.
  if (deps.respond !== undefined)
    classified.findings = planResponses(classified.findings, deps.respond.policy, deps.respond.now?.() ?? new Date());
  const outcomes = await deliverFindings(classified.findings, approvals, deps.delivery);
  const scheduled = deps.respond !== undefined ? await scheduleResponses(outcomes, deps.respond) : { failed: [] };
  const failures = [...classified.errors, ...outcomes.flatMap((o) => o.failed), ...scheduled.failed];
  if (failures.length > 0) throw new AggregateError(failures, failures.map((f) => f.message).join('; '));
  return { classified, outcomes };
}
