import type { ChangeEvent, NetworkDelta, Peer, SgPermission, SgPermissionDelta } from '../shared/model/change.ts';
import type { FindingDraft } from '../shared/model/finding.ts';
import type { Rule, RuleCase } from '../shared/model/rule.ts';
import type { Severity } from '../shared/model/severity.ts';
import { contains, isPublic, isSingleHost, shareText, tryParseCidr, widerThan, type Cidr } from '../shared/net/cidr.ts';
import { portLabel, rangeCovers, rangeWidened } from '../shared/net/ports.ts';
import type { ResourceState } from '../shared/model/state.ts';
import { exposureChanges, sgIngressReach, stateBefore, viewOf } from '../shared/net/exposure.ts';
import { cidr, ec2, perm, SG, sgChange, sgDelta } from './cases/build.ts';

/**
 * A public source at least this large is "broad" even when brand new: a v4 /8 (16M addresses) or a v6 /32
 * (an ISP's whole allocation) lets a large slice of the internet in.
 */
const BROAD_V4_PREFIX = 8;
const BROAD_V6_PREFIX = 32;

/**
 * Reaching at least this share of the public internet (shared/net/special-purpose.ts) is graded high: half the internet
 * on a port is an internet exposure in all but name, not "a partner's range" (a v4 /1 is ≈ 44–56 %).
 */
const HIGH_PUBLIC_SHARE = 0.5;

function peerCidr(peer: Peer): Cidr | undefined {
  return peer.kind === 'cidr4' || peer.kind === 'cidr6' ? tryParseCidr(peer.cidr) : undefined;
}

function describePeer(peer: Peer): string {
  switch (peer.kind) {
    case 'cidr4':
    case 'cidr6':
      return peer.cidr;
    case 'security-group':
      return peer.userId ? `${peer.userId}/${peer.groupId}` : peer.groupId;
    case 'prefix-list':
      return peer.prefixListId;
  }
}

function samePeer(a: Peer, b: Peer): boolean {
  if (a.kind === 'security-group' && b.kind === 'security-group') return a.groupId === b.groupId;
  if (a.kind === 'prefix-list' && b.kind === 'prefix-list') return a.prefixListId === b.prefixListId;
  return false;
}

/** How `after` grants more than `before`; empty when it does not (or the peers are unrelated). */
function widening(before: SgPermission, after: SgPermission): string[] {
  if (before.direction !== after.direction || !rangeCovers(after, before)) return [];
  const reasons: string[] = [];
  const b = peerCidr(before.peer);
  const a = peerCidr(after.peer);
  if (a && b) {
    if (!contains(a, b)) return [];
    if (widerThan(a, b)) reasons.push(`source widened from ${b.text} to ${a.text}`);
  } else if (!samePeer(before.peer, after.peer)) {
    return [];
  }
  if (rangeWidened(before, after)) reasons.push(`traffic widened from ${portLabel(before)} to ${portLabel(after)}`);
  return reasons;
}

/** The permission this delta replaced: its `before`, or a removed ingress rule of the same group it widens. */
function predecessor(
  delta: SgPermissionDelta,
  deltas: readonly NetworkDelta[],
): { before: SgPermission; reasons: string[]; removed?: SgPermissionDelta } | undefined {
  if (delta.before) {
    const reasons = widening(delta.before, delta.permission);
    return reasons.length ? { before: delta.before, reasons } : undefined;
  }
  for (const d of deltas) {
    if (d.kind !== 'sg-permission' || d.op !== 'removed' || d.groupId !== delta.groupId) continue;
    const reasons = widening(d.permission, delta.permission);
    if (reasons.length) return { before: d.permission, reasons, removed: d };
  }
  return undefined;
}

function isBroadPublic(c: Cidr): boolean {
  return isPublic(c) && c.prefix <= (c.version === 4 ? BROAD_V4_PREFIX : BROAD_V6_PREFIX);
}

/**
 * For each delta, the share of the public internet that reaches its traffic through its group, in the state the change
 * leaves and in the state before it (kept state, or what the change's deltas imply): the union of every ingress rule
 * of the group whose traffic covers it, so half the internet opened in two calls (`0.0.0.0/2`, then `64.0.0.0/2`) is
 * seen on the call that completes the half, as one call with `0.0.0.0/1` would be.
 */
function publicReaches(change: ChangeEvent) {
  const view = viewOf(change);
  const groups = new Map<string, { before: ResourceState; after: ResourceState } | undefined>();
  return (d: SgPermissionDelta, source: Cidr) => {
    if (!groups.has(d.groupId)) {
      const resource = view.resources[d.groupId];
      // Every ingress rule of the group together under half the internet: no traffic of it can reach half.
      groups.set(
        d.groupId,
        resource === undefined ||
          Math.max(
            sgIngressReach(resource.after, undefined, 4).share,
            sgIngressReach(resource.after, undefined, 6).share,
          ) < HIGH_PUBLIC_SHARE
          ? undefined
          : { before: stateBefore(change, resource), after: resource.after },
      );
    }
    const states = groups.get(d.groupId);
    if (states === undefined) return undefined;
    return {
      after: sgIngressReach(states.after, d.permission, source.version),
      before: sgIngressReach(states.before, d.permission, source.version),
    };
  };
}

function classify(change: ChangeEvent): FindingDraft[] {
  const ingress = change.deltas.filter(
    (d): d is SgPermissionDelta =>
      d.kind === 'sg-permission' && d.op !== 'removed' && d.permission.direction === 'ingress',
  );
  // World-reaching rules belong to sg-open-world (the exposures of the state the change leaves, so a rule that
  // completes a split /1 + /1 is its too); do not report them twice.
  const world = new Set<NetworkDelta>(exposureChanges(change, 'sg-ingress').flatMap((c) => c.evidence));
  const publicReach = publicReaches(change);
  const out: FindingDraft[] = [];
  for (const d of ingress) {
    if (world.has(d)) continue;
    const peer = d.permission.peer;
    const source = peerCidr(peer);
    const publicSource = source !== undefined && isPublic(source);
    const label = portLabel(d.permission);
    const group = `${d.groupId}${d.groupName ? ` (${d.groupName})` : ''}`;
    const why: string[] = [];
    let severity: Severity;
    let what: string;
    const prev = predecessor(d, change.deltas);
    const narrowed = d.before ? widening(d.permission, d.before) : [];
    if (narrowed.length && d.before) {
      severity = 'info';
      why.push(
        ...narrowed.map((r) =>
          `narrowed: ${r.replace(/ from (.*) to (.*)$/, ' from $2 to $1')}`.replace('widened ', ''),
        ),
      );
      what = `ingress narrowed: ${portLabel(d.before)} from ${describePeer(d.before.peer)} -> ${label} from ${describePeer(peer)}`;
    } else if (prev) {
      why.push(...prev.reasons);
      severity = publicSource ? 'medium' : 'low';
      why.push(
        publicSource
          ? `the source ${source.text} is public: more of the internet can now connect`
          : 'the source is not public (private range, group or prefix list)',
      );
      what = `ingress widened: ${portLabel(prev.before)} from ${describePeer(prev.before.peer)} -> ${label} from ${describePeer(peer)}`;
    } else if (source && isBroadPublic(source)) {
      severity = 'medium';
      why.push(`${source.text} is a broad public range (/${source.prefix}): a large slice of the internet`);
      what = `new ingress ${label} from broad public ${source.text}`;
    } else if (publicSource) {
      severity = 'low';
      why.push(
        isSingleHost(source) ? `a single public host (${source.text})` : `a specific public range (${source.text})`,
      );
      what = `new ingress ${label} from public ${source.text}`;
    } else {
      severity = 'info';
      why.push(
        source
          ? `${source.text} is not internet-routable (private, loopback, link-local or documentation range)`
          : `source is ${peer.kind} ${describePeer(peer)}`,
      );
      what = `new ingress ${label} from ${describePeer(peer)}`;
    }
    const selfReference = peer.kind === 'security-group' && peer.groupId === d.groupId;
    if (d.groupName === 'default' && !selfReference && severity !== 'medium' && narrowed.length === 0) {
      severity = 'medium';
      why.push(
        'the default security group gained ingress: CIS AWS Foundations expects it to allow no traffic (every ENI created without a group lands in it)',
      );
    } else if (d.groupName === 'default' && selfReference) {
      why.push('self-reference on the default group (its AWS-created rule)');
    }
    // Graded by the share of public space: the change takes what reaches this traffic to half the internet or more.
    const reach = source !== undefined && narrowed.length === 0 ? publicReach(d, source) : undefined;
    if (reach !== undefined && reach.after.share >= HIGH_PUBLIC_SHARE && reach.before.share < HIGH_PUBLIC_SHARE) {
      severity = 'high';
      const together = reach.after.cidrs.length > 1;
      why.push(
        `${reach.after.cidrs.join(' + ')} ${together ? 'together reach' : 'reaches'} ${shareText(reach.after.share)} of the public IPv${reach.after.version} internet on ${label}${reach.before.share > 0 ? ` (${shareText(reach.before.share)} before this change)` : ''}: graded by the share of public space, an exposure to most of the internet`,
      );
    }
    out.push({
      severity,
      summary: `${what} on ${group}`,
      evidence: prev?.removed ? [prev.removed, d] : [d],
      why,
    });
  }
  return out;
}

const api = ec2('AuthorizeSecurityGroupIngress');
const OFFICE = '81.2.69.0/24'; // a public /24 (not a documentation range)

/** What a responder checks first (pages show it; rules/index.ts `RUNBOOKS` lists it apart from the rule). */
export const whatToCheck =
  "Compare the new source range with the service's documented clients. Who needs the wider range and for how long? Narrow it to the smallest CIDR or a security-group reference.";

/** Security group ingress broadened without reaching the whole internet. */
export const rule: Rule = {
  id: 'sg-widened',
  title: 'Security group ingress widened',
  description:
    'A security group lets more traffic in than before without opening to the whole internet: a public source CIDR ' +
    'made wider (/32 -> /16), a port range or protocol widened, a broad public range (/8 or wider) added, or the ' +
    "default security group gaining any ingress. A change that takes the sources reaching some traffic (the group's " +
    'rules together, over one call or several) to half or more of the public internet (by address count, private and ' +
    'reserved ranges left out) is high; all of it is sg-open-world. New rules from private ranges, other security groups or a single ' +
    'public host are recorded at low/info. Check: is the wider source really needed (use the narrowest range), ' +
    'which resources use the group, and for the default group, move resources to a dedicated group.',
  whatToCheck,
  category: 'sg-widened',
  deltaKinds: ['sg-permission'],
  resourceTypes: ['AWS::EC2::SecurityGroup'],
  apiCalls: [{ source: 'ec2.amazonaws.com', names: ['AuthorizeSecurityGroupIngress', 'ModifySecurityGroupRules'] }],
  classify,
};

/** This rule's cases: test/rules/cases.test.ts runs them. A function, so the Lambda bundles (which never call it) leave them out. */
export function cases(): RuleCase[] {
  return [
    {
      name: 'Config: /32 replaced by /16 (public)',
      change: sgChange([
        sgDelta('removed', perm('ingress', 'tcp', 22, cidr('81.2.69.160/32'))),
        sgDelta('added', perm('ingress', 'tcp', 22, cidr('81.2.0.0/16'))),
      ]),
      expect: 'medium',
    },
    {
      name: 'changed with before: port range widened',
      change: sgChange([
        sgDelta('changed', perm('ingress', 'tcp', [0, 1024], cidr(OFFICE)), {
          before: perm('ingress', 'tcp', 443, cidr(OFFICE)),
        }),
      ]),
      expect: 'medium',
    },
    {
      name: 'protocol widened on a private source',
      change: sgChange([
        sgDelta('changed', perm('ingress', 'all', undefined, cidr('10.20.0.0/16')), {
          before: perm('ingress', 'tcp', 5432, cidr('10.20.0.0/16')),
        }),
      ]),
      expect: 'low',
    },
    {
      name: 'broad public /8',
      change: sgChange([sgDelta('added', perm('ingress', 'tcp', 443, cidr('52.0.0.0/8')))], { api }),
      expect: 'medium',
    },
    {
      name: 'default group gains ingress',
      change: sgChange([sgDelta('added', perm('ingress', 'tcp', 22, cidr('10.0.0.0/8')), { groupName: 'default' })], {
        api,
      }),
      expect: 'medium',
    },
    {
      name: 'ssh from a single public host',
      change: sgChange([sgDelta('added', perm('ingress', 'tcp', 22, cidr('81.2.69.160/32')))], { api }),
      expect: 'low',
    },
    {
      name: 'ssh from TEST-NET-3',
      change: sgChange([sgDelta('added', perm('ingress', 'tcp', 22, cidr('203.0.113.0/24')))], { api }),
      expect: 'info',
    },
    {
      name: '0.0.0.0/16 is inside 0/8',
      change: sgChange([sgDelta('added', perm('ingress', 'tcp', 443, cidr('0.0.0.0/16')))], { api }),
      expect: 'info',
    },
    {
      name: 'default group self-reference',
      change: sgChange([
        sgDelta('added', perm('ingress', 'all', undefined, { kind: 'security-group', groupId: SG }), {
          groupName: 'default',
        }),
      ]),
      expect: 'info',
    },
    {
      name: 'world rule is sg-open-world’s',
      change: sgChange([sgDelta('added', perm('ingress', 'tcp', 22, cidr('0.0.0.0/0')))], { api }),
      expect: null,
    },
    {
      name: 'revoke',
      change: sgChange([sgDelta('removed', perm('ingress', 'tcp', 0, cidr('127.0.0.1/32')))], {
        api: ec2('RevokeSecurityGroupIngress'),
      }),
      expect: null,
    },
    {
      name: 'narrowed /16 -> /32',
      change: sgChange([
        sgDelta('changed', perm('ingress', 'tcp', 22, cidr('81.2.69.160/32')), {
          before: perm('ingress', 'tcp', 22, cidr('81.2.0.0/16')),
        }),
      ]),
      expect: 'info',
    },
    {
      name: 'half the internet (0.0.0.0/1) on ssh is graded by its public share',
      change: sgChange([sgDelta('added', perm('ingress', 'tcp', 22, cidr('0.0.0.0/1')))], { api }),
      expect: 'high',
    },
    {
      name: 'a world-equivalent range (2000::/3) belongs to sg-open-world, not here',
      change: sgChange([sgDelta('added', perm('ingress', 'tcp', 22, cidr('2000::/3')))], { api }),
      expect: null,
    },
    {
      name: 'Config: a quarter of the internet widened to half of it (0.0.0.0/2 -> 0.0.0.0/1)',
      change: sgChange([
        sgDelta('removed', perm('ingress', 'tcp', 22, cidr('0.0.0.0/2'))),
        sgDelta('added', perm('ingress', 'tcp', 22, cidr('0.0.0.0/1'))),
      ]),
      expect: 'high',
    },
    {
      name: 'egress',
      change: sgChange([sgDelta('added', perm('egress', 'tcp', 4444, cidr('81.2.69.160/32')))], {
        api: ec2('AuthorizeSecurityGroupEgress'),
      }),
      expect: null,
    },
  ];
}
