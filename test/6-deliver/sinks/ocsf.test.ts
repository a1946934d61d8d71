import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULES } from '../../../rules/index.ts';
import { classifyValue } from '../../../shared/4-classify/classify.ts';
import { EMPTY_CONTEXT } from '../../../shared/model/rule.ts';
import { OCSF_VERSION, ocsfEvents } from '../../../shared/6-deliver/sinks/format/ocsf.ts';
import { S3Sink, s3SettingsSchema } from '../../../shared/6-deliver/sinks/s3.ts';
import { UNAPPROVED } from '../../../shared/model/notice.ts';
import { startEmulator } from '../../support/fauxqs.ts';
import { OCSF_SCHEMA_VERSION, validateOcsf } from '../../support/ocsf-schema.ts';
import { sshWorldConfigFinding } from '../../support/findings.ts';
import { digest, notice, sshWorldFinding } from '../../support/sink-fixtures.ts';

/**
 * OCSF output of the S3 archive sink, validated against the OCSF 1.1.0 schema's own files (test/support/ocsf-schema.ts):
 * a Detection Finding per finding and an API Activity per CloudTrail change, for every finding the sample events give.
 */

const root = join(import.meta.dirname, '..', '..', '..');
function sampleFindings() {
  const findings = [];
  for (const dir of ['cloudtrail', 'config'])
    for (const file of readdirSync(join(root, 'events', dir))
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const value = JSON.parse(readFileSync(join(root, 'events', dir, file), 'utf8')) as unknown;
      findings.push(...classifyValue(value, { file }, { rules: RULES, context: EMPTY_CONTEXT }).findings);
    }
  return findings;
}

describe('OCSF events (schema 1.1.0)', () => {
  it('the vendored schema is the version the formatter writes', () => {
    expect(OCSF_SCHEMA_VERSION).toBe(OCSF_VERSION);
  });

  it('every finding of every sample event gives valid Detection Findings and API Activities', () => {
    const findings = sampleFindings();
    expect(findings.length).toBeGreaterThan(40);
    const problems: string[] = [];
    let api = 0;
    for (const f of findings)
      for (const event of ocsfEvents(notice(f, UNAPPROVED, ['archive']))) {
        if (event['class_uid'] === 6003) api += 1;
        problems.push(...validateOcsf(event).map((p) => `${f.ruleId} ${f.resource.id}: ${p}`));
      }
    expect(problems).toEqual([]);
    expect(api).toBeGreaterThan(20);
  });

  it('maps a CloudTrail finding to a Detection Finding (Create) and the raw call to an API Activity (Create)', () => {
    const [detection, activity] = ocsfEvents(notice(sshWorldFinding()));
    expect(detection).toMatchObject({
      class_uid: 2004,
      type_uid: 200401,
      severity_id: 4,
      time: Date.parse('2026-11-20T09:14:03Z'),
      finding_info: {
        uid: '4f1c2a9e8b7d6c5e4f3a2b1c0d9e8f7a',
        types: ['sg-open-world'],
        analytic: { uid: 'sg-open-world' },
      },
      resources: [{ uid: 'arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0a1b2c3d4e5f60718' }],
      cloud: { provider: 'AWS', region: 'eu-west-1', account: { uid: '111122223333' } },
    });
    expect(activity).toMatchObject({
      class_uid: 6003,
      type_uid: 600301,
      api: { operation: 'AuthorizeSecurityGroupIngress', service: { name: 'ec2.amazonaws.com' } },
      src_endpoint: { ip: '203.0.113.10' },
      actor: {
        user: { credential_uid: 'ASIAEXAMPLEKEY000001' },
        session: { issuer: 'arn:aws:iam::111122223333:role/NetworkAdmin' },
      },
    });
    expect(validateOcsf(detection!)).toEqual([]);
    expect(validateOcsf(activity!)).toEqual([]);
  });

  it('a Config finding has no API Activity; a close is a Detection Finding Close, Resolved; a digest one per finding', () => {
    expect(ocsfEvents(notice(sshWorldConfigFinding())).map((e) => e['class_uid'])).toEqual([2004]);
    const closed = ocsfEvents(
      notice(
        sshWorldFinding({
          severity: 'info',
          episode: {
            id: 'ep-1',
            state: 'closed',
            kind: 'sg-ingress',
            exposure: 'tcp/22',
            openedAt: '2026-11-20T09:14:03Z',
            closedAt: '2026-11-20T10:14:03Z',
          },
        }),
      ),
    );
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({
      activity_id: 3,
      type_uid: 200403,
      status_id: 4,
      metadata: { correlation_uid: 'ep-1' },
    });
    expect(validateOcsf(closed[0]!)).toEqual([]);
    const many = ocsfEvents(digest(3));
    expect(many.filter((e) => e['class_uid'] === 2004)).toHaveLength(3);
    for (const e of many) expect(validateOcsf(e)).toEqual([]);
  });

  it('the validator can fail: a missing required attribute, a wrong type, an unknown attribute, a bad enum', () => {
    const [event] = ocsfEvents(notice(sshWorldFinding()));
    const broken = structuredClone(event!) as Record<string, unknown> & { finding_info: Record<string, unknown> };
    delete broken.finding_info['uid'];
    broken['time'] = '2026-11-20';
    broken['colour'] = 'red';
    broken['severity_id'] = 42;
    broken['type_uid'] = 1;
    expect(validateOcsf(broken)).toEqual(
      expect.arrayContaining([
        'detection_finding.finding_info.uid: required',
        'detection_finding.time: must be an integer (timestamp_t)',
        'detection_finding.colour: not an attribute of this class / object',
        expect.stringMatching(/^detection_finding\.severity_id: 42 is not one of/),
        'type_uid: must be class_uid * 100 + activity_id',
      ]),
    );
  });
});

describe('the S3 archive sink with format: ocsf (fauxqs S3)', () => {
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  beforeAll(async () => {
    emulator = await startEmulator();
    emulator.server.createBucket('security-lake-custom');
  });
  afterAll(() => emulator.stop());

  it('writes OCSF JSON Lines under region= / accountId= / eventDay=', async () => {
    const sink = new S3Sink(
      'lake',
      s3SettingsSchema.parse({ type: 's3', bucket: 'security-lake-custom', prefix: 'ext/netwatch', format: 'ocsf' }),
      { clients: emulator.clients, now: () => new Date('2026-11-20T09:14:09Z') },
    );
    await sink.deliver(notice(sshWorldFinding()));
    const listed = await emulator.clients.s3.send(new ListObjectsV2Command({ Bucket: 'security-lake-custom' }));
    const key = listed.Contents?.[0]?.Key ?? '';
    expect(key).toBe(
      `ext/netwatch/region=eu-west-1/accountId=111122223333/eventDay=20261120/4f1c2a9e8b7d6c5e4f3a2b1c0d9e8f7a-${Date.parse('2026-11-20T09:14:09Z')}.ocsf.jsonl`,
    );
    const object = await emulator.clients.s3.send(new GetObjectCommand({ Bucket: 'security-lake-custom', Key: key }));
    const lines = (await object.Body!.transformToString())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l['class_uid'])).toEqual([2004, 6003]);
    for (const l of lines) expect(validateOcsf(l)).toEqual([]);
  });
});
