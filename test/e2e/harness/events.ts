import { readFileSync } from 'node:fs';

/** A real-shaped sample from events/, parsed fresh (callers mutate their copy). */
export function sample(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../../events/${path}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
}

/** The CloudTrail record of `AuthorizeSecurityGroupIngress` opening tcp/22 to 0.0.0.0/0 (its Config twin: below). */
export const SSH_WORLD_CLOUDTRAIL = 'cloudtrail/authorize-sg-ingress-ssh-world.json';
/** The Config item of the same change: names that record's eventID in `relatedEvents`. */
export const SSH_WORLD_CONFIG = 'config/sg-ssh-world-added.json';

/** The EventBridge "AWS API Call via CloudTrail" event around a record, as an EventBridge → SQS target delivers it. */
export function eventBridge(record: Record<string, unknown>): Record<string, unknown> {
  const source = String(record['eventSource'] ?? 'ec2.amazonaws.com').replace('.amazonaws.com', '');
  return {
    version: '0',
    id: `eb-${String(record['eventID'] ?? '')}`,
    'detail-type': 'AWS API Call via CloudTrail',
    source: `aws.${source}`,
    account: record['recipientAccountId'],
    time: record['eventTime'],
    region: record['awsRegion'],
    resources: [],
    detail: record,
  };
}

/**
 * The SSH-to-the-world CloudTrail record for another security group (and optionally account): distinct changes of one
 * rule — a storm, or distinct findings for a batch. Ids keep AWS formats.
 */
export function sshWorldVariant(n: number, account = '111122223333'): Record<string, unknown> {
  const hex = n.toString(16).padStart(8, '0');
  const text = JSON.stringify(sample(SSH_WORLD_CLOUDTRAIL))
    .replaceAll('sg-0a1b2c3d4e5f60718', `sg-0e2e${hex}00000`)
    .replaceAll('16c22eb9-7ee4-5edb-8335-888db019d616', `${hex}-7ee4-5edb-8335-888db019d616`)
    .replaceAll('111122223333', account);
  return JSON.parse(text) as Record<string, unknown>;
}

/** The Config item of a distinct security-group change (its own resource, account and related event id). */
export function sshWorldConfigVariant(n: number, account = '111122223333'): Record<string, unknown> {
  const hex = n.toString(16).padStart(8, '0');
  const text = JSON.stringify(sample(SSH_WORLD_CONFIG))
    .replaceAll('sg-0a1b2c3d4e5f60718', `sg-0c0f${hex}00000`)
    .replaceAll('16c22eb9-7ee4-5edb-8335-888db019d616', `${hex}-c0f1-5edb-8335-888db019d616`)
    .replaceAll('111122223333', account);
  return JSON.parse(text) as Record<string, unknown>;
}
