import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describeRecord, sshWorldRecord } from '../support/records.ts';

/**
 * The record for another security group: each opening in these trees is a distinct hole (with kept state, opening
 * the same group again while it is open is an edit, not a new exposure — the trees test counting, not that).
 */
function onGroup<T extends Record<string, unknown>>(record: T, tag: string): T {
  return JSON.parse(JSON.stringify(record).replaceAll('sg-0a1b2c3d4e5f60718', groupOf(tag))) as T;
}

/** The security group of one opening: `groupOf(\`${account}${day}al\`)` is alice's on that day, `…ci` the deployer's. */
export function groupOf(tag: string): string {
  return `sg-0e0e0${Buffer.from(tag).toString('hex').slice(-12).padStart(12, '0')}`;
}

/** CloudTrail records for backtest tests: risky SG openings by two actors on two days, and read-only noise. */
export function dayRecords(day: string, account = '111122223333'): Record<string, unknown>[] {
  const deployer = onGroup(structuredClone(sshWorldRecord(`${day}-ci`)), `${account}${day}ci`) as Record<
    string,
    unknown
  > & {
    userIdentity: Record<string, unknown>;
  };
  deployer.eventTime = `${day}T10:00:00Z`;
  deployer.recipientAccountId = account;
  deployer.userIdentity = {
    type: 'AssumedRole',
    arn: `arn:aws:sts::${account}:assumed-role/ci-deployer/build-42`,
    accountId: account,
    sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${account}:role/ci-deployer` } },
  };
  const human = {
    ...onGroup(sshWorldRecord(`${day}-alice`), `${account}${day}al`),
    eventTime: `${day}T11:00:00Z`,
    recipientAccountId: account,
  };
  const noise = Array.from({ length: 20 }, (_, i) => ({
    ...describeRecord(),
    eventID: `${day}-noise-${i}`,
    eventTime: `${day}T09:00:00Z`,
  }));
  return [...noise, deployer, human];
}

/**
 * A small CloudTrail log tree in a temp dir: AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz over two
 * days, plus a digest file (must be skipped) and a day outside a 2026-11 window.
 */
export function buildLogTree(): { root: string; days: string[] } {
  const root = mkdtempSync(join(tmpdir(), 'netwatch-backtest-'));
  const days = ['2026-11-02', '2026-11-03'];
  for (const day of [...days, '2026-10-15']) {
    const [y, m, d] = day.split('-');
    const dir = join(root, 'AWSLogs', '111122223333', 'CloudTrail', 'eu-west-1', y!, m!, d!);
    mkdirSync(dir, { recursive: true });
    const records = dayRecords(day);
    writeFileSync(
      join(dir, `111122223333_CloudTrail_eu-west-1_${y}${m}${d}T1000Z_a.json.gz`),
      gzipSync(JSON.stringify({ Records: records.slice(0, 11) })),
    );
    writeFileSync(
      join(dir, `111122223333_CloudTrail_eu-west-1_${y}${m}${d}T1005Z_b.json.gz`),
      gzipSync(JSON.stringify({ Records: records.slice(11) })),
    );
  }
  const digest = join(root, 'AWSLogs', '111122223333', 'CloudTrail-Digest', 'eu-west-1', '2026', '11', '02');
  mkdirSync(digest, { recursive: true });
  writeFileSync(
    join(digest, 'digest.json.gz'),
    gzipSync(JSON.stringify({ awsAccountId: '111122223333', digestSignatureAlgorithm: 'SHA256withRSA' })),
  );
  return { root, days };
}
