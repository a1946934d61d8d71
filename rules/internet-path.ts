import type { BindingDelta, ChangeEvent, NetworkDelta } from '../shared/model/change.ts';
import type { Exposure } from '../shared/model/exposure.ts';
import type { FindingDraft } from '../shared/model/finding.ts';
import type { Rule, RuleCase } from '../shared/model/rule.ts';
import type { Severity } from '../shared/model/severity.ts';
import { exposureChanges } from '../shared/net/exposure.ts';
import { exposureOf, type ExposureClass } from '../shared/net/ports.ts';
import { ACCOUNT, cidr, ec2, perm, REGION, SG, sgDelta } from './cases/build.ts';

/**
 * Exposure by association: a network interface the internet can now reach because of what it joined — a world-open
 * security group (ModifyNetworkInterfaceAttribute / ModifyInstanceAttribute group sets), an Elastic IP
 * (AssociateAddress), a subnet moved to a table with an internet-gateway route (AssociateRouteTable /
 * ReplaceRouteTableAssociation) or to an ACL that lets the traffic in (ReplaceNetworkAclAssociation), or the Config
 * items that show the same. The state step keeps each interface's bindings and evaluates its `internet-path`
 * exposures (shared/net/reachability.ts): group, public address, route to an attached internet gateway, ACL in and
 * replies out. This rule grades a path the change created.
 *
 * A path opened by the change of the hole itself (a rule added to the group, an ACL entry, a route, a gateway
 * attached) is info here: the group's, ACL's, table's or gateway's own rule grades that change, with the path in its
 * reasons — one page per change, not one per interface.
 */

/** What a responder checks first (pages show it; rules/index.ts `RUNBOOKS` lists it apart from the rule). */
export const whatToCheck =
  'Which workload is behind this interface (instance, load balancer, service)? It became reachable from the internet by joining something already exposed. Confirm the association was intended; otherwise undo it (the group set, the Elastic IP, the subnet association) and check the flow logs for connections since.';

/** Severity by what the path exposes: all traffic critical, admin and data stores high, web medium, ICMP low. */
const SEVERITY_BY_CLASS: Readonly<Record<ExposureClass, Severity>> = {
  'all-traffic': 'critical',
  admin: 'high',
  'data-store': 'high',
  web: 'medium',
  other: 'medium',
  icmp: 'low',
};

/** Delta kinds that change a hole itself (graded by that hole's own rule). */
const HOLE_KINDS: ReadonlySet<NetworkDelta['kind']> = new Set([
  'sg-permission',
  'prefix-list-entry',
  'nacl-entry',
  'route',
  'gateway-attachment',
]);

function cause(evidence: readonly NetworkDelta[], change: ChangeEvent): string {
  const binding = evidence.find((d): d is BindingDelta => d.kind === 'binding');
  if (binding !== undefined) {
    const b = binding.binding;
    if (b.kind === 'security-groups') return `joined security groups ${b.groupIds.join(', ')}`;
    if (b.kind === 'public-address')
      return `got ${b.elastic || b.allocationId !== undefined ? `Elastic IP ${b.allocationId ?? b.address ?? ''}` : `public IPv${b.family} ${b.address ?? ''}`}`.trim();
    if (b.kind === 'subnet') return `was placed in ${b.subnetId}`;
    return 'changed bindings';
  }
  const association = evidence.find((d) => d.kind === 'subnet-association');
  if (association?.kind === 'subnet-association')
    return `its subnet ${association.subnetId ?? ''} was associated with ${association.tableId}`.replace('  ', ' ');
  if (change.source === 'config') return 'as its Config item shows';
  return `through ${change.api?.name ?? 'a change'}`;
}

function classify(change: ChangeEvent): FindingDraft[] {
  return exposureChanges(change, 'internet-path').map(({ exposure, isNew, evidence, view }): FindingDraft => {
    const range = exposure.range ?? { protocol: 'all' };
    const classOf = exposureOf(range.protocol, range.fromPort, range.toPort);
    const path = exposure.via[0]?.text ?? exposure.label;
    const links = exposure.via.slice(1).map((v) => v.text);
    const why = [
      `the internet reaches ${view.id} on ${classOf.label}: ${[...new Set(links)].join('; ')}`,
      classOf.class === 'all-traffic'
        ? 'all traffic: every port and protocol'
        : classOf.ports.length
          ? `exposes ${classOf.class} ports: ${classOf.ports.map((p) => p.name).join(', ')}`
          : `exposure class ${classOf.class}`,
      ...(exposure.assumed ?? []).map((a) => `${a} (unknown links count as reachable)`),
    ];
    let severity = SEVERITY_BY_CLASS[classOf.class];
    const holeChanged = evidence.some((d) => HOLE_KINDS.has(d.kind));
    if (!isNew) {
      severity = 'info';
      why.push('the path was already open before this change');
    } else if (holeChanged) {
      severity = 'info';
      why.push(
        `opened by the change of the hole itself${change.state?.cause ? ` (${change.state.cause.resource.id})` : ''}: its own rule grades it, naming this path`,
      );
    }
    const assumed = (exposure.assumed ?? []).filter((a) => a.startsWith('assumed:')).length;
    const unknownText =
      assumed > 0 ? `; ${assumed} link${assumed === 1 ? '' : 's'} not known, counted as reachable` : '';
    return {
      severity,
      title: isNew
        ? 'Network interface now reachable from the internet'
        : 'Network interface reachable from the internet',
      summary: `${path.replace(' reachable from the', isNew ? ' now reachable from the' : ' reachable from the')} (${cause(evidence, change)}${unknownText})`,
      evidence,
      why,
      exposures: [exposure.key],
    };
  });
}

/** A network interface newly reachable from the internet through what it was associated with. */
export const rule: Rule = {
  id: 'internet-path',
  title: 'Network interface reachable from the internet',
  description:
    'A network interface became reachable from the internet by joining something already exposed: a security group ' +
    'open to the world, an Elastic IP, a subnet whose route table sends the internet to an internet gateway, a network ' +
    'ACL that lets the traffic in and the replies out. Nothing changed on the open group or route itself, so the rules ' +
    'about them stay quiet; the path is new all the same. The finding names every link of the path (group, public ' +
    'address, route, gateway, ACL) and any link assumed because its state is not known. Check: which workload is ' +
    'behind the interface, whether the association was intended, and the flow logs since.',
  whatToCheck,
  category: 'internet-path',
  deltaKinds: ['binding', 'subnet-association'],
  exposureKinds: ['internet-path'],
  resourceTypes: ['AWS::EC2::NetworkInterface'],
  apiCalls: [
    {
      source: 'ec2.amazonaws.com',
      names: [
        'ModifyNetworkInterfaceAttribute',
        'ModifyInstanceAttribute',
        'AssociateAddress',
        'AssociateRouteTable',
        'ReplaceRouteTableAssociation',
        'ReplaceNetworkAclAssociation',
      ],
    },
  ],
  classify,
};

// ── cases ────────────────────────────────────────────────────────────────────────────────────────────────────────

const ENI = 'eni-0a1b2c3d4e5f60718';
const SUBNET = 'subnet-0a1b2c3d4e5f60718';

function pathExposure(port: number | undefined, protocol = 'tcp'): Exposure {
  const label = port === undefined ? 'all traffic' : `${protocol}/${port}`;
  return {
    key: `internet-path|${ENI}|v4|${label}`,
    kind: 'internet-path',
    resourceId: ENI,
    group: `internet-path|${ENI}|v4`,
    family: 4,
    range: port === undefined ? { protocol: 'all' } : { protocol, fromPort: port, toPort: port },
    world: true,
    label: `${label} on ${ENI} reachable from the whole IPv4 internet`,
    via: [
      {
        text: `${ENI} in ${SUBNET} reachable from the IPv4 internet on ${label}: ${SG} allows ${label} from 0.0.0.0/0, ${ENI} has Elastic IP 52.31.1.2, route table rtb-0a1b2c3d4e5f60718 sends 0.0.0.0/0 -> igw-0d7c5b3a19e8f2046`,
      },
      { text: `${SG} allows ${label} from 0.0.0.0/0`, element: 'groups' },
      { text: `${ENI} has Elastic IP 52.31.1.2`, element: 'ad|eipalloc-0c1d2e3f4a5b60718' },
      { text: 'route table rtb-0a1b2c3d4e5f60718 sends 0.0.0.0/0 -> igw-0d7c5b3a19e8f2046' },
    ],
  };
}

/** A change judged with kept state: the interface's paths before and after. */
function judged(deltas: NetworkDelta[], before: Exposure[], after: Exposure[], api: string): ChangeEvent {
  const state = { kind: 'network-interface' as const, id: ENI, groups: [SG], subnetId: SUBNET, addresses: [] };
  return {
    id: `7c1d2e3f-4a5b-4c6d-8e7f-${api.length.toString().padStart(12, '0')}`,
    source: 'cloudtrail',
    at: '2025-03-14T10:30:07Z',
    account: ACCOUNT,
    region: REGION,
    resource: { type: 'AWS::EC2::NetworkInterface', id: ENI },
    api: ec2(api),
    deltas,
    state: {
      source: 'kept',
      resources: {
        [ENI]: {
          kind: 'network-interface',
          id: ENI,
          before: state,
          after: state,
          exposures: { before, after },
          episodes: [],
          unknown: [],
        },
      },
    },
  };
}

const joins: BindingDelta = {
  kind: 'binding',
  op: 'changed',
  holder: { kind: 'network-interface', id: ENI },
  binding: { kind: 'security-groups', groupIds: [SG] },
};
const eip: BindingDelta = {
  kind: 'binding',
  op: 'added',
  holder: { kind: 'network-interface', id: ENI },
  binding: { kind: 'public-address', family: 4, allocationId: 'eipalloc-0c1d2e3f4a5b60718', elastic: true },
};

/** This rule's cases: test/rules/cases.test.ts runs them. */
export function cases(): RuleCase[] {
  return [
    {
      name: 'interface joins a group open to the world on ssh',
      change: judged([joins], [], [pathExposure(22)], 'ModifyNetworkInterfaceAttribute'),
      expect: 'high',
    },
    {
      name: 'an Elastic IP completes the path for all traffic',
      change: judged([eip], [], [pathExposure(undefined)], 'AssociateAddress'),
      expect: 'critical',
    },
    {
      name: 'web only',
      change: judged([joins], [], [pathExposure(443)], 'ModifyNetworkInterfaceAttribute'),
      expect: 'medium',
    },
    {
      name: 'path opened by the group rule itself (graded by sg-open-world)',
      change: judged(
        [{ ...sgDelta('added', perm('ingress', 'tcp', 22, cidr('0.0.0.0/0'))) }],
        [],
        [
          {
            ...pathExposure(22),
            via: pathExposure(22).via.map((v) =>
              v.element === 'groups'
                ? {
                    ...v,
                    element: `p|{"direction":"ingress","fromPort":22,"peer":{"cidr":"0.0.0.0/0","kind":"cidr4"},"protocol":"tcp","toPort":22}`,
                  }
                : v,
            ),
          },
        ],
        'AuthorizeSecurityGroupIngress',
      ),
      expect: 'info',
    },
    {
      name: 'path already open: the group set re-applied',
      change: judged([joins], [pathExposure(22)], [pathExposure(22)], 'ModifyNetworkInterfaceAttribute'),
      expect: 'info',
    },
    {
      name: 'no path after the change',
      change: judged([joins], [], [], 'ModifyNetworkInterfaceAttribute'),
      expect: null,
    },
  ];
}
