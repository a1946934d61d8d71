import { createHash } from 'node:crypto';
import type { NetworkDelta, ResourceRef } from '../model/change.ts';

/**
 * Deterministic identity of a finding: rule + account + region + resource + the *state* its evidence leaves behind.
 * Time, source, change id, `sgr-` ids, names and unknown "before" values are left out on purpose, so that
 * - a redelivered event,
 * - the CloudTrail record and the Config item of the same change,
 * - ModifySecurityGroupRules (CloudTrail: `changed`, before unknown) and its Config item (`added` + `removed`)
 * all produce the same fingerprint. Delivery dedup relies on exactly this. With kept state, the episode of the exposure
 * a finding is about joins the identity: both sources and every redelivery of one change share the episode (the state
 * step replays its recorded outcome), while the same hole opened again after a close is a new episode, a new finding.
 */
export function fingerprint(
  ruleId: string,
  account: string,
  region: string,
  resource: ResourceRef,
  evidence: readonly NetworkDelta[],
  episode?: string,
): string {
  const parts = evidence.map(deltaIdentity).sort();
  // The episode (kept state only) separates a hole opened again after a close from its first opening.
  const text = [
    ruleId,
    account,
    region,
    resource.type,
    resource.id,
    ...parts,
    ...(episode ? [`episode:${episode}`] : []),
  ].join('\n');
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** Fields that never take part in identity: source-specific ids, labels and partially known "before" states. */
const NOT_IDENTITY = new Set([
  'ruleId',
  'groupName',
  'before',
  'beforeTarget',
  'arn',
  'annotation',
  'serviceName',
  'name',
  'failure',
  'replaces',
]);

/**
 * Left out at every level: association ids and the public IP an Elastic IP maps to — CloudTrail names an address
 * binding by allocation and association ids, Config by the address too (a binding's identity is the allocation).
 */
const NOT_IDENTITY_ANYWHERE = new Set(['associationId', 'address']);

/** Canonical text of a delta: ops collapse to present/absent, keys sorted, non-identity fields dropped. */
export function deltaIdentity(delta: NetworkDelta): string {
  const presence = delta.op === 'removed' ? 'absent' : 'present';
  return `${delta.kind}:${presence}:${canonical(delta, true)}`;
}

function canonical(value: unknown, top = false): string {
  if (Array.isArray(value))
    return `[${value
      .map((v) => canonical(v))
      .sort()
      .join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(
        ([k, v]) =>
          v !== undefined &&
          !NOT_IDENTITY_ANYWHERE.has(k) &&
          !(top && (k === 'op' || k === 'kind' || NOT_IDENTITY.has(k))),
      )
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${k}=${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
