import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { DeliveryError } from '../platform/errors.ts';
import type { ChangeEvent } from '../model/change.ts';
import type { Finding } from '../model/finding.ts';
import type { LambdaDeps } from './deps.ts';
import type { ApprovalSource } from '../5-decide/approvals/model.ts';
import { deliveringBatchHandler } from './partial-batch.ts';
import { processSqsRecord, type RecordResult } from './process-record.ts';

/** How one SQS record is processed: the JSON-body pipeline by default, or the CloudTrail-S3 log reader. */
export type RecordProcessor<D extends LambdaDeps> = (
  record: SQSRecord,
  deps: D,
  approvals: ApprovalSource,
) => Promise<RecordResult>;

/**
 * The shared SQS batch handler body: each record runs through the pipeline on its own, and the response lists only the
 * failed records (`ReportBatchItemFailures`), so one bad record is retried / dead-lettered alone. Approvals are read
 * once per account per invocation (a fresh cache each invocation, so new tickets are seen within one batch).
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/features/batch/
 */
export function sqsBatchHandler<D extends LambdaDeps>(
  deps: D,
  processRecord: RecordProcessor<D> = processSqsRecord,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  return deliveringBatchHandler(deps, async (record: SQSRecord, approvals): Promise<void> => {
    try {
      const { classified, outcomes } = await processRecord(record, deps, approvals);
      deps.metrics.addMetric('ChangesProcessed', MetricUnit.Count, classified.changes.length);
      deps.metrics.addMetric('Findings', MetricUnit.Count, classified.findings.length);
      deps.metrics.addMetric(
        'Pages',
        MetricUnit.Count,
        outcomes.reduce((n, o) => n + o.delivered.filter((s) => o.decision.pageSinks.includes(s)).length, 0),
      );
      deps.metrics.addMetric(
        'Digested',
        MetricUnit.Count,
        outcomes.reduce((n, o) => n + o.digested.length, 0),
      );
      emitFindingBreakdown(deps.metrics, classified.findings);
      emitDeniedCalls(deps.metrics, classified.changes, deps.logger);
      emitAccountEvents(deps.metrics, classified.changes);
      for (const o of outcomes) {
        deps.logger.debug('delivered', {
          fingerprint: o.fingerprint,
          approval: o.approval.state,
          routes: o.decision.routes,
          delivered: o.delivered,
          already: o.alreadyDelivered,
          digested: o.digested,
        });
      }
      if (classified.ignored.length)
        deps.logger.debug('ignored', {
          messageId: record.messageId,
          reasons: classified.ignored.map((i) => i.reason),
        });
    } catch (error) {
      deps.metrics.addMetric('RecordFailures', MetricUnit.Count, 1);
      const sinkFailures = (error instanceof AggregateError ? error.errors : [error]).filter(
        (e) => e instanceof DeliveryError,
      ).length;
      if (sinkFailures > 0) deps.metrics.addMetric('SinkFailures', MetricUnit.Count, sinkFailures);
      deps.logger.error('record failed', { messageId: record.messageId, error: error as Error });
      throw error;
    }
  });
}

/**
 * `AccountEvents` per `account`: the changes each account's events produced, so the dashboard shows when an account
 * was last heard from (per source: the function's `service` dimension) and a silent critical account alarms — the
 * queue-level heartbeat is one total over every account of an organization, which one silent account never moves.
 */
export function emitAccountEvents(metrics: Metrics, changes: readonly ChangeEvent[]): void {
  const counts = new Map<string, number>();
  for (const c of changes) counts.set(c.account, (counts.get(c.account) ?? 0) + 1);
  for (const [account, count] of counts)
    metrics.singleMetric().addDimension('account', account).addMetric('AccountEvents', MetricUnit.Count, count);
}

/**
 * `AwsCallsDenied`: enrichment calls AWS refused (the role, an SCP, a permission boundary or an endpoint policy). The
 * finding still goes out — with `why` saying what is unknown and which call was denied — but a denied call means every
 * later change is judged without that context, so each one counts here (the `<function>-aws-calls-denied` alarm pages
 * on the first) and is logged with the step's detail.
 */
export function emitDeniedCalls(
  metrics: Metrics,
  changes: readonly ChangeEvent[],
  logger?: { warn(message: string, extra: Record<string, unknown>): void },
): void {
  const denied = changes.flatMap((c) =>
    (c.enrichment ?? []).filter((s) => s.outcome === 'denied').map((s) => ({ change: c.id, ...s })),
  );
  if (denied.length === 0) return;
  metrics.addMetric('AwsCallsDenied', MetricUnit.Count, denied.length);
  for (const d of denied) logger?.warn('AWS call denied', { changeId: d.change, step: d.step, detail: d.detail });
}

/**
 * `Findings` per `severity` and per `category` (the dashboard's breakdown), as single-metric EMF lines: one
 * dimension each rather than their product, so at most 5 + 15 series per function exist, and only for values seen.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export function emitFindingBreakdown(metrics: Metrics, findings: readonly Finding[]): void {
  for (const dimension of ['severity', 'category'] as const) {
    const counts = new Map<string, number>();
    for (const f of findings) counts.set(f[dimension], (counts.get(f[dimension]) ?? 0) + 1);
    for (const [value, count] of counts)
      metrics.singleMetric().addDimension(dimension, value).addMetric('Findings', MetricUnit.Count, count);
  }
}
