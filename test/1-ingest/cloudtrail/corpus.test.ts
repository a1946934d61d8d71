import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  changesOf,
  CORPUS_DIR,
  corpusEvent,
  deltasOf,
  ignoredReason,
  malformed,
  normalize,
  onlyChange,
} from './fixtures.ts';
import { corpusAvailable } from '../../support/corpus.ts';

const HAS_CORPUS = corpusAvailable('CloudTrail normalizer corpus');

/** Real, labelled CloudTrail samples from ../shared/corpus: the normalizer must survive every quirk they carry. */
describe.skipIf(!HAS_CORPUS)('CloudTrail normalizer over the shared corpus', () => {
  it('Stratus flat legacy AuthorizeSecurityGroupIngress with a non-canonical /0', () => {
    // Prepare
    const record = corpusEvent('ct-stratus-sg-ingress-22-slash0');
    // Act
    const change = onlyChange(normalize(record));
    // Assess
    expect(change.account).toBe('032092706103');
    expect(deltasOf(change, 'sg-permission')).toEqual([
      {
        kind: 'sg-permission',
        op: 'added',
        groupId: 'sg-003dc7f1f1c686164',
        permission: {
          direction: 'ingress',
          protocol: 'tcp',
          fromPort: 22,
          toPort: 22,
          peer: { kind: 'cidr4', cidr: '208.236.235.254/0' },
        },
        ruleId: 'sgr-09b3e3d2ca1edf2a2',
      },
    ]);
  });

  it('Panther string ports ("443") and StreamAlert v4+v6 all-protocol ingress', () => {
    // Prepare / Act
    const stringPorts = deltasOf(
      onlyChange(normalize(corpusEvent('ct-panther-sg-ingress-443-zero-slash16'))),
      'sg-permission',
    );
    const both = deltasOf(
      onlyChange(normalize(corpusEvent('ct-streamalert-eb-sg-ingress-all-v4-v6'))),
      'sg-permission',
    );
    // Assess
    expect(stringPorts[0]?.permission).toEqual({
      direction: 'ingress',
      protocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      peer: { kind: 'cidr4', cidr: '0.0.0.0/16' },
    });
    expect(both.map((d) => [d.permission.protocol, d.permission.peer])).toEqual([
      ['all', { kind: 'cidr4', cidr: '0.0.0.0/0' }],
      ['all', { kind: 'cidr6', cidr: '::/0' }],
    ]);
  });

  it('Permiso trimmed record: no userIdentity/recipientAccountId, account from the response owner id', () => {
    // Prepare / Act
    const change = onlyChange(normalize(corpusEvent('ct-permiso-launch-wizard-ssh-world')));
    // Assess
    expect(change.account).toBe('200802171337');
    expect(change.actor).toEqual({ userAgent: expect.any(String) as string });
    expect(deltasOf(change, 'sg-permission')[0]).toMatchObject({
      ruleId: 'sgr-db0c0ffee14167c6d',
      permission: { peer: { cidr: '0.0.0.0/0' } },
    });
  });

  it('Permiso CreateVpcEndpointRequest (wrapped, no policy) → full-access endpoint', () => {
    // Prepare / Act
    const change = onlyChange(normalize(corpusEvent('ct-permiso-create-interface-endpoint')));
    // Assess
    expect(change.resource).toEqual({
      type: 'AWS::EC2::VPCEndpoint',
      id: 'vpce-db0c0ffee984e07fa',
      vpcId: 'vpc-db0c0ffee56bc40db',
    });
    expect(deltasOf(change, 'endpoint-policy')[0]).toMatchObject({
      op: 'added',
      serviceName: 'aws.api.us-east-1.kendra-ranking',
      after: { kind: 'full-access' },
    });
  });

  it('DeleteFlowLogsRequest.FlowLogId {tag, content} (Elastic, Panther, Stratus) and StreamAlert flowLogId array', () => {
    // Prepare / Act
    const ids = [
      'ct-elastic-delete-flow-logs',
      'ct-panther-delete-flow-logs',
      'ct-stratus-delete-flow-logs',
      'ct-streamalert-records-delete-flow-logs',
    ].map((id) => deltasOf(onlyChange(normalize(corpusEvent(id))), 'logging')[0]);
    // Assess
    expect(ids.map((d) => [d?.subject, d?.action, d?.id])).toEqual([
      ['flow-log', 'deleted', 'fl-07a9b55570fe770b6'],
      ['flow-log', 'deleted', 'fl-0ef673ef70c4f07cc'],
      ['flow-log', 'deleted', 'fl-0e17aa62a21d4bbfe'],
      ['flow-log', 'deleted', '...'],
    ]);
  });

  it('DelTGwVpcAttachReq (Custodian): TGW attachment removed', () => {
    // Prepare / Act
    const change = onlyChange(normalize(corpusEvent('ct-custodian-eb-delete-tgw-attachment')));
    // Assess
    expect(change.deltas).toEqual([
      {
        kind: 'hybrid-link',
        op: 'removed',
        link: 'transit-gateway-vpc-attachment',
        id: 'tgw-attach-0814a77755bf02f0e',
        vpcId: 'vpc-0e2a18296548d753e',
      },
    ]);
  });

  it('NACL entries: world allow, redacted eventSource deny, egress allow-all', () => {
    // Prepare / Act
    const allow = deltasOf(onlyChange(normalize(corpusEvent('ct-panther-nacl-ingress-world-allow'))), 'nacl-entry')[0];
    const deny = deltasOf(onlyChange(normalize(corpusEvent('ct-streamalert-eb-nacl-ingress-deny'))), 'nacl-entry')[0];
    const egress = deltasOf(onlyChange(normalize(corpusEvent('ct-panther-nacl-egress-allow-all'))), 'nacl-entry')[0];
    // Assess
    expect(allow?.entry).toEqual({
      ruleNumber: 12,
      egress: false,
      action: 'allow',
      protocol: 'tcp',
      cidr: { kind: 'cidr4', value: '0.0.0.0/0' },
      fromPort: 700,
      toPort: 702,
    });
    expect(deny?.entry).toMatchObject({ action: 'deny', protocol: 'all' });
    expect(deny?.entry.fromPort).toBeUndefined();
    expect(egress?.entry).toMatchObject({ egress: true, action: 'allow', protocol: 'all' });
  });

  it('trails: ARN names reduced to the trail name; UpdateTrail validation off; event selectors off/on', () => {
    // Prepare / Act
    const stop = onlyChange(normalize(corpusEvent('ct-panther-stop-logging')));
    const update = deltasOf(onlyChange(normalize(corpusEvent('ct-elastic-update-trail-validation-off'))), 'logging')[0];
    const off = deltasOf(onlyChange(normalize(corpusEvent('ct-stratus-event-selectors-mgmt-off'))), 'logging')[0];
    const on = deltasOf(onlyChange(normalize(corpusEvent('ct-panther-event-selectors-mgmt-on'))), 'logging')[0];
    // Assess
    expect(stop.resource).toMatchObject({
      id: 'example-trail',
      arn: 'arn:aws:cloudtrail:us-west-2:123456789012:trail/example-trail',
    });
    expect(update?.weakenings).toContain('log-file validation off');
    expect(off?.weakenings).toEqual(['management events off']);
    expect(on?.weakenings).toBeUndefined();
  });

  it('Config: StopConfigurationRecorder and DeleteDeliveryChannel (name not logged → default, noted)', () => {
    // Prepare / Act
    const stop = onlyChange(normalize(corpusEvent('ct-elastic-stop-config-recorder')));
    const channel = onlyChange(normalize(corpusEvent('ct-panther-delete-delivery-channel')));
    // Assess
    expect(stop.deltas).toEqual([
      { kind: 'logging', op: 'changed', subject: 'config-recorder', id: 'default', action: 'stopped' },
    ]);
    expect(channel.deltas).toEqual([
      { kind: 'logging', op: 'removed', subject: 'config-delivery-channel', id: 'default', action: 'deleted' },
    ]);
    expect(channel.notes?.[0]).toContain("'default'");
  });

  it('ignores failed calls, network-activity copies, Describe*, CreateSecurityGroup and unrelated services', () => {
    // Prepare / Act / Assess
    expect(ignoredReason(normalize(corpusEvent('ct-awsdocs-update-trail-not-found')))).toContain(
      'TrailNotFoundException',
    );
    expect(ignoredReason(normalize(corpusEvent('ct-panther-route-default-to-igw-blocked')))).toContain('failed');
    expect(ignoredReason(normalize(corpusEvent('ct-panther-vpce-network-activity-updatetrail')))).toContain(
      'AwsVpceEvent',
    );
    expect(ignoredReason(normalize(corpusEvent('ct-permiso-describe-sg-rules')))).toContain('read-only');
    expect(ignoredReason(normalize(corpusEvent('ct-permiso-create-sg-launch-wizard')))).toContain(
      'CreateSecurityGroup',
    );
    expect(ignoredReason(normalize(corpusEvent('ct-custodian-efs-mount-target-sgs')))).toContain(
      'elasticfilesystem.amazonaws.com',
    );
    expect(ignoredReason(normalize(corpusEvent('ct-panther-start-logging')))).toContain('StartLogging without');
  });

  it('the non-CloudTrail EventBridge event is rejected as not a CloudTrail record', () => {
    // Prepare / Act
    const error = malformed(corpusEvent('ct-arebot-eb-ec2-state-change'));
    // Assess
    expect(error.message).toContain('not a CloudTrail record');
  });

  it('every corpus CloudTrail record normalizes without throwing (except the non-CloudTrail one)', () => {
    // Prepare
    const ids = readdirSync(path.join(CORPUS_DIR, 'cloudtrail'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''))
      .filter((id) => id !== 'ct-arebot-eb-ec2-state-change');
    // Act
    const results = ids.map((id) => [id, normalize(corpusEvent(id))] as const);
    // Assess
    expect(results.length).toBeGreaterThanOrEqual(70);
    for (const [, result] of results)
      if (result.kind === 'changes') expect(changesOf(result).every((c) => c.source === 'cloudtrail')).toBe(true);
  });
});
