import type { ChangeEvent, GatewayAttachmentDelta } from '../shared/model/change.ts';
import type { FindingDraft } from '../shared/model/finding.ts';
import type { Rule, RuleCase, RuleContext } from '../shared/model/rule.ts';
import { contextDefaults } from '../shared/model/rule.ts';
import { change, ec2, igwAttach, VPC } from './cases/build.ts';

const INTERNAL_VPC = 'vpc-0c0ffee0c0ffee012';

/**
 * Why `vpc` is internal-only: listed in `context.internalVpcIds`, or tagged with `context.internalVpcTag`
 * (`netwatch:exposure=internal` by default) — the VPC's tags are known when enrichment looked the VPC up.
 */
function internalReason(change: ChangeEvent, vpc: string | undefined, context: RuleContext): string | undefined {
  if (vpc === undefined) return undefined;
  if (context.internalVpcIds.has(vpc))
    return `${vpc} is declared internal-only (context.internalVpcIds): it must have no internet gateway`;
  const tag = contextDefaults(context).internalVpcTag;
  const tags = change.facts?.vpcTags;
  if (
    tags !== undefined &&
    Object.entries(tags).some(([k, v]) => k === tag.key && v.toLowerCase() === tag.value.toLowerCase())
  ) {
    return `${vpc} is tagged ${tag.key}=${tag.value} (internal-only): it must have no internet gateway`;
  }
  return undefined;
}

/**
 * Uses `context.internalVpcIds` and the internal-only tag: an internet gateway attached to a VPC declared
 * internal-only is critical (that VPC is meant to have no internet path at all).
 */
function classify(change: ChangeEvent, context: RuleContext): FindingDraft[] {
  const out: FindingDraft[] = [];
  for (const d of change.deltas) {
    if (d.kind !== 'gateway-attachment' || d.gateway.kind === 'virtual-private-gateway') continue;
    const vpc = d.vpcId ?? change.resource.vpcId;
    const where = `${d.gateway.id} ${d.op === 'added' ? 'attached to' : 'detached from'} ${vpc ?? 'a VPC (id unknown)'}`;
    if (d.op === 'removed') {
      out.push({
        severity: 'info',
        summary: where,
        evidence: [d],
        why: ['gateway detached: the VPC loses that internet path (tightening)'],
      });
    } else if (d.gateway.kind === 'egress-only-internet-gateway') {
      out.push({
        severity: 'low',
        summary: `egress-only ${where}`,
        evidence: [d],
        why: ['egress-only gateways allow outbound IPv6 only; nothing becomes reachable from the internet'],
        exposures: [`igw-attachment|${d.gateway.id}|${d.vpcId ?? '?'}`],
      });
    } else {
      const internal = internalReason(change, vpc, context);
      const why = [
        'an internet gateway gives the VPC a path to and from the internet; one route table entry away from public subnets',
      ];
      if (internal) why.push(internal);
      if (vpc === undefined) why.push('VPC not known from the event');
      out.push({
        severity: internal ? 'critical' : 'high',
        summary: `internet gateway ${where}`,
        evidence: [d],
        why,
        exposures: [`igw-attachment|${d.gateway.id}|${d.vpcId ?? '?'}`],
      });
    }
  }
  return out;
}

function attachChange(delta: GatewayAttachmentDelta, name = 'AttachInternetGateway'): ChangeEvent {
  return change({ type: 'AWS::EC2::InternetGateway', id: delta.gateway.id }, [delta], { api: ec2(name) });
}

/** What a responder checks first (pages show it; rules/index.ts `RUNBOOKS` lists it apart from the rule). */
export const whatToCheck =
  'Was this VPC meant to have internet access? Check its route tables for 0.0.0.0/0 or ::/0 routes to the gateway and instances with public IPs.';

/** An internet gateway attached to a VPC. */
export const rule: Rule = {
  id: 'igw-attach',
  title: 'Internet gateway attached to a VPC',
  description:
    'An internet gateway was attached to a VPC. The VPC now has a path to and from the internet: a single default ' +
    'route to the gateway makes any subnet public. Critical when the VPC is declared internal-only. Check: was the ' +
    'VPC meant to be internet-facing, which route tables point at the gateway, and who attached it. Internal-only VPCs ' +
    'are listed in context.internalVpcIds or tagged netwatch:exposure=internal (the tag is read when enrichment looks ' +
    'the VPC up). Detaching is ' +
    'recorded at info; egress-only (IPv6 outbound) gateways at low.',
  whatToCheck,
  category: 'igw-attach',
  exposureKinds: ['igw-attachment'],
  deltaKinds: ['gateway-attachment'],
  resourceTypes: ['AWS::EC2::InternetGateway', 'AWS::EC2::EgressOnlyInternetGateway'],
  apiCalls: [
    {
      source: 'ec2.amazonaws.com',
      names: ['AttachInternetGateway', 'DetachInternetGateway', 'CreateEgressOnlyInternetGateway'],
    },
  ],
  classify,
};

/** This rule's cases: test/rules/cases.test.ts runs them. A function, so the Lambda bundles (which never call it) leave them out. */
export function cases(): RuleCase[] {
  return [
    { name: 'attach to an ordinary VPC', change: attachChange(igwAttach('added', VPC)), expect: 'high' },
    {
      name: 'attach to an internal-only VPC (needs context; high without it)',
      change: attachChange(igwAttach('added', INTERNAL_VPC)),
      expect: 'high',
    },
    {
      name: 'egress-only gateway',
      change: attachChange(
        igwAttach('added', VPC, 'egress-only-internet-gateway', 'eigw-015e2d7c9a4b3f680'),
        'CreateEgressOnlyInternetGateway',
      ),
      expect: 'low',
    },
    { name: 'detach', change: attachChange(igwAttach('removed', VPC), 'DetachInternetGateway'), expect: 'info' },
    {
      name: 'VPN gateway attach is hybrid-link’s',
      change: attachChange(
        igwAttach('added', VPC, 'virtual-private-gateway', 'vgw-0a9b8c7d6e5f43210'),
        'AttachVpnGateway',
      ),
      expect: null,
    },
  ];
}
