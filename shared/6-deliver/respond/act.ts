import { createHash } from 'node:crypto';
import { reconcile } from '../../5-decide/approvals/match.ts';
import type { Allowlist, ApprovalSource } from '../../5-decide/approvals/model.ts';
import type { RevertCall } from '../../5-decide/respond.ts';
import type { ChangeEvent } from '../../model/change.ts';
import type { Finding, ResponseRecord } from '../../model/finding.ts';
import { errorSummary, isAccessDenied } from '../../platform/aws/retry.ts';
import type { QueueSend, RevertRequest } from './schedule.ts';

/**
 * The second half of the opt-in response: a revert request comes off the respond queue when its grace period ends.
 * In order:
 * 1. woken early (a grace period longer than SQS's 15-minute delay): queued again for the rest;
 * 2. approvals are asked again — an approval (or allowlist) that arrived during the grace period wins: nothing is done;
 * 3. what the change added is checked in the kept state: already gone (revoked by hand, closed by another change) →
 *    nothing to do;
 * 4. dry run: nothing is done, the record says what would have been;
 * 5. otherwise the calls are made, exactly the permission or route the change added; what they did is applied to the
 *    kept state as a change of its own, so the episode closes through the same path as any close (change management,
 *    PagerDuty resolve).
 * Every outcome is recorded in change management: the finding, the API calls and their results.
 */

/** Makes one EC2 call of a revert (the live client, or a mock at the SDK boundary in tests); throws on failure. */
export type RevertApi = (call: RevertCall, region: string) => Promise<{ requestId?: string }>;

/** What the responder needs. */
export interface ResponderDeps {
  approvals: ApprovalSource;
  allowlists: readonly Allowlist[];
  ec2: RevertApi;
  requeue: QueueSend;
  /** Is what the change added still there? (kept state; undefined = not known: act) */
  stillThere?: (request: RevertRequest) => Promise<boolean | undefined>;
  /** Apply the revert to the kept state and judge it: the closed records it gives. */
  applyRevert?: (change: ChangeEvent) => Promise<Finding[]>;
  /** Deliver records to change management (record routes only). */
  record: (findings: Finding[]) => Promise<void>;
  /** Deliver the closes of a revert (every route: PagerDuty resolve, change management). */
  deliverCloses: (findings: Finding[]) => Promise<void>;
  /** The account the responder acts in (its role's). */
  account: string;
  maxDelaySeconds?: number;
  now?: () => Date;
}

/** What the responder did with a request. */
export interface ResponseOutcome {
  action: 'waiting' | ResponseRecord['action'];
  response?: ResponseRecord;
  closes: Finding[];
  /** Calls AWS refused for lack of permission (the role, an SCP, a boundary, an endpoint policy). */
  denied?: number;
}

/** Handle one revert request (see the module comment). Throws only when recording or delivering failed (retry). */
export async function respond(request: RevertRequest, deps: ResponderDeps): Promise<ResponseOutcome> {
  const now = deps.now?.() ?? new Date();
  const due = Date.parse(request.dueAt);
  if (Number.isFinite(due) && due - now.getTime() > 1000) {
    const wait = Math.ceil((due - now.getTime()) / 1000);
    await deps.requeue(JSON.stringify(request), Math.min(deps.maxDelaySeconds ?? 900, wait));
    return { action: 'waiting', closes: [] };
  }
  const f = request.finding;
  const mode: ResponseRecord['mode'] = request.dryRun ? 'dry-run' : 'enforce';
  const calls = request.calls.map((c) => c.text);
  const done = async (action: ResponseRecord['action'], result: string, closes: Finding[] = []) => {
    const response: ResponseRecord = { action, mode, dueAt: request.dueAt, calls, result };
    await deps.record([responseRecord(f, response, now)]);
    return { action, response, closes };
  };

  const verdict = reconcile(f, await deps.approvals.forAccount(f.account), deps.allowlists, now);
  if (verdict.state === 'approved' || verdict.state === 'allowlisted')
    return done('not-reverted', `not reverted: ${verdict.reason} (it arrived during the grace period)`);

  const present = await deps.stillThere?.(request);
  if (present === false)
    return done(
      'not-reverted',
      'not reverted: what the change added is gone already (revoked, or closed by another change)',
    );

  if (request.dryRun)
    return done('would-revert', `dry run: would have called ${calls.join('; ')}; nothing was changed`);

  if (f.account !== deps.account)
    return done(
      'failed',
      `not reverted: the finding is in account ${f.account}; the responder acts with its own role in ${deps.account} (cross-account response is not built)`,
    );

  const results: string[] = [];
  const succeeded: RevertCall[] = [];
  let denied = 0;
  for (const call of request.calls) {
    try {
      const answer = await deps.ec2(call, f.region);
      succeeded.push(call);
      results.push(`${call.text}: done${answer.requestId ? ` (request ${answer.requestId})` : ''}`);
    } catch (error) {
      if (isAccessDenied(error)) denied += 1;
      results.push(`${call.text}: ${errorSummary(error)}`);
    }
  }
  let closes: Finding[] = [];
  if (succeeded.length > 0 && deps.applyRevert !== undefined) {
    closes = await deps.applyRevert(revertChange(request, succeeded, now));
    await deps.deliverCloses(closes);
  }
  const outcome = await done(
    succeeded.length === request.calls.length ? 'reverted' : 'failed',
    results.join('; '),
    closes,
  );
  return denied > 0 ? { ...outcome, denied } : outcome;
}

/** The revert as a change of its own (Netwatch as the actor): applied to the state, it closes the episode. */
export function revertChange(request: RevertRequest, calls: readonly RevertCall[], now: Date): ChangeEvent {
  const f = request.finding;
  return {
    id: `netwatch-respond:${request.fingerprint}`,
    source: 'cloudtrail',
    at: now.toISOString(),
    account: f.account,
    region: f.region,
    resource: f.resource,
    actor: { arn: 'netwatch:respond', type: 'AWSService', invokedBy: 'netwatch respond' },
    api: { source: 'ec2.amazonaws.com', name: calls[0]?.api ?? 'RevokeSecurityGroupIngress' },
    deltas: calls.map((c) => c.undo),
    notes: [`reverted by Netwatch's response to finding ${request.fingerprint}`],
  };
}

/** The change-management record of a response: the finding, the calls and their results. */
export function responseRecord(finding: Finding, response: ResponseRecord, now: Date): Finding {
  const titles: Record<ResponseRecord['action'], string> = {
    scheduled: 'Netwatch response scheduled',
    reverted: 'Netwatch response: reverted',
    'would-revert': 'Netwatch response (dry run): would have reverted',
    'not-reverted': 'Netwatch response: not reverted',
    failed: 'Netwatch response: revert failed',
  };
  return {
    ...finding,
    fingerprint: createHash('sha256')
      .update(`${finding.fingerprint}\nresponse\n${response.action}`)
      .digest('hex')
      .slice(0, 32),
    title: titles[response.action],
    summary: `${titles[response.action]}: ${response.result ?? response.calls.join('; ')} — finding: ${finding.summary}`,
    severity: 'info',
    at: now.toISOString(),
    response,
    why: [...finding.why, `response (${response.mode}) at ${now.toISOString()}: ${response.result ?? ''}`.trimEnd()],
  };
}
