import { WHAT_TO_CHECK as INTERNET_PATH } from '../../../../rules/internet-path.ts';
import type { Category } from '../../../model/category.ts';

/**
 * What a responder checks first, per category: the first two minutes of a runbook. Keyed on the closed category list
 * (a `Record<Category, …>`), so adding a category without guidance fails the type-check.
 */
export const WHAT_TO_CHECK: Readonly<Record<Category, string>> = {
  'sg-open-world':
    'Is the port meant to be reachable from the internet? Which instances, ENIs and load balancers use this group? If not intended, revoke the rule and check VPC flow logs and the service logs for access from unknown addresses since the change.',
  'sg-widened':
    "Compare the new source range with the service's documented clients. Who needs the wider range and for how long? Narrow it to the smallest CIDR or a security-group reference.",
  'nacl-open':
    'Which subnets use this network ACL? A broad allow above the deny entries overrides them for the whole subnet. Confirm the rule order and the intended CIDR.',
  'route-to-igw':
    'Which subnets use this route table? They become public: every instance with a public IP is reachable. Confirm the subnet is meant to be public and that its instances have no public IPs otherwise.',
  'igw-attach':
    'Was this VPC meant to have internet access? Check its route tables for 0.0.0.0/0 or ::/0 routes to the gateway and instances with public IPs.',
  'endpoint-policy-loosened':
    "Which principals, actions and resources does the new policy allow? A full-access or wildcard endpoint policy lets data leave to any account's bucket or table through the endpoint. Restore the previous policy if not approved.",
  'endpoint-service-open':
    'Which accounts may now connect to this endpoint service? A * principal or auto-accept lets any AWS account reach the service behind it. Check current endpoint connections.',
  peering:
    'Whose VPC is on the other side (account, region, CIDR)? Check the route tables and security groups that now reference the peer, and whether the peer account is one of ours.',
  'flowlogs-deleted':
    'Flow logs were removed: network forensics for this VPC or interface stop now. Was it part of a teardown? If not, recreate them and find out who else acted in the session.',
  'trail-stopped':
    'Audit logging stopped or weakened. Restart logging immediately, then review what else this principal did since (CloudTrail event history keeps 90 days of management events).',
  'config-stopped':
    'AWS Config stopped recording or delivering: compliance and change history have a gap. Restart the recorder and check what changed while it was off.',
  'compliance-change':
    "Open the Config rule's evaluation and annotation for this resource: what made it non-compliant, and which change caused it?",
  'hybrid-link':
    'A path to on-premises or another network changed. Confirm the peer (account, address, CIDR) is known and approved, and check the routes propagated through it.',
  'subnet-public-ip':
    'New instances in this subnet now get public IPs automatically. Confirm the subnet is meant to be public and its route table and security groups match.',
  'lb-internet-facing':
    'An internet-facing load balancer exposes its targets. Check its listeners, security groups and target groups, and whether it should have been internal.',
  'network-change':
    'Recorded for change management: no rule found this change risky. The record carries the network state after the change; compare it with the approved design if the change was not planned.',
  // Rules added since issue 17 carry their own text.
  'internet-path': INTERNET_PATH,
  uninspected:
    'Netwatch could not see what changed (an oversized AWS Config item it could not fetch). Open the resource timeline in the Config console (or the S3 copy named in the finding) and review the change by hand.',
};

/** Guidance for a category, with a generic fallback for categories added later by other code paths. */
export function whatToCheck(category: string): string {
  return (
    (WHAT_TO_CHECK as Readonly<Record<string, string>>)[category] ??
    'Confirm the change was intended and approved; review who made it and what else they changed.'
  );
}
