/**
 * Finding categories: a closed list of stable strings. Routing configs, approvals, change-management records and
 * users' dashboards key on them, so a category is never renamed, only added.
 */
export const CATEGORIES = [
  'sg-open-world',
  'sg-widened',
  'nacl-open',
  'route-to-igw',
  'igw-attach',
  'endpoint-policy-loosened',
  'endpoint-service-open',
  'peering',
  'flowlogs-deleted',
  'trail-stopped',
  'config-stopped',
  'compliance-change',
  'hybrid-link',
  'subnet-public-ip',
  'lb-internet-facing',
  'uninspected',
  'network-change',
  'internet-path',
] as const;

/** One finding category. */
export type Category = (typeof CATEGORIES)[number];

/** Type guard for untrusted strings (config files, CLI flags). */
export function isCategory(value: unknown): value is Category {
  return typeof value === 'string' && (CATEGORIES as readonly string[]).includes(value);
}
