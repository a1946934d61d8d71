import type { SQSRecord } from 'aws-lambda';
import { MalformedInputError } from '../errors.ts';
import type { Sink } from '../sinks/sink.ts';
import { classifyValueAsync, type Classified, type ClassifyDeps } from './classify.ts';
import { deliverFindings, type DeliveryOutcome } from './deliver.ts';
import type { RouteSpec } from './route.ts';

/** Everything a Lambda record handler needs, built once at cold start. */
export interface PipelineDeps extends ClassifyDeps {
  routes: readonly RouteSpec[];
  sinks: ReadonlyMap<string, Sink>;
}

/** What one SQS record produced. */
export interface RecordResult {
  classified: Classified;
  outcomes: DeliveryOutcome[];
}

/**
 * Process one SQS record end to end: body → payloads → findings → sinks. Throws (so the batch processor reports the
 * record as failed and SQS redelivers it, then dead-letters it) when the body is malformed, a rule failed, or a sink
 * could not deliver. Ignored events succeed.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 */
export async function processSqsRecord(record: SQSRecord, deps: PipelineDeps): Promise<RecordResult> {
  let body: unknown;
  const where = { file: `sqs:${record.messageId}`, path: '/body' };
  try {
    body = JSON.parse(record.body);
  } catch (cause) {
    throw new MalformedInputError(`SQS body is not valid JSON: ${(cause as Error).message}`, where, { cause });
  }
  const classified = await classifyValueAsync(body, where, deps);
  const outcomes = await deliverFindings(classified.findings, deps.routes, deps.sinks);
  const failures = [...classified.errors, ...outcomes.flatMap((o) => o.failed)];
  if (failures.length > 0) throw new AggregateError(failures, failures.map((f) => f.message).join('; '));
  return { classified, outcomes };
}
