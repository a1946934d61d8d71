import { DeliveryError, errorText } from '../errors.ts';
import type { Finding } from '../model/finding.ts';
import { UNAPPROVED, type Notice } from '../model/notice.ts';
import type { Sink } from '../sinks/sink.ts';
import { routeFinding, type RouteDecision, type RouteSpec } from './route.ts';

/** What happened to one finding: where it was routed, where it arrived, which sinks failed. */
export interface DeliveryOutcome {
  finding: Finding;
  decision: RouteDecision;
  delivered: string[];
  failed: DeliveryError[];
}

/**
 * Route each finding and deliver it to every routed sink. A failing sink does not stop the others; its error is
 * returned so the caller fails the record (SQS retries it) instead of dropping the finding.
 */
export async function deliverFindings(findings: readonly Finding[], routes: readonly RouteSpec[], sinks: ReadonlyMap<string, Sink>): Promise<DeliveryOutcome[]> {
  const outcomes: DeliveryOutcome[] = [];
  for (const finding of findings) {
    const decision = routeFinding(finding, routes);
    const outcome: DeliveryOutcome = { finding, decision, delivered: [], failed: [] };
    const notice: Notice = { kind: 'finding', finding, approval: UNAPPROVED, routes: decision.routes };
    for (const name of decision.sinks) {
      const sink = sinks.get(name);
      if (!sink) {
        outcome.failed.push(new DeliveryError(name, 'no sink with this name is configured', { retryable: false }));
        continue;
      }
      try {
        await sink.deliver(notice);
        outcome.delivered.push(name);
      } catch (cause) {
        outcome.failed.push(cause instanceof DeliveryError ? cause : new DeliveryError(name, errorText(cause), { cause }));
      }
    }
    outcomes.push(outcome);
  }
  return outcomes;
}
