import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { classifyValue } from '../../shared/4-classify/classify.ts';
import { EMPTY_CONTEXT } from '../../shared/model/rule.ts';
import { REPO_ROOT } from '../support/corpus.ts';
import { eventBridgeCloudTrail, sqsEvent } from '../support/records.ts';

const sample = (path: string) =>
  JSON.parse(readFileSync(join(REPO_ROOT, 'events', path), 'utf8')) as Record<string, unknown>;
const classify = (value: unknown) => classifyValue(value, { file: 'test' }, { rules: RULES, context: EMPTY_CONTEXT });

describe('one change, one fingerprint', () => {
  it('the CloudTrail call and the Config item of the same change share the fingerprint', () => {
    // Prepare: AuthorizeSecurityGroupIngress tcp/22 from 0.0.0.0/0, and the Config item whose relatedEvents names it.
    const record = sample('cloudtrail/authorize-sg-ingress-ssh-world.json');
    const item = sample('config/sg-ssh-world-added.json');
    // Act
    const viaTrail = classify(record).findings;
    const viaConfig = classify(item).findings;
    // Assess
    expect(viaTrail.map((f) => f.category)).toEqual(['sg-open-world']);
    expect(viaConfig.map((f) => f.category)).toEqual(['sg-open-world']);
    expect(viaConfig[0]?.fingerprint).toBe(viaTrail[0]?.fingerprint);
    expect(viaConfig[0]?.related).toContain(record['eventID']);
  });

  it('every wrapper of the same record gives identical findings', () => {
    const record = sample('cloudtrail/authorize-sg-ingress-ssh-world.json');
    const wrapped = [
      record,
      { Records: [record] },
      eventBridgeCloudTrail(record),
      sqsEvent(eventBridgeCloudTrail(record)),
      sqsEvent({ Type: 'Notification', Message: JSON.stringify(eventBridgeCloudTrail(record)) }),
    ];
    const results = wrapped.map((w) => classify(structuredClone(w)).findings.map((f) => ({ ...f })));
    for (const r of results) expect(r).toEqual(results[0]);
  });

  it('a different port on the same group is a different fingerprint', () => {
    const record = sample('cloudtrail/authorize-sg-ingress-ssh-world.json');
    const other = structuredClone(record);
    const permissions = (
      other['requestParameters'] as { ipPermissions: { items: Array<{ fromPort: number; toPort: number }> } }
    ).ipPermissions.items;
    permissions[0]!.fromPort = 3389;
    permissions[0]!.toPort = 3389;
    expect(classify(other).findings[0]?.fingerprint).not.toBe(classify(record).findings[0]?.fingerprint);
  });
});
