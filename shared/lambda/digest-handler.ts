import type { Context } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { sendDueDigests } from '../6-deliver/digest.ts';
import type { DeliveryRuntime } from './runtime.ts';

/**
 * The scheduled digest function's body (EventBridge schedule, e.g. rate(1 minute)): send every closed storm window's
 * digest. Throws when a sink failed, so the invocation shows as an error (alarm) — the next run retries only the
 * failed sinks.
 */
export function digestHandler(
  runtime: Pick<DeliveryRuntime, 'delivery' | 'logger' | 'metrics'> & Partial<Pick<DeliveryRuntime, 'deadline'>>,
): (context?: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<{ digests: number }> {
  return async (context) => {
    if (context) runtime.deadline?.begin(context.getRemainingTimeInMillis());
    const outcomes = await sendDueDigests(runtime.delivery);
    const failures = outcomes.flatMap((o) => o.failed);
    for (const o of outcomes)
      runtime.logger.info('digest', {
        window: o.window,
        sent: o.sent,
        alreadySent: o.alreadySent,
        failed: o.failed.map((f) => f.message),
      });
    runtime.metrics.addMetric(
      'Digests',
      MetricUnit.Count,
      outcomes.filter((o) => Object.keys(o.sent).length > 0).length,
    );
    if (failures.length) throw new AggregateError(failures, failures.map((f) => f.message).join('; '));
    return { digests: outcomes.length };
  };
}
