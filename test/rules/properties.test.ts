import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { endpointChange, naclChange, policy, routeChange, sgChange } from '../../rules/cases/build.ts';
import { RULES } from '../../rules/index.ts';
import { rule as sgOpenWorld } from '../../rules/sg-open-world.ts';
import type {
  ChangeEvent,
  EndpointPolicyDelta,
  NaclEntryDelta,
  NetworkDelta,
  Peer,
  RouteDelta,
  SgPermission,
  SgPermissionDelta,
} from '../../shared/model/change.ts';
import type { FindingDraft } from '../../shared/model/finding.ts';
import { EMPTY_CONTEXT, type RuleContext } from '../../shared/model/rule.ts';
import { atLeast, isRisky } from '../../shared/model/severity.ts';
import { isWorldEquivalent } from '../../shared/net/cidr.ts';
import { portLabel } from '../../shared/net/ports.ts';

/** Run every rule that reads a delta kind of the change (as the engine does). */
function evaluateAll(
  change: ChangeEvent,
  context: RuleContext = EMPTY_CONTEXT,
): { ruleId: string; finding: FindingDraft }[] {
  const kinds = new Set(change.deltas.map((d) => d.kind));
  return RULES.filter((r) => r.deltaKinds.some((k) => kinds.has(k))).flatMap((r) =>
    r.classify(change, context).map((finding) => ({ ruleId: r.id, finding })),
  );
}

// --- arbitraries -------------------------------------------------------------------------------------------
const octet = fc.integer({ min: 0, max: 255 });
const v4addr = fc.tuple(octet, octet, octet, octet).map((p) => p.join('.'));
const v6addr = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 })
  .map((g) => g.map((x) => x.toString(16)).join(':'));
const cidr4 = fc.tuple(v4addr, fc.integer({ min: 0, max: 32 })).map(([a, p]) => `${a}/${p}`);
const cidr6 = fc.tuple(v6addr, fc.integer({ min: 0, max: 128 })).map(([a, p]) => `${a}/${p}`);
const world4 = v4addr.map((a) => `${a}/0`);
const world6 = v6addr.map((a) => `${a}/0`);
/** `::/1`, `::/2`, `2000::/3` with random host bits: every routable IPv6 address, not a /0. */
const worldEquivalent6 = fc
  .tuple(fc.constantFrom([1, 0n], [2, 0n], [3, 1n]), fc.bigInt({ min: 0n, max: (1n << 125n) - 1n }))
  .map(([[prefix, top], low]) => {
    const value =
      ((top as bigint) << BigInt(128 - (prefix as number))) | (low & ((1n << BigInt(128 - (prefix as number))) - 1n));
    const hex = value.toString(16).padStart(32, '0');
    return `${hex.match(/.{4}/g)!.join(':')}/${prefix}`;
  });
const peer: fc.Arbitrary<Peer> = fc.oneof(
  cidr4.map((cidr): Peer => ({ kind: 'cidr4', cidr })),
  cidr6.map((cidr): Peer => ({ kind: 'cidr6', cidr })),
  world4.map((cidr): Peer => ({ kind: 'cidr4', cidr })),
  fc.constant<Peer>({ kind: 'security-group', groupId: 'sg-0fedcba9876543210' }),
  fc.constant<Peer>({ kind: 'prefix-list', prefixListId: 'pl-6da54004' }),
);
const protocol = fc.constantFrom('all', 'tcp', 'udp', 'icmp', 'icmpv6', '50');
const portProtocol = fc.constantFrom('tcp', 'udp', 'all');
const portPair = fc.option(
  fc
    .tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }))
    .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const),
  { nil: undefined },
);

function permission(
  direction: 'ingress' | 'egress',
  proto: string,
  ports: readonly [number, number] | undefined,
  p: Peer,
): SgPermission {
  return ports && proto !== 'all'
    ? { direction, protocol: proto, fromPort: ports[0], toPort: ports[1], peer: p }
    : { direction, protocol: proto, peer: p };
}

const sgDelta = (op: SgPermissionDelta['op']): fc.Arbitrary<SgPermissionDelta> =>
  fc
    .record({
      direction: fc.constantFrom('ingress' as const, 'egress' as const),
      protocol,
      ports: portPair,
      peer,
      groupName: fc.constantFrom(undefined, 'default', 'web'),
    })
    .map(
      (r): SgPermissionDelta => ({
        kind: 'sg-permission',
        op,
        groupId: 'sg-0123456789abcdef0',
        ...(r.groupName ? { groupName: r.groupName } : {}),
        permission: permission(r.direction, r.protocol, r.ports, r.peer),
      }),
    );

const naclDelta = (op: NaclEntryDelta['op']): fc.Arbitrary<NaclEntryDelta> =>
  fc
    .record({
      ruleNumber: fc.integer({ min: 1, max: 32766 }),
      egress: fc.boolean(),
      action: fc.constantFrom('allow' as const, 'deny' as const),
      protocol,
      ports: portPair,
      cidr: fc.oneof(cidr4, cidr6, world4, world6),
    })
    .map(
      (r): NaclEntryDelta => ({
        kind: 'nacl-entry',
        op,
        naclId: 'acl-0f1e2d3c4b5a69788',
        entry: {
          ruleNumber: r.ruleNumber,
          egress: r.egress,
          action: r.action,
          protocol: r.protocol,
          cidr: { kind: r.cidr.includes(':') ? 'cidr6' : 'cidr4', value: r.cidr },
          ...(r.ports && r.protocol !== 'all' ? { fromPort: r.ports[0], toPort: r.ports[1] } : {}),
        },
      }),
    );

const routeTargetKind = fc.constantFrom(
  'internet-gateway',
  'egress-only-internet-gateway',
  'nat-gateway',
  'transit-gateway',
  'vpc-peering',
  'local',
  'unknown',
) as fc.Arbitrary<RouteDelta['target']['kind']>;
const routeDelta = (op: RouteDelta['op']): fc.Arbitrary<RouteDelta> =>
  fc.record({ dest: fc.oneof(cidr4, cidr6, world4, world6, fc.constant('0.0.0.0/0')), kind: routeTargetKind }).map(
    (r): RouteDelta => ({
      kind: 'route',
      op,
      routeTableId: 'rtb-04c8e2f1a9b7d3e65',
      destination: { kind: r.dest.includes(':') ? 'cidr6' : 'cidr4', value: r.dest },
      target: { kind: r.kind, id: 'igw-0d7c5b3a19e8f2046' },
    }),
  );

const statement = fc.record({
  Effect: fc.constantFrom('Allow', 'Deny'),
  Principal: fc.constantFrom('*', { AWS: 'arn:aws:iam::111122223333:role/etl' }),
  Action: fc.array(fc.constantFrom('*', 's3:*', 's3:GetObject', 's3:PutObject', 's3:Get*'), {
    minLength: 1,
    maxLength: 3,
  }),
  Resource: fc.constantFrom('*', 'arn:aws:s3:::acme-prod-artifacts/*'),
  Condition: fc.option(fc.constant({ StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } }), { nil: undefined }),
});
const policyState = fc.oneof(
  fc.array(statement, { minLength: 1, maxLength: 4 }).map((Statement) => policy({ Version: '2012-10-17', Statement })),
  fc.constant({ kind: 'full-access' as const }),
);
const endpointDelta = (op: EndpointPolicyDelta['op']): fc.Arbitrary<EndpointPolicyDelta> =>
  fc.record({ after: policyState, before: fc.option(policyState, { nil: undefined }) }).map(
    (r): EndpointPolicyDelta => ({
      kind: 'endpoint-policy',
      op,
      endpointId: 'vpce-0b9a8c7d6e5f40312',
      after: r.after,
      ...(r.before ? { before: r.before } : {}),
    }),
  );

const context: fc.Arbitrary<RuleContext> = fc.constantFrom(EMPTY_CONTEXT, {
  internalVpcIds: new Set(['vpc-0a1b2c3d4e5f60718']),
  knownAccounts: new Set(['444455556666']),
});

function risky(change: ChangeEvent, ctx: RuleContext): string[] {
  return evaluateAll(change, ctx)
    .filter((x) => isRisky(x.finding.severity))
    .map((x) => `${x.ruleId} ${x.finding.severity}: ${x.finding.summary}`);
}

// --- properties ----------------------------------------------------------------------------------------------
describe('tightening never pages', () => {
  it('removed SG permissions yield no medium+ finding from any rule', () => {
    fc.assert(
      fc.property(fc.array(sgDelta('removed'), { minLength: 1, maxLength: 4 }), context, (deltas, ctx) => {
        expect(risky(sgChange(deltas), ctx)).toEqual([]);
      }),
    );
  });

  it('removed NACL entries yield no medium+ finding', () => {
    fc.assert(
      fc.property(fc.array(naclDelta('removed'), { minLength: 1, maxLength: 4 }), context, (deltas, ctx) => {
        expect(risky(naclChange(deltas), ctx)).toEqual([]);
      }),
    );
  });

  it('removed routes yield no medium+ finding', () => {
    fc.assert(
      fc.property(fc.array(routeDelta('removed'), { minLength: 1, maxLength: 4 }), context, (deltas, ctx) => {
        expect(risky(routeChange(deltas), ctx)).toEqual([]);
      }),
    );
  });

  it('removed endpoint policies (endpoint deleted) yield no medium+ finding', () => {
    fc.assert(
      fc.property(endpointDelta('removed'), context, (d, ctx) => {
        expect(risky(endpointChange([d]), ctx)).toEqual([]);
      }),
    );
  });

  it('a mix of removed deltas of all these kinds yields no medium+ finding', () => {
    const removed: fc.Arbitrary<NetworkDelta> = fc.oneof(
      sgDelta('removed'),
      naclDelta('removed'),
      routeDelta('removed'),
      endpointDelta('removed'),
    );
    fc.assert(
      fc.property(fc.array(removed, { minLength: 1, maxLength: 6 }), context, (deltas, ctx) => {
        expect(risky(sgChange(deltas), ctx)).toEqual([]);
      }),
    );
  });

  it('a policy replaced by a subset of its own statements is never a medium+ loosening', () => {
    fc.assert(
      fc.property(
        fc.array(
          statement.filter((s) => s.Effect === 'Allow'),
          { minLength: 2, maxLength: 4 },
        ),
        fc.nat(),
        (stmts, drop) => {
          const before = policy({ Statement: stmts });
          const after = policy({ Statement: stmts.filter((_, i) => i !== drop % stmts.length) });
          const change = endpointChange([
            { kind: 'endpoint-policy', op: 'changed', endpointId: 'vpce-0b9a8c7d6e5f40312', before, after },
          ]);
          expect(risky(change, EMPTY_CONTEXT)).toEqual([]);
        },
      ),
    );
  });

  it('an SG ingress narrowed (changed with a wider before) yields no medium+ finding', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('tcp', 'udp'),
        fc.integer({ min: 0, max: 65535 }),
        v4addr,
        fc.integer({ min: 1, max: 31 }),
        fc.constantFrom(undefined, 'default'),
        (proto, port, addr, prefix, groupName) => {
          const wide: SgPermission = {
            direction: 'ingress',
            protocol: proto,
            fromPort: 0,
            toPort: 65535,
            peer: { kind: 'cidr4', cidr: `${addr}/${prefix}` },
          };
          const narrow: SgPermission = {
            direction: 'ingress',
            protocol: proto,
            fromPort: port,
            toPort: port,
            peer: { kind: 'cidr4', cidr: `${addr}/32` },
          };
          const d: SgPermissionDelta = {
            kind: 'sg-permission',
            op: 'changed',
            groupId: 'sg-0123456789abcdef0',
            permission: narrow,
            before: wide,
            ...(groupName ? { groupName } : {}),
          };
          expect(risky(sgChange([d]), EMPTY_CONTEXT)).toEqual([]);
        },
      ),
    );
  });
});

describe('the world is the world, whatever the host bits', () => {
  it('any /0 SG ingress (v4 or v6, tcp/udp/all) added yields sg-open-world >= medium naming port and CIDR', () => {
    fc.assert(
      fc.property(fc.oneof(world4, world6), portProtocol, portPair, (cidr, proto, ports) => {
        const p = permission(
          'ingress',
          proto,
          ports,
          cidr.includes(':') ? { kind: 'cidr6', cidr } : { kind: 'cidr4', cidr },
        );
        const change = sgChange([
          { kind: 'sg-permission', op: 'added', groupId: 'sg-0123456789abcdef0', permission: p },
        ]);
        const findings = sgOpenWorld.classify(change, EMPTY_CONTEXT);
        expect(findings).toHaveLength(1);
        const f = findings[0]!;
        expect(atLeast(f.severity, 'medium')).toBe(true);
        expect(f.summary).toContain(cidr);
        expect(f.summary).toContain(portLabel(p));
        expect(f.summary).toContain('sg-0123456789abcdef0');
        expect(f.why.length).toBeGreaterThan(0);
        expect(f.evidence).toEqual(change.deltas);
        // ...and sg-widened stays out of it (one finding per exposure).
        expect(evaluateAll(change).filter((x) => x.ruleId === 'sg-widened')).toEqual([]);
      }),
    );
  });

  // Was "a non-/0 CIDR never reaches sg-open-world": issue 12 made world-equivalent ranges (2000::/3, ::/1) the
  // internet too, so the boundary is now "holds every public address" (shared/net/special-purpose.ts).
  it('SG ingress from a CIDR that misses some public address never reaches sg-open-world', () => {
    fc.assert(
      fc.property(
        fc.oneof(cidr4, cidr6).filter((c) => !isWorldEquivalent(c)),
        protocol,
        portPair,
        (cidr, proto, ports) => {
          const p = permission(
            'ingress',
            proto,
            ports,
            cidr.includes(':') ? { kind: 'cidr6', cidr } : { kind: 'cidr4', cidr },
          );
          expect(
            sgOpenWorld.classify(
              sgChange([{ kind: 'sg-permission', op: 'added', groupId: 'sg-0123456789abcdef0', permission: p }]),
              EMPTY_CONTEXT,
            ),
          ).toEqual([]);
        },
      ),
    );
  });

  it('SG ingress from any world-equivalent CIDR (a /0, or any block holding all of 2000::/3) is sg-open-world', () => {
    fc.assert(
      fc.property(fc.oneof(world4, world6, worldEquivalent6), protocol, portPair, (text, proto, ports) => {
        expect(isWorldEquivalent(text)).toBe(true);
        const p = permission(
          'ingress',
          proto,
          ports,
          text.includes(':') ? { kind: 'cidr6', cidr: text } : { kind: 'cidr4', cidr: text },
        );
        const found = sgOpenWorld.classify(
          sgChange([{ kind: 'sg-permission', op: 'added', groupId: 'sg-0123456789abcdef0', permission: p }]),
          EMPTY_CONTEXT,
        );
        expect(found).toHaveLength(1);
      }),
      { numRuns: 200 },
    );
  });

  it('egress to the world never pages', () => {
    fc.assert(
      fc.property(fc.oneof(world4, world6), protocol, portPair, (cidr, proto, ports) => {
        const p = permission(
          'egress',
          proto,
          ports,
          cidr.includes(':') ? { kind: 'cidr6', cidr } : { kind: 'cidr4', cidr },
        );
        expect(
          risky(
            sgChange([{ kind: 'sg-permission', op: 'added', groupId: 'sg-0123456789abcdef0', permission: p }]),
            EMPTY_CONTEXT,
          ),
        ).toEqual([]);
      }),
    );
  });
});

describe('robustness', () => {
  it('no rule throws on arbitrary deltas of the kinds it reads', () => {
    const any: fc.Arbitrary<NetworkDelta> = fc.oneof(
      sgDelta('added'),
      sgDelta('changed'),
      sgDelta('removed'),
      naclDelta('added'),
      naclDelta('changed'),
      routeDelta('added'),
      routeDelta('changed'),
      endpointDelta('added'),
      endpointDelta('changed'),
    );
    fc.assert(
      fc.property(fc.array(any, { minLength: 1, maxLength: 6 }), context, (deltas, ctx) => {
        evaluateAll(sgChange(deltas), ctx);
      }),
    );
  });
});
