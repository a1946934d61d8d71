import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Exposure } from '../../shared/model/exposure.ts';
import type { ResourceState } from '../../shared/model/state.ts';
import { exposuresOf } from '../../shared/net/exposure.ts';
import {
  groupReach,
  interfacePath,
  interfacePathExposures,
  naclReach,
  pathOpen,
  routeReach,
  subnetReach,
  topologyOf,
  type Topology,
  type Traffic,
} from '../../shared/net/reachability.ts';
import {
  ALLOW_ALL,
  eigw,
  eni,
  igw,
  nacl,
  prefixList,
  referenceItems,
  routeTable,
  securityGroup,
  stateOf,
  subnet,
  type AclEntrySpec,
  type ConfigItem,
} from '../support/topology.ts';

/**
 * Reachability from the internet on real-shaped topologies (AWS Config items through the Config normalizer), checked
 * against the conditions AWS documents for internet access and that Reachability Analyzer evaluates: an internet
 * gateway attached to the VPC, a route to it from the subnet, a public IPv4 / Elastic IP or IPv6 address, a network ACL
 * admitting the traffic in and the replies out (ephemeral ports 1024-65535), the security group.
 * https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html,
 * https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html
 */

const SG = 'sg-0aaa0000000000022';
const PUBLIC_ENI = 'eni-0aaa0000000000001';
const PRIVATE_ENI = 'eni-0bbb0000000000002';
const PUBLIC_SUBNET = 'subnet-0aaa0000000000001';
const PRIVATE_SUBNET = 'subnet-0bbb0000000000002';
const IGW = 'igw-0a1b2c3d4e5f60718';

function topology(items: ConfigItem[], options: { complete?: boolean } = {}): Topology {
  const states = items.map(stateOf);
  const lists = new Map(states.flatMap((s) => (s.kind === 'prefix-list' ? [[s.id, s.entries] as const] : [])));
  return topologyOf(states, { prefixLists: (id) => lists.get(id), complete: options.complete ?? true });
}

/** The reference topology with items replaced (same id) or added. */
function withItems(...replacing: ConfigItem[]): ConfigItem[] {
  const ids = new Set(replacing.map((i) => i.resourceId));
  return [...referenceItems().filter((i) => !ids.has(i.resourceId)), ...replacing];
}

function sgExposure(
  t: Topology,
  id = SG,
): { state: Extract<ResourceState, { kind: 'security-group' }>; exposure: Exposure } {
  const state = t.state(id);
  if (state?.kind !== 'security-group') throw new Error(`no group ${id}`);
  const exposure = exposuresOf(state, { prefixLists: t.prefixLists }).find((e) => e.kind === 'sg-ingress');
  if (exposure === undefined) throw new Error(`no exposure on ${id}`);
  return { state, exposure };
}

const SSH: Traffic = { range: { protocol: 'tcp', fromPort: 22, toPort: 22 }, family: 4 };

describe('reachability on real-shaped topologies', () => {
  it('public subnet: the world-open group is reachable through the interface with a public IP, and the path is named', () => {
    // Prepare
    const t = topology(referenceItems());
    const { state, exposure } = sgExposure(t);
    // Act
    const reach = groupReach(state, exposure, t);
    // Assess
    expect(reach.verdict).toBe('reachable');
    expect(reach.text).toBe(
      `${PUBLIC_ENI} in ${PUBLIC_SUBNET} reachable from the IPv4 internet on tcp/22: ${SG} allows tcp/22 from 0.0.0.0/0, ${PUBLIC_ENI} has public IP 54.217.10.20, route table rtb-0aaa0000000000001 sends 0.0.0.0/0 -> ${IGW}, ${IGW} is attached to vpc-0a1b2c3d4e5f60718, network ACL acl-0aaa0000000000001 allows it in (rule #100), network ACL acl-0aaa0000000000001 lets the replies out (rule #100)`,
    );
  });

  it('private subnet with NAT: an interface there is not reachable (the default route goes to a NAT gateway)', () => {
    // Prepare: the group is on the private interface only.
    const t = topology(
      withItems(
        eni(PUBLIC_ENI, PUBLIC_SUBNET, [], { publicIp: '54.217.10.20' }),
        eni(PRIVATE_ENI, PRIVATE_SUBNET, [SG], { publicIp: '54.217.10.21' }),
      ),
    );
    const { state, exposure } = sgExposure(t);
    // Act
    const reach = groupReach(state, exposure, t);
    // Assess: even a public IP does not help without an internet-gateway route.
    expect(reach.verdict).toBe('unreachable');
    expect(reach.text).toContain(
      'route table rtb-0bbb0000000000002 sends 0.0.0.0/0 to nat-0c1d2e3f4a5b60718 (nat-gateway, not an internet gateway',
    );
  });

  it('public subnet without a public address: not reachable, the missing link is the address', () => {
    const t = topology(withItems(eni(PUBLIC_ENI, PUBLIC_SUBNET, [SG]), eni(PRIVATE_ENI, PRIVATE_SUBNET, [])));
    const { state, exposure } = sgExposure(t);
    const reach = groupReach(state, exposure, t);
    expect(reach.verdict).toBe('unreachable');
    expect(reach.text).toBe(
      `not reachable from the internet now: ${PUBLIC_ENI} has no public IPv4 address or Elastic IP (private only)`,
    );
  });

  it('an Elastic IP counts as a public address', () => {
    const t = topology(
      withItems(
        eni(PUBLIC_ENI, PUBLIC_SUBNET, [SG], { publicIp: '52.31.1.2', allocationId: 'eipalloc-0a1b2c3d4e5f60718' }),
      ),
    );
    const path = interfacePath(PUBLIC_ENI, SSH, t);
    expect(pathOpen(path)).toBe(true);
    expect(path.links[1]?.text).toBe(`${PUBLIC_ENI} has Elastic IP 52.31.1.2`);
  });

  it('IGW route via a prefix list: reachable when the list holds internet addresses, not when it holds none', () => {
    // Prepare: the public subnet's table routes pl-… to the internet gateway instead of 0.0.0.0/0.
    const viaList = (entries: string[]) =>
      topology(
        withItems(
          prefixList('pl-0a1b2c3d4e5f6a7b8', entries),
          routeTable('rtb-0aaa0000000000001', [['pl-0a1b2c3d4e5f6a7b8', IGW]], [PUBLIC_SUBNET]),
        ),
      );
    // Act
    const world = viaList(['0.0.0.0/0']);
    const partial = viaList(['52.94.0.0/16']);
    const privateOnly = viaList(['10.50.0.0/16']);
    // Assess
    expect(pathOpen(interfacePath(PUBLIC_ENI, SSH, world))).toBe(true);
    expect(interfacePath(PUBLIC_ENI, SSH, world).links[2]?.text).toBe(
      `route table rtb-0aaa0000000000001 sends 0.0.0.0/0 (in pl-0a1b2c3d4e5f6a7b8) -> ${IGW}`,
    );
    // Part of the internet routed back through the gateway is still the internet reaching in (from those addresses).
    expect(pathOpen(interfacePath(PUBLIC_ENI, SSH, partial))).toBe(true);
    expect(pathOpen(interfacePath(PUBLIC_ENI, SSH, privateOnly))).toBe(false);
  });

  it('a prefix list whose entries are unknown is assumed to route the internet (worst case)', () => {
    const t = topology(
      withItems(routeTable('rtb-0aaa0000000000001', [['pl-0fff0000000000000', IGW]], [PUBLIC_SUBNET])),
    );
    expect(pathOpen(interfacePath(PUBLIC_ENI, SSH, t))).toBe(true);
  });

  it('IPv6 via an egress-only gateway: not reachable; via an internet gateway: reachable', () => {
    // Prepare: an IPv6 web group on an interface with an IPv6 address.
    const v6 = (target: string) =>
      topology(
        withItems(
          securityGroup(SG, [['tcp', 443, 443, '::/0']]),
          eigw('eigw-0a1b2c3d4e5f60718'),
          eni(PUBLIC_ENI, PUBLIC_SUBNET, [SG], { ipv6: '2a05:d018:1234:5600::10' }),
          routeTable(
            'rtb-0aaa0000000000001',
            [
              ['0.0.0.0/0', IGW],
              ['::/0', target],
            ],
            [PUBLIC_SUBNET],
          ),
        ),
      );
    // Act
    const egressOnly = v6('eigw-0a1b2c3d4e5f60718');
    const internet = v6(IGW);
    // Assess
    const r1 = groupReach(sgExposure(egressOnly).state, sgExposure(egressOnly).exposure, egressOnly);
    expect(r1.verdict).toBe('unreachable');
    expect(r1.text).toContain(
      'sends ::/0 to eigw-0a1b2c3d4e5f60718 (egress only: the internet cannot open connections)',
    );
    const r2 = groupReach(sgExposure(internet).state, sgExposure(internet).exposure, internet);
    expect(r2.verdict).toBe('reachable');
    expect(r2.text).toContain('has IPv6 address 2a05:d018:1234:5600::10');
  });

  it('network ACL ephemeral ports: replies blocked → not reachable; 1024-65535 (or a narrower client range) out → reachable', () => {
    // Prepare: ssh in from anywhere; the outbound side varies.
    const acl = (out: AclEntrySpec[]) =>
      topology(
        withItems(
          nacl(
            'acl-0aaa0000000000001',
            [[100, false, 'allow', '6', '0.0.0.0/0', 22, 22], ...out],
            [PUBLIC_SUBNET, PRIVATE_SUBNET],
          ),
        ),
      );
    // Act
    const httpsOnly = acl([[100, true, 'allow', '6', '0.0.0.0/0', 443, 443]]);
    const ephemeral = acl([[100, true, 'allow', '6', '0.0.0.0/0', 1024, 65535]]);
    const linuxOnly = acl([[100, true, 'allow', '6', '0.0.0.0/0', 32768, 60999]]);
    const deniedFirst = acl([
      [90, true, 'deny', '6', '0.0.0.0/0', 1024, 65535],
      [100, true, 'allow', '6', '0.0.0.0/0', 1024, 65535],
    ]);
    // Assess
    const blocked = interfacePath(PUBLIC_ENI, SSH, httpsOnly);
    expect(pathOpen(blocked)).toBe(false);
    expect(blocked.links[5]?.text).toBe(
      'network ACL acl-0aaa0000000000001 blocks the replies: no outbound allow to the internet on tcp/1024-65535 (network ACLs are stateless; clients use ephemeral ports 1024-65535)',
    );
    expect(pathOpen(interfacePath(PUBLIC_ENI, SSH, ephemeral))).toBe(true);
    expect(pathOpen(interfacePath(PUBLIC_ENI, SSH, linuxOnly))).toBe(true);
    expect(pathOpen(interfacePath(PUBLIC_ENI, SSH, deniedFirst))).toBe(false);
  });

  it('a lower-numbered deny of the internet in front of the allow blocks the traffic in', () => {
    const t = topology(
      withItems(
        nacl(
          'acl-0aaa0000000000001',
          [[90, false, 'deny', '6', '0.0.0.0/0', 22, 22], ...ALLOW_ALL],
          [PUBLIC_SUBNET, PRIVATE_SUBNET],
        ),
      ),
    );
    const path = interfacePath(PUBLIC_ENI, SSH, t);
    expect(path.links[4]).toMatchObject({ link: 'nacl-inbound', state: 'absent' });
    // Other ports still get in: the deny takes tcp/22 only.
    const https = interfacePath(PUBLIC_ENI, { range: { protocol: 'tcp', fromPort: 443, toPort: 443 }, family: 4 }, t);
    expect(https.links[4]).toMatchObject({ link: 'nacl-inbound', state: 'present' });
  });

  it('an internet gateway detached from the VPC makes the route a blackhole', () => {
    const t = topology(withItems(igw(IGW, null)));
    const path = interfacePath(PUBLIC_ENI, SSH, t);
    expect(path.links[3]).toMatchObject({ link: 'gateway', state: 'absent' });
  });

  it('unknown links count as reachable (never a lower grade on missing state) and are named as assumed', () => {
    // Prepare: the route table and ACL of the public subnet were never seen.
    const items = referenceItems().filter(
      (i) => !['rtb-0aaa0000000000001', 'acl-0aaa0000000000001'].includes(i.resourceId),
    );
    const t = topology(items, { complete: false });
    const { state, exposure } = sgExposure(t);
    // Act
    const reach = groupReach(state, exposure, t);
    // Assess
    expect(reach.verdict).toBe('unknown');
    expect(reach.assumed).toContain(`the network ACL of ${PUBLIC_SUBNET} is not known`);
    expect(reach.assumed).toContain(`the route table of ${PUBLIC_SUBNET} is not known`);
    // With the inventory complete, a subnet with no explicit association uses the VPC's main table (NAT here).
    const complete = topology(items, { complete: true });
    expect(groupReach(sgExposure(complete).state, sgExposure(complete).exposure, complete).verdict).toBe('unreachable');
  });

  it('a state known only from events never makes a link absent (what was not seen may be there)', () => {
    const states = withItems(
      nacl('acl-0aaa0000000000001', [[100, false, 'allow', '6', '0.0.0.0/0', 443, 443]], [PUBLIC_SUBNET]),
    ).map(stateOf);
    const t = topologyOf(states, { complete: true, partial: new Set(['acl-0aaa0000000000001']) });
    const path = interfacePath(PUBLIC_ENI, SSH, t);
    expect(path.links[4]?.state).toBe('unknown');
    expect(pathOpen(path)).toBe(true);
  });

  it('a group attached to nothing: not reachable once the inventory is complete, unknown before', () => {
    const items = withItems(eni(PUBLIC_ENI, PUBLIC_SUBNET, []), eni(PRIVATE_ENI, PRIVATE_SUBNET, []));
    const complete = topology(items, { complete: true });
    const partial = topology(items, { complete: false });
    expect(groupReach(sgExposure(complete).state, sgExposure(complete).exposure, complete).text).toBe(
      `not reachable from the internet now: ${SG} is attached to no network interface`,
    );
    const unknown = groupReach(sgExposure(partial).state, sgExposure(partial).exposure, partial);
    expect(unknown.verdict).toBe('unknown');
    // Before the inventory is complete, "attached to nothing" is not a fact: the text says what is not known.
    expect(unknown.text).toBe(`no network interface is known to use ${SG}`);
    // The group's own Config item saying "no interface" is enough.
    expect(groupReach(sgExposure(partial).state, sgExposure(partial).exposure, partial, []).verdict).toBe(
      'unreachable',
    );
  });

  it('network ACL and route exposures are judged through the interfaces of the subnets they serve', () => {
    const t = topology(referenceItems());
    const acl = t.state('acl-0aaa0000000000001');
    const rtbPublic = t.state('rtb-0aaa0000000000001');
    if (acl?.kind !== 'network-acl' || rtbPublic?.kind !== 'route-table') throw new Error('fixture');
    const aclExposure = exposuresOf(acl).find((e) => e.family === 4);
    const routeExposure = exposuresOf(rtbPublic).find((e) => e.kind === 'route-internet');
    expect(naclReach(acl, aclExposure!, t).verdict).toBe('reachable');
    expect(routeReach(rtbPublic, routeExposure!, t).verdict).toBe('reachable');
    // The same default route in a table no subnet uses reaches nothing.
    const unused = topology(withItems(routeTable('rtb-0ccc0000000000003', [['0.0.0.0/0', IGW]], [])));
    const table = unused.state('rtb-0ccc0000000000003');
    if (table?.kind !== 'route-table') throw new Error('fixture');
    expect(routeReach(table, exposuresOf(table).find((e) => e.kind === 'route-internet')!, unused).text).toBe(
      'not reachable from the internet now: rtb-0ccc0000000000003 is associated with no subnet',
    );
  });

  it('a main route table serves the subnets of its VPC without an explicit association', () => {
    const items = withItems(
      subnet('subnet-0ddd0000000000004'),
      eni('eni-0ddd0000000000004', 'subnet-0ddd0000000000004', [SG], { publicIp: '54.217.10.30' }),
      routeTable('rtb-0bbb0000000000002', [['0.0.0.0/0', IGW]], [PRIVATE_SUBNET], { main: true }),
      nacl('acl-0aaa0000000000001', ALLOW_ALL, [PUBLIC_SUBNET, PRIVATE_SUBNET, 'subnet-0ddd0000000000004']),
    );
    const t = topology(items);
    const path = interfacePath('eni-0ddd0000000000004', SSH, t);
    expect(path.links[2]?.text).toBe(`route table rtb-0bbb0000000000002 sends 0.0.0.0/0 -> ${IGW}`);
    expect(pathOpen(path)).toBe(true);
  });

  it('subnet public on launch: reachable with an internet-gateway route, not with a NAT route', () => {
    const t = topology(
      withItems(subnet(PUBLIC_SUBNET, { mapPublicIp: true }), subnet(PRIVATE_SUBNET, { mapPublicIp: true })),
    );
    const pub = t.state(PUBLIC_SUBNET);
    const priv = t.state(PRIVATE_SUBNET);
    if (pub?.kind !== 'subnet' || priv?.kind !== 'subnet') throw new Error('fixture');
    expect(subnetReach(pub, t).verdict).toBe('reachable');
    expect(subnetReach(priv, t).text).toContain('sends 0.0.0.0/0 to nat-0c1d2e3f4a5b60718');
  });
});

describe('internet paths of an interface', () => {
  it('the public interface has one path per hole of its groups; the private one none', () => {
    const t = topology(referenceItems());
    const pub = t.state(PUBLIC_ENI);
    const priv = t.state(PRIVATE_ENI);
    if (pub?.kind !== 'network-interface' || priv?.kind !== 'network-interface') throw new Error('fixture');
    const paths = interfacePathExposures(pub, t);
    expect(paths.map((e) => [e.key, e.label])).toEqual([
      [`internet-path|${PUBLIC_ENI}|v4|tcp/22`, `tcp/22 on ${PUBLIC_ENI} reachable from the whole IPv4 internet`],
    ]);
    expect(paths[0]?.via[0]?.text).toContain(`${SG} allows tcp/22 from 0.0.0.0/0`);
    expect(interfacePathExposures(priv, t)).toEqual([]);
  });

  it('halves in two groups of one interface add up to the whole internet (AWS aggregates the rules of all its groups)', () => {
    const t = topology(
      withItems(
        securityGroup('sg-0aaa0000000000001', [['tcp', 3389, 3389, '0.0.0.0/1']]),
        securityGroup('sg-0aaa0000000000002', [['tcp', 3389, 3389, '128.0.0.0/1']]),
        eni(PUBLIC_ENI, PUBLIC_SUBNET, ['sg-0aaa0000000000001', 'sg-0aaa0000000000002'], { publicIp: '54.217.10.20' }),
      ),
    );
    const state = t.state(PUBLIC_ENI);
    if (state?.kind !== 'network-interface') throw new Error('fixture');
    const [path] = interfacePathExposures(state, t);
    expect(path?.key).toBe(`internet-path|${PUBLIC_ENI}|v4|tcp/3389`);
    expect(path?.via[0]?.text).toContain(
      'sg-0aaa0000000000001 + sg-0aaa0000000000002 allow tcp/3389 from 0.0.0.0/1 + 128.0.0.0/1',
    );
  });
});

// ── properties: adding a link never lowers reachability; removing one never raises it ──────────────────────────────

const TRAFFIC: Traffic[] = [
  SSH,
  { range: { protocol: 'tcp', fromPort: 443, toPort: 443 }, family: 4 },
  { range: { protocol: 'all' }, family: 4 },
  { range: { protocol: 'tcp', fromPort: 443, toPort: 443 }, family: 6 },
];

/** Which (interface, traffic) pairs have an open path: the measure both properties compare. */
function openPaths(items: ConfigItem[], partial: ReadonlySet<string> = new Set()): Set<string> {
  const states = items.map(stateOf);
  const lists = new Map(states.flatMap((s) => (s.kind === 'prefix-list' ? [[s.id, s.entries] as const] : [])));
  const t = topologyOf(states, { prefixLists: (id) => lists.get(id), complete: true, partial });
  const out = new Set<string>();
  // A fixed interface: forgetting its state must not drop it from the measure.
  for (const id of [PUBLIC_ENI, PRIVATE_ENI])
    for (const [i, traffic] of TRAFFIC.entries()) if (pathOpen(interfacePath(id, traffic, t))) out.add(`${id}#${i}`);
  return out;
}

const subset = (a: Set<string>, b: Set<string>) => [...a].every((x) => b.has(x));

const publicCidr = fc.constantFrom('0.0.0.0/0', '52.0.0.0/8', '0.0.0.0/1', '128.0.0.0/1', '54.217.0.0/16');
const aclEntry = (egress: boolean, action: 'allow' | 'deny') =>
  fc
    .record({
      rule: fc.integer({ min: 1, max: 400 }),
      protocol: fc.constantFrom('-1', '6', '17'),
      from: fc.constantFrom(22, 443, 1024, 32768),
      span: fc.constantFrom(0, 100, 40000),
      cidr: fc.oneof(publicCidr, fc.constantFrom('::/0', '2a05::/16')),
    })
    .map(
      ({ rule, protocol, from, span, cidr }): AclEntrySpec =>
        protocol === '-1'
          ? [rule, egress, action, protocol, cidr]
          : [rule, egress, action, protocol, cidr, from, Math.min(65535, from + span)],
    );

/** A random topology around two interfaces: links on or off at random, ACL entries at random. */
const topologies = fc
  .record({
    attached: fc.boolean(),
    publicRoute: fc.constantFrom<[string, string] | undefined>(
      ['0.0.0.0/0', IGW],
      ['52.0.0.0/8', IGW],
      ['0.0.0.0/0', 'nat-0c1d2e3f4a5b60718'],
      undefined,
    ),
    v6Route: fc.constantFrom<[string, string] | undefined>(
      ['::/0', IGW],
      ['::/0', 'eigw-0a1b2c3d4e5f60718'],
      undefined,
    ),
    inbound: fc.array(fc.oneof(aclEntry(false, 'allow'), aclEntry(false, 'deny')), { maxLength: 4 }),
    outbound: fc.array(fc.oneof(aclEntry(true, 'allow'), aclEntry(true, 'deny')), { maxLength: 4 }),
    rules: fc.array(fc.tuple(fc.constantFrom('tcp', '-1'), fc.constantFrom(22, 443), publicCidr), { maxLength: 3 }),
    publicIp: fc.boolean(),
    ipv6: fc.boolean(),
    inGroup: fc.boolean(),
  })
  .map((r): ConfigItem[] => {
    const unique = (entries: AclEntrySpec[]) =>
      entries.filter((e, i) => entries.findIndex((o) => o[0] === e[0] && o[1] === e[1]) === i);
    return [
      igw(IGW, r.attached ? undefined : 'vpc-0fff0000000000000'),
      subnet(PUBLIC_SUBNET),
      routeTable(
        'rtb-0aaa0000000000001',
        [...(r.publicRoute ? [r.publicRoute] : []), ...(r.v6Route ? [r.v6Route] : [])],
        [PUBLIC_SUBNET],
      ),
      nacl('acl-0aaa0000000000001', unique([...r.inbound, ...r.outbound]), [PUBLIC_SUBNET]),
      securityGroup(
        SG,
        r.rules.map(([p, port, cidr]) => [p, p === 'tcp' ? port : undefined, p === 'tcp' ? port : undefined, cidr]),
      ),
      securityGroup('sg-0bbb0000000000033', [['tcp', 443, 443, '::/0']]),
      eni(PUBLIC_ENI, PUBLIC_SUBNET, r.inGroup ? [SG, 'sg-0bbb0000000000033'] : ['sg-0bbb0000000000033'], {
        ...(r.publicIp ? { publicIp: '54.217.10.20' } : {}),
        ...(r.ipv6 ? { ipv6: '2a05:d018:1234:5600::10' } : {}),
      }),
    ];
  });

function replace(items: ConfigItem[], next: ConfigItem): ConfigItem[] {
  return items.map((i) => (i.resourceId === next.resourceId ? next : i));
}
function configOf(items: ConfigItem[], id: string): Record<string, unknown> {
  return structuredClone(items.find((i) => i.resourceId === id)!.configuration);
}
function withConfig(items: ConfigItem[], id: string, change: (c: Record<string, unknown>) => void): ConfigItem[] {
  const old = items.find((i) => i.resourceId === id)!;
  const configuration = configOf(items, id);
  change(configuration);
  return replace(items, { ...old, configuration });
}
const arr = (c: Record<string, unknown>, key: string) => c[key] as Record<string, unknown>[];
const freeRule = (items: ConfigItem[], egress: boolean, n: number) => {
  const used = new Set(
    arr(configOf(items, 'acl-0aaa0000000000001'), 'entries')
      .filter((e) => e['egress'] === egress)
      .map((e) => e['ruleNumber']),
  );
  let rule = n;
  while (used.has(rule)) rule += 1;
  return rule;
};

/** Mutations that add a link (or add what a link can use): never fewer open paths. */
const enabling: Array<[string, (items: ConfigItem[], n: number) => ConfigItem[]]> = [
  [
    'route 0.0.0.0/0 to the internet gateway',
    (items) =>
      withConfig(items, 'rtb-0aaa0000000000001', (c) => {
        if (!arr(c, 'routes').some((r) => r['destinationCidrBlock'] === '0.0.0.0/0'))
          arr(c, 'routes').push({ destinationCidrBlock: '0.0.0.0/0', gatewayId: IGW, state: 'active' });
      }),
  ],
  [
    'route ::/0 to the internet gateway',
    (items) =>
      withConfig(items, 'rtb-0aaa0000000000001', (c) => {
        if (!arr(c, 'routes').some((r) => r['destinationIpv6CidrBlock'] === '::/0'))
          arr(c, 'routes').push({ destinationIpv6CidrBlock: '::/0', gatewayId: IGW, state: 'active' });
      }),
  ],
  ['gateway attached', (items) => replace(items, igw(IGW))],
  [
    'public IP',
    (items) =>
      withConfig(items, PUBLIC_ENI, (c) => {
        const association = { publicIp: '54.217.10.99', ipOwnerId: 'amazon' };
        c['association'] = association;
        c['privateIpAddresses'] = [{ primary: true, privateIpAddress: '10.0.1.10', association }];
      }),
  ],
  [
    'IPv6 address',
    (items) => withConfig(items, PUBLIC_ENI, (c) => void (c['ipv6Addresses'] = [{ ipv6Address: '2a05:d018::99' }])),
  ],
  [
    'joins the group',
    (items) =>
      withConfig(items, PUBLIC_ENI, (c) => {
        if (!arr(c, 'groups').some((g) => g['groupId'] === SG)) arr(c, 'groups').push({ groupId: SG });
      }),
  ],
  [
    'group allows all traffic from the world',
    (items) =>
      withConfig(items, SG, (c) =>
        arr(c, 'ipPermissions').push({ ipProtocol: '-1', ipv4Ranges: [{ cidrIp: '0.0.0.0/0' }] }),
      ),
  ],
  [
    'ACL allow in (free rule number)',
    (items, n) =>
      withConfig(items, 'acl-0aaa0000000000001', (c) =>
        arr(c, 'entries').push({
          ruleNumber: freeRule(items, false, n),
          egress: false,
          ruleAction: 'allow',
          protocol: '-1',
          cidrBlock: '0.0.0.0/0',
        }),
      ),
  ],
  [
    'ACL allow out (free rule number)',
    (items, n) =>
      withConfig(items, 'acl-0aaa0000000000001', (c) =>
        arr(c, 'entries').push({
          ruleNumber: freeRule(items, true, n),
          egress: true,
          ruleAction: 'allow',
          protocol: '6',
          cidrBlock: '0.0.0.0/0',
          portRange: { from: 1024, to: 65535 },
        }),
      ),
  ],
];

/** Mutations that remove a link (or put something in its way): never more open paths. */
const disabling: Array<[string, (items: ConfigItem[], n: number) => ConfigItem[]]> = [
  [
    'routes to the gateway removed',
    (items) =>
      withConfig(items, 'rtb-0aaa0000000000001', (c) => {
        c['routes'] = arr(c, 'routes').filter((r) => r['gatewayId'] !== IGW);
      }),
  ],
  [
    'a more specific route to a NAT gateway',
    (items) =>
      withConfig(items, 'rtb-0aaa0000000000001', (c) =>
        arr(c, 'routes').push({
          destinationCidrBlock: '54.0.0.0/8',
          natGatewayId: 'nat-0c1d2e3f4a5b60718',
          state: 'active',
        }),
      ),
  ],
  ['gateway detached', (items) => replace(items, igw(IGW, 'vpc-0fff0000000000000'))],
  [
    'addresses released',
    (items) =>
      withConfig(items, PUBLIC_ENI, (c) => {
        c['association'] = null;
        c['privateIpAddresses'] = [{ primary: true, privateIpAddress: '10.0.1.10', association: null }];
        c['ipv6Addresses'] = [];
      }),
  ],
  [
    'leaves the group',
    (items) =>
      withConfig(items, PUBLIC_ENI, (c) => void (c['groups'] = arr(c, 'groups').filter((g) => g['groupId'] !== SG))),
  ],
  ['group rules revoked', (items) => withConfig(items, SG, (c) => void (c['ipPermissions'] = []))],
  [
    'an ACL allow entry deleted',
    (items, n) =>
      withConfig(items, 'acl-0aaa0000000000001', (c) => {
        const allows = arr(c, 'entries').filter((e) => e['ruleAction'] === 'allow');
        const gone = allows[n % Math.max(1, allows.length)];
        c['entries'] = arr(c, 'entries').filter((e) => e !== gone);
      }),
  ],
  [
    'an ACL deny in front (free rule number)',
    (items, n) =>
      withConfig(items, 'acl-0aaa0000000000001', (c) =>
        arr(c, 'entries').push({
          ruleNumber: freeRule(items, n % 2 === 0, 1),
          egress: n % 2 === 0,
          ruleAction: 'deny',
          protocol: '-1',
          cidrBlock: '0.0.0.0/0',
        }),
      ),
  ],
];

describe('reachability properties (fast-check)', () => {
  it('adding a link never lowers reachability', () => {
    fc.assert(
      fc.property(
        topologies,
        fc.integer({ min: 0, max: enabling.length - 1 }),
        fc.integer({ min: 1, max: 300 }),
        (items, m, n) => {
          const [, mutate] = enabling[m]!;
          expect(subset(openPaths(items), openPaths(mutate(items, n)))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('removing a link never raises reachability', () => {
    fc.assert(
      fc.property(
        topologies,
        fc.integer({ min: 0, max: disabling.length - 1 }),
        fc.integer({ min: 0, max: 300 }),
        (items, m, n) => {
          const [, mutate] = disabling[m]!;
          expect(subset(openPaths(mutate(items, n)), openPaths(items))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('forgetting a state (it becomes unknown, or known only from events) never lowers reachability', () => {
    fc.assert(
      fc.property(
        topologies,
        fc.constantFrom('rtb-0aaa0000000000001', 'acl-0aaa0000000000001', IGW, SG, PUBLIC_ENI),
        (items, id) => {
          const known = openPaths(items);
          expect(subset(known, openPaths(items.filter((i) => i.resourceId !== id)))).toBe(true);
          expect(subset(known, openPaths(items, new Set([id])))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the properties can fail: a mutation that removes a link lowers reachability on the reference topology', () => {
    const items = referenceItems().filter((i) => i.resourceId !== PRIVATE_ENI);
    const [, release] = disabling.find(([name]) => name === 'addresses released')!;
    expect(openPaths(items).size).toBeGreaterThan(0);
    expect(subset(openPaths(items), openPaths(release(items, 0)))).toBe(false);
  });
});
