import { consoleApp } from '../../../platform/aws/console.ts';
import { wellFormed } from '../../../platform/printable.ts';
import type { ResourceRef } from '../../../model/change.ts';
import type { Finding } from '../../../model/finding.ts';

/**
 * AWS console deep links, so the person paged lands on the changed resource in one click. The console is regional:
 * the region appears both in the host and in `?region=` (without the host part the console redirects to the user's
 * last region, and the resource "does not exist"). China and GovCloud use other console domains.
 * The fragment formats are the ones the EC2 / VPC / CloudTrail / Config consoles themselves produce.
 */

/** Region check and host per partition: shared/platform/aws/console.ts (one implementation for every console URL). */
export { isConsoleRegion } from '../../../platform/aws/console.ts';
const app = consoleApp;

/** Record text in a URL: lone surrogates (which make encodeURIComponent throw) become U+FFFD first. */
const enc = (text: string): string => encodeURIComponent(wellFormed(text));

/** Deep link to a resource, or a CloudTrail event-history search on its id for types without a detail page. */
export function consoleLink(resource: ResourceRef, region: string, account?: string): string {
  const id = resource.id;
  const vpc = (fragment: string) => app(region, 'vpcconsole', fragment);
  switch (resource.type) {
    case 'AWS::EC2::SecurityGroup':
      return app(region, 'ec2', `SecurityGroup:groupId=${enc(id)}`);
    case 'AWS::EC2::NetworkAcl':
      return vpc(`NetworkAclDetails:networkAclId=${enc(id)}`);
    case 'AWS::EC2::RouteTable':
      return vpc(`RouteTableDetails:RouteTableId=${enc(id)}`);
    case 'AWS::EC2::InternetGateway':
      return vpc(`InternetGateway:internetGatewayId=${enc(id)}`);
    case 'AWS::EC2::EgressOnlyInternetGateway':
      return vpc(`EgressOnlyInternetGateways:egressOnlyInternetGatewayId=${enc(id)}`);
    case 'AWS::EC2::VPCEndpoint':
      return vpc(`EndpointDetails:vpcEndpointId=${enc(id)}`);
    case 'AWS::EC2::VPCEndpointService':
      return vpc(`EndpointServiceDetails:endpointServiceId=${enc(id)}`);
    case 'AWS::EC2::PrefixList':
      return vpc(`PrefixListDetails:prefixListId=${enc(id)}`);
    case 'AWS::EC2::VPCPeeringConnection':
      return vpc(`PeeringConnectionDetails:VpcPeeringConnectionId=${enc(id)}`);
    case 'AWS::EC2::Subnet':
      return vpc(`SubnetDetails:subnetId=${enc(id)}`);
    case 'AWS::EC2::NetworkInterface':
      return app(region, 'ec2', `NIC:networkInterfaceId=${enc(id)}`);
    case 'AWS::EC2::VPC':
      return vpc(`VpcDetails:VpcId=${enc(id)}`);
    case 'AWS::EC2::FlowLog':
      return resource.vpcId !== undefined ? vpc(`VpcDetails:VpcId=${enc(resource.vpcId)}`) : vpc('vpcs:');
    case 'AWS::EC2::VPNConnection':
      return vpc(`VpnConnectionDetails:VpnConnectionId=${enc(id)}`);
    case 'AWS::EC2::VPNGateway':
      return vpc(`VpnGatewayDetails:VpnGatewayId=${enc(id)}`);
    case 'AWS::EC2::CustomerGateway':
      return vpc(`CustomerGatewayDetails:CustomerGatewayId=${enc(id)}`);
    case 'AWS::EC2::TransitGateway':
      return vpc(`TransitGatewayDetails:transitGatewayId=${enc(id)}`);
    case 'AWS::EC2::TransitGatewayAttachment':
      return vpc(`TransitGatewayAttachmentDetails:transitGatewayAttachmentId=${enc(id)}`);
    case 'AWS::DirectConnect::VirtualInterface':
      return app(region, 'directconnect/v2', `/virtual-interfaces/${enc(id)}`);
    case 'AWS::DirectConnect::Gateway':
      return app(region, 'directconnect/v2', `/dxgateways/${enc(id)}`);
    case 'AWS::ElasticLoadBalancingV2::LoadBalancer':
      return app(
        region,
        'ec2',
        resource.arn !== undefined || id.startsWith('arn:')
          ? `LoadBalancer:loadBalancerArn=${enc(resource.arn ?? id)}`
          : `LoadBalancers:search=${enc(id)}`,
      );
    case 'AWS::ElasticLoadBalancing::LoadBalancer':
      return app(region, 'ec2', `LoadBalancers:search=${enc(resource.name ?? id)}`);
    case 'AWS::CloudTrail::Trail': {
      const arn =
        resource.arn ??
        (id.startsWith('arn:')
          ? id
          : account !== undefined
            ? `arn:aws:cloudtrail:${region}:${account}:trail/${id}`
            : undefined);
      return arn !== undefined
        ? app(region, 'cloudtrailv2', `/trails/${encodeURI(wellFormed(arn))}`)
        : app(region, 'cloudtrailv2', '/trails');
    }
    case 'AWS::Config::ConfigurationRecorder':
    case 'AWS::Config::DeliveryChannel':
      return app(region, 'config', '/settings');
    case 'AWS::Config::ConfigRule':
      return app(region, 'config', `/rules/details?configRuleName=${enc(resource.name ?? id)}`);
    default:
      return app(region, 'cloudtrailv2', `/events?ResourceName=${enc(id)}`);
  }
}

/** The CloudTrail event behind a finding (only for CloudTrail-sourced findings: Config change ids are not event ids). */
export function eventLink(finding: Pick<Finding, 'source' | 'changeId' | 'region'>): string | undefined {
  if (finding.source !== 'cloudtrail') return undefined;
  return app(finding.region, 'cloudtrailv2', `/events/${enc(finding.changeId)}`);
}

/** The link for a finding's resource. */
export function findingLink(finding: Pick<Finding, 'resource' | 'region' | 'account'>): string {
  return consoleLink(finding.resource, finding.region, finding.account);
}
