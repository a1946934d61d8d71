import type { RouteTargetKind } from '../model/change.ts';

/**
 * Route target kinds from target ids, shared by both sources so a route seen through CloudTrail and through its
 * Config item gets the same target kind (and so the same fingerprint). AWS overloads `gatewayId` (internet gateway,
 * virtual private gateway, gateway VPC endpoint, `local`), so the kind comes from the id prefix.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Route.html
 */
const PREFIXES: ReadonlyArray<[string, RouteTargetKind]> = [
  ['igw-', 'internet-gateway'],
  ['eigw-', 'egress-only-internet-gateway'],
  ['vgw-', 'virtual-private-gateway'],
  ['vpce-', 'vpc-endpoint'],
  ['nat-', 'nat-gateway'],
  ['tgw-', 'transit-gateway'],
  ['pcx-', 'vpc-peering'],
  ['eni-', 'network-interface'],
  ['i-', 'instance'],
  ['cagw-', 'carrier-gateway'],
  ['lgw-', 'local-gateway'],
  ['arn:aws:networkmanager:', 'core-network'],
];

/** Route target kind from an id: `igw-…` → internet-gateway, `local` → local, … (`fallback` when unknown). */
export function routeTargetKind(id: string, fallback: RouteTargetKind = 'unknown'): RouteTargetKind {
  if (id === 'local') return 'local';
  return PREFIXES.find(([prefix]) => id.startsWith(prefix))?.[1] ?? fallback;
}
