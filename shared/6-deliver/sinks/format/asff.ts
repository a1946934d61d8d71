import type { ResourceRef } from '../../../model/change.ts';
import type { Finding } from '../../../model/finding.ts';
import type { ApprovalVerdict, DigestNotice, Notice } from '../../../model/notice.ts';
import type { Severity } from '../../../model/severity.ts';
import { findingLink } from './console-link.ts';
import { noticeKey } from './digest.ts';
import { isClose, plainText, ticketKey } from './ticket.ts';
import { renderActor } from './text.ts';
import { truncateChars } from './truncate.ts';
import { whatToCheck } from './what-to-check.ts';

/**
 * Findings in the AWS Security Finding Format (ASFF) for Security Hub's `BatchImportFindings`, as a custom
 * integration (`product/<account>/default`). One Security Hub finding per exposure episode (per Netwatch finding
 * outside episodes): its `Id` is derived from the episode id or the fingerprint, so a redelivery updates the same
 * finding, a later change of the episode updates it (`UpdatedAt`, `LastObservedAt`), and the close archives it —
 * `RecordState: ARCHIVED` and `Compliance.Status: PASSED`, on which Security Hub sets `Workflow.Status` to `RESOLVED`
 * (a provider cannot set `Workflow` on an existing finding through BatchImportFindings).
 * Times are the change's, never the delivery's: the same notice twice is the same finding, byte for byte.
 * @see https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-findings-format-syntax.html
 * @see https://docs.aws.amazon.com/securityhub/latest/userguide/finding-workflow-status.html
 * @see https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchImportFindings.html
 */

/** The ASFF schema version Security Hub accepts. */
export const ASFF_SCHEMA_VERSION = '2018-10-08';

/** Where findings come from: the calling account's default product (a custom integration). */
export function defaultProductArn(partition: string, region: string, account: string): string {
  return `arn:${partition}:securityhub:${region}:${account}:product/${account}/default`;
}

/** `aws`, `aws-cn`, `aws-us-gov` from a region name. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

const LABEL: Readonly<Record<Severity, string>> = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  info: 'INFORMATIONAL',
};

/** ASFF finding types (namespace/category/classifier) per Netwatch category. */
const REACHABILITY = 'Software and Configuration Checks/AWS Security Best Practices/Network Reachability';
const BEST_PRACTICES = 'Software and Configuration Checks/AWS Security Best Practices';
export function asffTypes(category: string): string[] {
  switch (category) {
    case 'sg-open-world':
    case 'nacl-open':
    case 'route-to-igw':
    case 'igw-attach':
    case 'lb-internet-facing':
    case 'subnet-public-ip':
      return [REACHABILITY, 'Effects/Data Exposure'];
    case 'sg-widened':
    case 'peering':
    case 'hybrid-link':
      return [REACHABILITY];
    case 'endpoint-policy-loosened':
    case 'endpoint-service-open':
      return [BEST_PRACTICES, 'Effects/Data Exposure'];
    case 'flowlogs-deleted':
    case 'trail-stopped':
    case 'config-stopped':
      return ['TTPs/Defense Evasion', BEST_PRACTICES];
    case 'compliance-change':
      return ['Software and Configuration Checks/Industry and Regulatory Standards'];
    default:
      return ['Software and Configuration Checks'];
  }
}

/** ASFF resource type and ARN path per AWS type (the ones ASFF names; others are `Other`). */
const RESOURCES: Readonly<Record<string, { asff: string; path: string; service?: string }>> = {
  'AWS::EC2::SecurityGroup': { asff: 'AwsEc2SecurityGroup', path: 'security-group' },
  'AWS::EC2::NetworkAcl': { asff: 'AwsEc2NetworkAcl', path: 'network-acl' },
  'AWS::EC2::RouteTable': { asff: 'AwsEc2RouteTable', path: 'route-table' },
  'AWS::EC2::InternetGateway': { asff: 'Other', path: 'internet-gateway' },
  'AWS::EC2::EgressOnlyInternetGateway': { asff: 'Other', path: 'egress-only-internet-gateway' },
  'AWS::EC2::VPCEndpoint': { asff: 'Other', path: 'vpc-endpoint' },
  'AWS::EC2::VPCEndpointService': { asff: 'AwsEc2VpcEndpointService', path: 'vpc-endpoint-service' },
  'AWS::EC2::VPCPeeringConnection': { asff: 'AwsEc2VpcPeeringConnection', path: 'vpc-peering-connection' },
  'AWS::EC2::Subnet': { asff: 'AwsEc2Subnet', path: 'subnet' },
  'AWS::EC2::VPC': { asff: 'AwsEc2Vpc', path: 'vpc' },
  'AWS::EC2::FlowLog': { asff: 'Other', path: 'vpc-flow-log' },
  'AWS::EC2::PrefixList': { asff: 'Other', path: 'prefix-list' },
  'AWS::EC2::VPNConnection': { asff: 'AwsEc2VpnConnection', path: 'vpn-connection' },
  'AWS::EC2::VPNGateway': { asff: 'Other', path: 'vpn-gateway' },
  'AWS::EC2::CustomerGateway': { asff: 'Other', path: 'customer-gateway' },
  'AWS::EC2::TransitGateway': { asff: 'AwsEc2TransitGateway', path: 'transit-gateway' },
  'AWS::EC2::TransitGatewayAttachment': { asff: 'Other', path: 'transit-gateway-attachment' },
};

/** The resource's real ARN: given, or built from its type, region, account and id. */
export function resourceArn(resource: ResourceRef, region: string, account: string): string {
  if (resource.arn) return resource.arn;
  if (resource.id.startsWith('arn:')) return resource.id;
  const known = RESOURCES[resource.type];
  if (known) return `arn:${partitionOf(region)}:ec2:${region}:${account}:${known.path}/${resource.id}`;
  return resource.id;
}

function asffType(resource: ResourceRef): string {
  if (resource.type === 'AWS::ElasticLoadBalancingV2::LoadBalancer') return 'AwsElbv2LoadBalancer';
  if (resource.type === 'AWS::CloudTrail::Trail') return 'AwsCloudTrailTrail';
  return RESOURCES[resource.type]?.asff ?? 'Other';
}

const cut = (text: string, max: number) => truncateChars(plainText(text), max);

/** ASFF `IpPermissions` of the ingress rules a security-group finding is about (what was opened). */
function securityGroupDetails(f: Finding): Record<string, unknown> {
  const permissions = f.evidence.flatMap((d) => {
    if (d.kind !== 'sg-permission' || d.op === 'removed' || d.permission.direction !== 'ingress') return [];
    const p = d.permission;
    const protocol = p.protocol === 'all' ? '-1' : p.protocol;
    const peer = p.peer;
    return [
      {
        IpProtocol: protocol,
        ...(p.fromPort !== undefined ? { FromPort: p.fromPort } : {}),
        ...(p.toPort !== undefined ? { ToPort: p.toPort } : {}),
        ...(peer.kind === 'cidr4' ? { IpRanges: [{ CidrIp: peer.cidr }] } : {}),
        ...(peer.kind === 'cidr6' ? { Ipv6Ranges: [{ CidrIpv6: peer.cidr }] } : {}),
        ...(peer.kind === 'prefix-list' ? { PrefixListIds: [{ PrefixListId: peer.prefixListId }] } : {}),
        ...(peer.kind === 'security-group'
          ? { UserIdGroupPairs: [{ GroupId: peer.groupId, ...(peer.userId ? { UserId: peer.userId } : {}) }] }
          : {}),
      },
    ];
  });
  return {
    AwsEc2SecurityGroup: {
      GroupId: f.resource.id,
      ...(f.resource.name ? { GroupName: cut(f.resource.name, 255) } : {}),
      OwnerId: f.account,
      ...(f.resource.vpcId ? { VpcId: f.resource.vpcId } : {}),
      ...(permissions.length ? { IpPermissions: permissions.slice(0, 100) } : {}),
    },
  };
}

/** The finding's resource as an ASFF resource: type, real ARN, partition, region, tags and details. */
export function asffResource(f: Finding): Record<string, unknown> {
  const type = asffType(f.resource);
  const tags = Object.entries(f.resource.tags ?? {}).slice(0, 50);
  const details =
    type === 'AwsEc2SecurityGroup'
      ? securityGroupDetails(f)
      : {
          Other: Object.fromEntries(
            Object.entries({
              type: f.resource.type,
              id: f.resource.id,
              ...(f.resource.name ? { name: f.resource.name } : {}),
              ...(f.resource.vpcId ? { vpcId: f.resource.vpcId } : {}),
            }).map(([k, v]) => [k, cut(v, 1024)]),
          ),
        };
  return {
    Type: type,
    Id: cut(resourceArn(f.resource, f.region, f.account), 512),
    Partition: partitionOf(f.region),
    Region: f.region,
    ...(tags.length ? { Tags: Object.fromEntries(tags.map(([k, v]) => [cut(k, 128), cut(v, 256)])) } : {}),
    Details: details,
  };
}

/** How the finding stands: open findings fail, a closed exposure passes (Security Hub then resolves the workflow). */
function approvalLine(a: ApprovalVerdict): string {
  return a.approval ? `${a.state} (${a.approval.ticket})` : a.state;
}

export interface AsffContext {
  /** The account calling BatchImportFindings (and the finding's `AwsAccountId`). */
  accountId: string;
  /** The Region Security Hub is called in. */
  region: string;
  productArn: string;
  companyName: string;
  productName: string;
}

/** The Security Hub finding `Id` of a notice: `netwatch/<region>/<account>/<episode id | fingerprint | digest key>`. */
export function asffId(f: Pick<Finding, 'region' | 'account'>, key: string): string {
  return `netwatch/${f.region}/${f.account}/${key}`;
}

/** The ASFF finding of one Netwatch finding (`key`: its ticket key; the digest's findings each their own). */
export function asffFinding(
  f: Finding,
  notice: { approval: ApprovalVerdict; closed: boolean; key: string; marker: string },
  ctx: AsffContext,
): Record<string, unknown> {
  const severity = { Label: notice.closed ? 'INFORMATIONAL' : LABEL[f.severity], Original: f.severity };
  const types = asffTypes(f.category);
  const opened = f.episode?.openedAt ?? f.at;
  const link = findingLink(f);
  const productFields: Record<string, string> = {
    'netwatch/ruleId': f.ruleId,
    'netwatch/category': f.category,
    'netwatch/fingerprint': f.fingerprint,
    'netwatch/account': f.account,
    'netwatch/changeId': cut(f.changeId, 2048),
    'netwatch/source': f.source,
    'netwatch/approval': cut(approvalLine(notice.approval), 2048),
    'netwatch/marker': notice.marker,
    ...(f.episode ? { 'netwatch/episode': f.episode.id, 'netwatch/exposure': cut(f.episode.exposure, 2048) } : {}),
    ...(f.actor ? { 'netwatch/actor': cut(renderActor(f.actor), 2048) } : {}),
  };
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: cut(asffId(f, notice.key), 512),
    ProductArn: ctx.productArn,
    GeneratorId: `netwatch/${f.ruleId}`,
    AwsAccountId: ctx.accountId,
    CompanyName: ctx.companyName,
    ProductName: ctx.productName,
    Types: types,
    FirstObservedAt: opened,
    LastObservedAt: f.at,
    CreatedAt: opened,
    UpdatedAt: f.at,
    Severity: severity,
    // Finding providers state Severity and Types here; the top-level copies are what a new finding shows.
    FindingProviderFields: { Severity: severity, Types: types },
    Title: cut(f.title, 256),
    Description: cut(f.summary || f.title, 1024),
    Remediation: { Recommendation: { Text: cut(whatToCheck(f), 512), Url: link } },
    SourceUrl: link,
    ProductFields: productFields,
    Resources: [asffResource(f)],
    Compliance: { Status: notice.closed ? 'PASSED' : f.severity === 'info' ? 'WARNING' : 'FAILED' },
    Workflow: { Status: notice.closed ? 'RESOLVED' : 'NEW' },
    RecordState: notice.closed ? 'ARCHIVED' : 'ACTIVE',
  };
}

/** Every ASFF finding a notice gives: one for a finding, one per finding of a digest. */
export function asffFindings(notice: Notice | DigestNotice, ctx: AsffContext): Record<string, unknown>[] {
  if (notice.kind === 'finding')
    return [
      asffFinding(
        notice.finding,
        {
          approval: notice.approval,
          closed: isClose(notice),
          key: ticketKey(notice),
          marker: noticeKey(notice),
        },
        ctx,
      ),
    ];
  return notice.findings.map((f) =>
    asffFinding(
      f,
      {
        approval: { state: 'unapproved', reason: 'digest' },
        closed: false,
        key: f.episode?.id ?? f.fingerprint,
        marker: f.fingerprint,
      },
      ctx,
    ),
  );
}
