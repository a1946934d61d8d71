import type { ChangeEvent, SgPermissionDelta } from '../shared/model/change.ts';
import type { ExposureVia } from '../shared/model/exposure.ts';
import type { Finding, FindingDraft } from '../shared/model/finding.ts';
import {
  contextDefaults,
  type Rule,
  type RuleCase,
  type RuleContext,
  type SeverityAdjustment,
} from '../shared/model/rule.ts';
import type { Severity } from '../shared/model/severity.ts';
import { publicCidrs } from '../shared/net/cidr.ts';
import { exposureChanges } from '../shared/net/exposure.ts';
import { exposureOf, type ExposureClass } from '../shared/net/ports.ts';
import { worldHitOf, worldReason } from '../shared/net/world-reach.ts';
import { cidr, ec2, perm, SG, sgChange, sgDelta } from './cases/build.ts';

/**
 * Severity by what the world can reach. All traffic is critical; admin and data-store ports high (brute force and
 * unauthenticated databases are the classic breaches); web and other ports medium (reachable, often intended);
 * ICMP low (diagnostics; PMTUD needs some ICMP from anywhere).
 */
const SEVERITY_BY_CLASS: Readonly<Record<ExposureClass, Severity>> = {
  'all-traffic': 'critical',
  admin: 'high',
  'data-store': 'high',
  web: 'medium',
  other: 'medium',
  icmp: 'low',
};

function sourceText(v: ExposureVia): string {
  return `${v.cidr ?? v.text}${v.prefixListId !== undefined ? ` (in ${v.prefixListId})` : ''}`;
}

/**
 * Grades the exposures the change leaves (`change.state`, or the view its deltas imply): each range of ports the whole
 * internet reaches that was not reachable before is new (graded by what it exposes); one the change only touched
 * (an edit of a rule already open to the world) is info. "The whole internet" is every public address
 * (shared/net/special-purpose.ts): a world-equivalent range such as `2000::/3`, or blocks that skip only private and
 * reserved space, is graded exactly as `0.0.0.0/0` (issue 12).
 */
function classify(change: ChangeEvent): FindingDraft[] {
  return exposureChanges(change, 'sg-ingress').map(({ exposure, isNew, evidence, existing, view }): FindingDraft => {
    const range = exposure.range ?? { protocol: 'all' };
    const family = exposure.family ?? 4;
    const classOf = exposureOf(range.protocol, range.fromPort, range.toPort);
    const sources = exposure.via.filter((v) => v.cidr !== undefined);
    const where = [...new Set(sources.map(sourceText))].join(' + ');
    const hit = worldHitOf(
      sources.map((v) => v.cidr!),
      family,
    );
    const sgDeltas = evidence.filter((d): d is SgPermissionDelta => d.kind === 'sg-permission');
    const groupName = sgDeltas.find((d) => d.groupName !== undefined)?.groupName;
    const why: string[] = [];
    if (hit.viaUnion && existing.length > 0 && sgDeltas.length + evidence.length > 0 && isNew)
      why.push(
        `together with what was already allowed (${existing.map(sourceText).join(' + ')}), the sources cover ${hit.publicOnly ? `every public IPv${family} address (they skip only private, reserved and special-purpose ranges): the whole IPv${family} internet` : `the whole IPv${family} space`}: ${where}`,
      );
    else why.push(worldReason(hit.viaUnion ? { ...hit, cidrs: [where] } : hit));
    let severity = SEVERITY_BY_CLASS[classOf.class];
    why.push(
      classOf.class === 'all-traffic'
        ? 'all traffic: every port and protocol'
        : classOf.ports.length
          ? `exposes ${classOf.class} ports: ${classOf.ports.map((p) => `${p.name} (${p.from === p.to ? p.from : `${p.from}-${p.to}`})`).join(', ')}`
          : `exposure class ${classOf.class}`,
    );
    const lists = [...new Set(exposure.via.flatMap((v) => (v.prefixListId !== undefined ? [v.prefixListId] : [])))];
    if (lists.length > 0)
      why.push(`prefix list${lists.length > 1 ? 's' : ''} ${lists.join(', ')} resolved to their entries`);
    for (const a of exposure.assumed ?? []) why.push(`worst case: ${a}`);
    if (!isNew) {
      severity = 'info';
      why.push(
        'the rule was already open to the world on the same traffic before this change (edit, not new exposure)',
      );
    }
    const ops = [...new Set(evidence.map((d) => d.op))].join('/') || 'state';
    const cause = change.state?.cause;
    return {
      severity,
      summary: `${classOf.label} open to ${where} on ${view.id}${groupName ? ` (${groupName})` : ''} (ingress, ${cause ? `via ${cause.resource.id} ` : ''}${ops})`,
      evidence,
      why,
      exposures: [exposure.key],
    };
  });
}

const api = ec2('AuthorizeSecurityGroupIngress');

/** What a responder checks first (pages show it; rules/index.ts `RUNBOOKS` lists it apart from the rule). */
export const whatToCheck =
  'Is the port meant to be reachable from the internet? Which instances, ENIs and load balancers use this group? If not intended, revoke the rule and check VPC flow logs and the service logs for access from unknown addresses since the change.';

/** Security group ingress reachable from the whole internet. */
export const rule: Rule = {
  id: 'sg-open-world',
  title: 'Security group ingress open to the internet',
  description:
    'A security group now accepts inbound traffic from the whole internet: 0.0.0.0/0, ::/0, any other /0 (AWS ignores ' +
    'host bits, so 208.236.235.254/0 is the internet too), one CIDR holding every routable address (2000::/3), or ' +
    'several CIDRs (in one call or over several, prefix lists resolved) that together cover every public address, ' +
    'private and reserved ranges left out. Anything attached to the group (instances, ENIs, load balancers, databases) is reachable from everywhere ' +
    'on those ports. Check: who made the change and whether it was planned; which resources use the group; whether ' +
    'the port is an admin or database port; restrict the source to known ranges or use SSM Session Manager / a ' +
    'load balancer instead.',
  whatToCheck,
  category: 'sg-open-world',
  deltaKinds: ['sg-permission', 'prefix-list-entry'],
  exposureKinds: ['sg-ingress'],
  resourceTypes: ['AWS::EC2::SecurityGroup', 'AWS::EC2::PrefixList'],
  apiCalls: [
    {
      source: 'ec2.amazonaws.com',
      names: [
        'AuthorizeSecurityGroupIngress',
        'ModifySecurityGroupRules',
        'CreateManagedPrefixList',
        'ModifyManagedPrefixList',
        'RestoreManagedPrefixListVersion',
      ],
    },
  ],
  classify,
  adjust: reachOrAttachment,
};

/**
 * The group's own severity move. With a reachability verdict (kept state, shared/net/reachability.ts) the verdict
 * decides: a group the internet reaches through a whole known path (an interface with a public address, a route to
 * an attached gateway, an ACL that lets it in and out) is raised one step — as an attachment to a public interface
 * always was —, an unreachable one is lowered by the generic step (adjust.ts) and its attachments add nothing.
 * Without a known verdict, what the group's Config item and enrichment say about its interfaces counts.
 */
function reachOrAttachment(
  change: ChangeEvent,
  context: RuleContext,
  finding: Finding,
): SeverityAdjustment | undefined {
  const reach = finding.reach;
  if (reach?.verdict === 'reachable' && finding.severity !== 'info')
    return { steps: 1, why: `raised: reachable from the internet now: ${reach.text}`, gradesReach: true };
  if (reach?.verdict === 'unreachable' && finding.severity !== 'info') return undefined;
  return attachmentAdjustment(change, context);
}

/**
 * What the group is attached to moves the grade (context `adjust.sgAttachments`, on by default): lowered when it is
 * attached to no network interface (Config relationships: nothing is reachable through it yet), raised when an
 * attached ENI has a public IP (enrichment looked the ENIs up). Unknown facts — CloudTrail changes carry no
 * attachments — move nothing.
 */
function attachmentAdjustment(change: ChangeEvent, context: RuleContext): SeverityAdjustment | undefined {
  if (!contextDefaults(context).adjust.sgAttachments) return undefined;
  const enis = change.facts?.networkInterfaces;
  if (enis === undefined) return undefined;
  const publicEnis = change.facts?.publicNetworkInterfaces ?? [];
  if (publicEnis.length > 0) {
    return {
      steps: 1,
      why: `raised: attached to network interfaces with public IPs (${publicEnis.join(', ')}): reachable from the internet now`,
    };
  }
  if (enis.length === 0) {
    return {
      steps: -1,
      why: 'lowered: the security group is attached to no network interface (Config relationships): nothing is reachable through it yet',
    };
  }
  const known = change.facts?.publicNetworkInterfaces !== undefined;
  return {
    steps: 0,
    why: `context: attached to ${enis.length} network interface${enis.length === 1 ? '' : 's'} (${enis.join(', ')})${known ? ', none with a public IP' : '; public IPs unknown without the ENI items (no adjustment)'}`,
  };
}

/** This rule's cases: test/rules/cases.test.ts runs them. A function, so the Lambda bundles (which never call it) leave them out. */
export function cases(): RuleCase[] {
  return [
    {
      name: 'ssh from 0.0.0.0/0',
      change: sgChange([sgDelta('added', perm('ingress', 'tcp', 22, cidr('0.0.0.0/0')))], { api }),
      expect: 'high',
    },
    {
      name: 'all traffic from ::/0',
      change: sgChange([sgDelta('added', perm('ingress', 'all', undefined, cidr('::/0')))], { api }),
      expect: 'critical',
    },
    {
      name: '/0 with host bits set',
      change: sgChange([sgDelta('added', perm('ingress', 'tcp', 3389, cidr('208.236.235.254/0')))], { api }),
      expect: 'high',
    },
    {
      name: 'postgres from the world',
      change: sgChange([sgDelta('added', perm('ingress', 'tcp', 5432, cidr('0.0.0.0/0')))]),
      expect: 'high',
    },
    {
      name: 'https from the world',
      change: sgChange([sgDelta('added', perm('ingress', 'tcp', 443, cidr('0.0.0.0/0')))], { api }),
      expect: 'medium',
    },
    {
      name: 'range 1000-2000 from the world',
      change: sgChange([sgDelta('added', perm('ingress', 'tcp', [1000, 2000], cidr('0.0.0.0/0')))], { api }),
      expect: 'high',
    },
    {
      name: 'two /1 halves added together',
      change: sgChange(
        [
          sgDelta('added', perm('ingress', 'tcp', 22, cidr('0.0.0.0/1'))),
          sgDelta('added', perm('ingress', 'tcp', 22, cidr('128.0.0.0/1'))),
        ],
        { api },
      ),
      expect: 'high',
    },
    {
      name: 'ModifySecurityGroupRules to the world (before unknown)',
      change: sgChange(
        [sgDelta('changed', perm('ingress', 'tcp', 8080, cidr('0.0.0.0/0')), { ruleId: 'sgr-0a2b4c6d8e0f13579' })],
        { api: ec2('ModifySecurityGroupRules') },
      ),
      expect: 'medium',
    },
    {
      name: 'description edit of an existing world rule',
      change: sgChange([
        sgDelta('changed', perm('ingress', 'tcp', 443, cidr('0.0.0.0/0')), {
          before: perm('ingress', 'tcp', 443, cidr('0.0.0.0/0')),
        }),
      ]),
      expect: 'info',
    },
    {
      name: 'ping from the world',
      change: sgChange([sgDelta('added', perm('ingress', 'icmp', [8, -1], cidr('0.0.0.0/0')))], { api }),
      expect: 'low',
    },
    {
      name: 'every routable IPv6 address (2000::/3) is the internet',
      change: sgChange([sgDelta('added', perm('ingress', 'tcp', 22, cidr('2000::/3')))], { api }),
      expect: 'high',
    },
    {
      name: 'every public IPv4 block, private and reserved ranges skipped, is the internet',
      change: sgChange(
        publicCidrs(4).map((c) => sgDelta('added', perm('ingress', 'all', undefined, cidr(c)))),
        { api },
      ),
      expect: 'critical',
    },
    {
      name: '0.0.0.0/16 is not the internet',
      change: sgChange([sgDelta('added', perm('ingress', 'tcp', 443, cidr('0.0.0.0/16')))], { api }),
      expect: null,
    },
    {
      name: 'ssh from a private range',
      change: sgChange([sgDelta('added', perm('ingress', 'tcp', 22, cidr('10.0.0.0/8')))], { api }),
      expect: null,
    },
    {
      name: 'egress to the world',
      change: sgChange([sgDelta('added', perm('egress', 'all', undefined, cidr('0.0.0.0/0')))], {
        api: ec2('AuthorizeSecurityGroupEgress'),
      }),
      expect: null,
    },
    {
      name: 'revoke of a world rule',
      change: sgChange([sgDelta('removed', perm('ingress', 'tcp', 22, cidr('0.0.0.0/0')))], {
        api: ec2('RevokeSecurityGroupIngress'),
      }),
      expect: null,
    },
    {
      name: 'one /1 half on different ports does not cover',
      change: sgChange(
        [
          sgDelta('added', perm('ingress', 'tcp', 22, cidr('0.0.0.0/1'))),
          sgDelta('added', perm('ingress', 'tcp', 443, cidr('128.0.0.0/1'))),
        ],
        { api },
      ),
      expect: null,
    },
    {
      name: 'another group referenced',
      change: sgChange(
        [
          sgDelta(
            'added',
            perm('ingress', 'tcp', 5432, { kind: 'security-group', groupId: SG.replace('0123', '0999') }),
          ),
        ],
        { api },
      ),
      expect: null,
    },
  ];
}
