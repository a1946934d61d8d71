import type { ChangeEvent, ComplianceDelta } from '../shared/model/change.ts';
import type { FindingDraft } from '../shared/model/finding.ts';
import type { Rule, RuleCase, RuleContext } from '../shared/model/rule.ts';
import { contextDefaults } from '../shared/model/rule.ts';
import { firstMatch } from '../shared/platform/glob.ts';
import { ACCOUNT, compliance, complianceChange } from './cases/build.ts';

/**
 * Network-related AWS Config managed rules, as kebab-case rule names and (where different) the managed-rule
 * identifier. Users and Security Hub name rules freely (`securityhub-restricted-ssh-abc123`, `RESTRICTED_SSH`), so
 * we match by *containing* any of these after normalizing the name to lower kebab-case.
 * @see https://docs.aws.amazon.com/config/latest/developerguide/managed-rules-by-aws-config.html
 */
export const NETWORK_RULE_PATTERNS: readonly string[] = [
  // security groups
  'restricted-ssh',
  'incoming-ssh-disabled', // identifier of restricted-ssh
  'restricted-common-ports',
  'restricted-incoming-traffic', // identifier of restricted-common-ports
  'vpc-sg-open-only-to-authorized-ports',
  'vpc-sg-port-restriction-check',
  'vpc-default-security-group-closed',
  'ec2-security-group-attached-to-eni',
  // NACLs, routes, gateways, subnets
  'nacl-no-unrestricted-ssh-rdp',
  'vpc-network-acl-unused-check',
  'internet-gateway-authorized-vpc-only',
  'no-unrestricted-route-to-igw',
  'subnet-auto-assign-public-ip-disabled',
  'ec2-instance-no-public-ip',
  'vpc-peering-dns-resolution-check',
  'vpc-vpn-2-tunnels-up',
  'service-vpc-endpoint-enabled',
  // network visibility and audit logging
  'vpc-flow-logs-enabled',
  'cloudtrail-enabled',
  'cloud-trail-enabled', // identifier of cloudtrail-enabled (CLOUD_TRAIL_ENABLED)
  'multi-region-cloudtrail-enabled',
  'multi-region-cloud-trail-enabled',
  'cloud-trail-log-file-validation-enabled',
  'cloudtrail-security-trail-enabled',
  // data stores exposed to the internet
  'rds-instance-public-access-check',
  'redshift-cluster-public-access-check',
];

/** `SecurityHub_RESTRICTED_SSH_x` -> `securityhub-restricted-ssh-x`. */
function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[_\s]+/g, '-');
}

/** The first network pattern the Config rule name contains, if any. */
export function networkRuleMatch(configRuleName: string): string | undefined {
  const n = normalizeName(configRuleName);
  return NETWORK_RULE_PATTERNS.find((p) => n.includes(p));
}

/** Why the Config rule counts as a network rule: a built-in pattern, or one of `context.networkConfigRules`. */
function networkReason(configRuleName: string, context: RuleContext): string | undefined {
  const builtIn = networkRuleMatch(configRuleName);
  if (builtIn !== undefined) return `network-related Config rule (matches "${builtIn}")`;
  const custom = firstMatch(contextDefaults(context).networkConfigRules, configRuleName, 'ignore-case');
  return custom === undefined
    ? undefined
    : `custom network Config rule (matches context.networkConfigRules "${custom}")`;
}

function judge(change: ChangeEvent, d: ComplianceDelta, context: RuleContext): FindingDraft | undefined {
  const reason = networkReason(d.configRuleName, context);
  if (!reason) return undefined;
  const transition = `${d.before ?? 'no previous result'} -> ${d.after}`;
  const subject = `${change.resource.type} ${change.resource.id}`;
  if (d.after === 'NON_COMPLIANT' && d.before !== 'NON_COMPLIANT') {
    return {
      severity: 'medium',
      summary: `${d.configRuleName} now NON_COMPLIANT for ${subject}`,
      evidence: [d],
      why: [
        `${reason} flipped ${transition}`,
        'a resource drifted out of a network guardrail; the change that caused it may also have its own finding',
        ...(d.annotation ? [`annotation: ${d.annotation}`] : []),
      ],
    };
  }
  if (d.after === 'COMPLIANT' || d.after === 'NOT_APPLICABLE') {
    return {
      severity: 'info',
      summary: `${d.configRuleName} now ${d.after} for ${subject}`,
      evidence: [d],
      why: [`compliance ${transition} (improved or out of scope)`],
    };
  }
  return undefined;
}

/** What a responder checks first (pages show it; rules/index.ts `RUNBOOKS` lists it apart from the rule). */
export const whatToCheck =
  "Open the Config rule's evaluation and annotation for this resource: what made it non-compliant, and which change caused it?";

/** A network-related Config rule evaluation turned NON_COMPLIANT. */
export const rule: Rule = {
  id: 'compliance-change',
  title: 'Network Config rule turned non-compliant',
  description:
    'An AWS Config rule that guards the network (restricted-ssh, restricted-common-ports, no-unrestricted-route-to-igw, ' +
    'vpc-flow-logs-enabled, cloudtrail-enabled, ...) evaluated a resource as NON_COMPLIANT where it was not before. ' +
    'It is a second opinion on a change that may already have its own finding, and catches drift this monitor has no ' +
    'rule for. Check the resource and the rule annotation; fix the resource or record an exception. Transitions to ' +
    'COMPLIANT or NOT_APPLICABLE are recorded at info. Custom rules count when named in context.networkConfigRules.',
  whatToCheck,
  category: 'compliance-change',
  deltaKinds: ['compliance'],
  // The evaluated resources of the rules above (ComplianceChangeNotification names the evaluated resource).
  resourceTypes: [
    'AWS::EC2::SecurityGroup',
    'AWS::EC2::NetworkAcl',
    'AWS::EC2::RouteTable',
    'AWS::EC2::InternetGateway',
    'AWS::EC2::VPC',
    'AWS::EC2::Subnet',
    'AWS::EC2::Instance',
    'AWS::EC2::VPCPeeringConnection',
    'AWS::EC2::VPNConnection',
    'AWS::CloudTrail::Trail',
    'AWS::RDS::DBInstance',
    'AWS::Redshift::Cluster',
    'AWS::::Account',
  ],
  apiCalls: [],
  classify: (change, context) =>
    change.deltas.flatMap((d) => (d.kind === 'compliance' ? (judge(change, d, context) ?? []) : [])),
};

/** This rule's cases: test/rules/cases.test.ts runs them. A function, so the Lambda bundles (which never call it) leave them out. */
export function cases(): RuleCase[] {
  return [
    {
      name: 'restricted-ssh -> NON_COMPLIANT',
      change: complianceChange(compliance('restricted-ssh', 'NON_COMPLIANT', 'COMPLIANT')),
      expect: 'medium',
    },
    {
      name: 'Security Hub name, first evaluation',
      change: complianceChange(compliance('securityhub-vpc-default-security-group-closed-3f9a1c', 'NON_COMPLIANT')),
      expect: 'medium',
    },
    {
      name: 'UPPER_SNAKE identifier as the name',
      change: complianceChange(compliance('NO_UNRESTRICTED_ROUTE_TO_IGW', 'NON_COMPLIANT', 'COMPLIANT'), {
        type: 'AWS::EC2::RouteTable',
        id: 'rtb-04c8e2f1a9b7d3e65',
      }),
      expect: 'medium',
    },
    {
      name: 'cloudtrail-enabled NON_COMPLIANT -> COMPLIANT (AWS docs example)',
      change: complianceChange(compliance('cloudtrail-enabled', 'COMPLIANT', 'NON_COMPLIANT'), {
        type: 'AWS::::Account',
        id: ACCOUNT,
      }),
      expect: 'info',
    },
    {
      name: 'non-network rule',
      change: complianceChange(compliance('s3-bucket-versioning-enabled', 'NON_COMPLIANT', 'COMPLIANT'), {
        type: 'AWS::S3::Bucket',
        id: 'acme-logs',
      }),
      expect: null,
    },
    {
      name: 'custom rule not named in context.networkConfigRules',
      change: complianceChange(compliance('acme-sg-no-public-admin-ports', 'NON_COMPLIANT', 'COMPLIANT')),
      expect: null,
    },
    {
      name: 'still NON_COMPLIANT',
      change: complianceChange(compliance('restricted-ssh', 'NON_COMPLIANT', 'NON_COMPLIANT')),
      expect: null,
    },
    {
      name: 'INSUFFICIENT_DATA',
      change: complianceChange(compliance('vpc-flow-logs-enabled', 'INSUFFICIENT_DATA', 'COMPLIANT')),
      expect: null,
    },
  ];
}
