import { readInventory, type Inventory, type SelectApi } from '../2-enrich/inventory.ts';
import type { Reconciliation, StateEngine } from '../3-state/engine.ts';
import { judgeReconciled } from '../4-classify/reconcile.ts';
import type { ApprovalSource } from '../5-decide/approvals/model.ts';
import { deliverFindings, type DeliveryDeps, type FindingOutcome } from '../6-deliver/orchestrate.ts';
import {
  deliverPosture,
  postureHtml,
  postureKey,
  postureReport,
  type PostureDelivery,
  type PostureReport,
} from '../6-deliver/posture.ts';
import type { Finding } from '../model/finding.ts';
import type { Rule, RuleContext } from '../model/rule.ts';
import type { RetryOptions } from '../platform/aws/retry.ts';

/**
 * One reconciliation run, end to end — the scheduled function's body and `netwatch scan`'s: read the current state of
 * the network resource types from AWS Config (advanced query, per Region or over an aggregator), reconcile the kept
 * state with it, grade what moved, then deliver: findings of later runs routed like any other, the first run's open
 * exposures as one posture report (a digest and an HTML report). Without `delivery` nothing is sent (the CLI prints).
 */

/** What a run needs. */
export interface ReconcileRunDeps {
  engine: StateEngine;
  select: SelectApi;
  /** Regions to query (single account); with `aggregator`, the one Region the aggregator lives in. */
  regions: readonly string[];
  aggregator?: string;
  rules: readonly Rule[];
  context: RuleContext;
  delivery?: { deps: DeliveryDeps; approvals: ApprovalSource };
  /** Keep the HTML report somewhere (the reports bucket); returns where (`s3://…`). */
  writeReport?: (html: string, key: string) => Promise<string>;
  ratePerSecond?: number;
  retry?: RetryOptions;
  sleep?: (ms: number) => Promise<void>;
  /** The rate limiter's clock (ms; default Date.now): tests advance it in `sleep`. */
  clock?: () => number;
  now?: () => Date;
}

/** What a run did. */
export interface ReconcileRunResult {
  requests: number;
  throttled: number;
  resources: number;
  /** Rows that could not be read (the rest were reconciled). */
  rowErrors: string[];
  reconciliation: Reconciliation;
  findings: Finding[];
  outcomes: FindingOutcome[];
  posture?: PostureReport;
  postureLocation?: string;
  postureDelivery?: PostureDelivery;
  /** Rule errors and delivery failures: the run failed (the scheduled function throws, the next run retries). */
  failures: Error[];
}

/** Run one reconciliation. */
export async function runReconciliation(deps: ReconcileRunDeps): Promise<ReconcileRunResult> {
  const now = deps.now?.() ?? new Date();
  const merged: Inventory = { items: [], requests: 0, throttled: 0, errors: [], scopes: new Set() };
  const regions = deps.aggregator !== undefined ? deps.regions.slice(0, 1) : deps.regions;
  for (const region of regions) {
    const part = await readInventory({
      api: deps.select,
      region,
      ...(deps.aggregator !== undefined ? { aggregator: deps.aggregator } : {}),
      ...(deps.ratePerSecond !== undefined ? { ratePerSecond: deps.ratePerSecond } : {}),
      ...(deps.retry !== undefined ? { retry: deps.retry } : {}),
      ...(deps.sleep !== undefined ? { sleep: deps.sleep } : {}),
      ...(deps.clock !== undefined ? { now: deps.clock } : {}),
    });
    merged.items.push(...part.items);
    merged.requests += part.requests;
    merged.throttled += part.throttled;
    merged.errors.push(...part.errors);
    for (const s of part.scopes) merged.scopes.add(s);
  }
  const reconciliation = await deps.engine.reconcile(merged, now);
  const graded = judgeReconciled(reconciliation.judged, { rules: deps.rules, context: deps.context });
  const result: ReconcileRunResult = {
    requests: merged.requests,
    throttled: merged.throttled,
    resources: merged.items.length,
    rowErrors: merged.errors,
    reconciliation,
    findings: graded.findings,
    outcomes: [],
    failures: [...graded.errors],
  };
  const firstScopes = reconciliation.scopes.filter((s) => s.first);
  if (firstScopes.length > 0)
    result.posture = postureReport(
      graded.posture,
      firstScopes.map((s) => ({
        account: s.account,
        region: s.region,
        resources: s.resources,
        counts: Object.fromEntries(Object.entries(s.counts).map(([k, n]) => [k, n ?? 0])),
      })),
      now.toISOString(),
    );
  if (deps.delivery !== undefined) {
    result.outcomes = await deliverFindings(result.findings, deps.delivery.approvals, deps.delivery.deps);
    result.failures.push(...result.outcomes.flatMap((o) => o.failed));
    if (result.posture !== undefined) {
      const key = `posture/${result.posture.generatedAt.replace(/[:.]/g, '-')}-${postureKey(result.posture).slice(8, 20)}.html`;
      if (deps.writeReport !== undefined)
        result.postureLocation = await deps.writeReport(postureHtml(result.posture), key);
      result.postureDelivery = await deliverPosture(
        result.posture,
        deps.delivery.approvals,
        deps.delivery.deps,
        result.postureLocation,
      );
      result.failures.push(...result.postureDelivery.failed);
    }
  }
  // Recorded only once everything went out: a failed run is retried as it was (a first run stays first).
  if (result.failures.length === 0 || deps.delivery === undefined)
    await deps.engine.recordInventory(reconciliation.scopes, now);
  return result;
}
