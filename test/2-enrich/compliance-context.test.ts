import { BatchGetResourceConfigCommand, ConfigServiceClient } from '@aws-sdk/client-config-service';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { parseContext } from '../../shared/4-classify/context.ts';
import { classifyValue } from '../../shared/4-classify/classify.ts';
import { EMPTY_CONTEXT, type RuleContext } from '../../shared/model/rule.ts';
import { isRisky } from '../../shared/model/severity.ts';
import { json, liveDeps, lookupResponse, lookupResponseAs, run } from './fixtures.ts';

const config = mockClient(ConfigServiceClient);
const trail = mockClient(CloudTrailClient);
const classify = (value: unknown, context: RuleContext = EMPTY_CONTEXT) =>
  classifyValue(structuredClone(value), { file: 'test' }, { rules: RULES, context });

/** The SNS message of a compliance flip, and the EventBridge "Config Rules Compliance Change" event of the same one. */
const sns = json('events/config/compliance-restricted-ssh-noncompliant.json');
function eventBridge(detail: Record<string, unknown>): Record<string, unknown> {
  return {
    version: '0',
    id: '1d2c3b4a-5e6f-4a70-8b91-c2d3e4f5a6b7',
    'detail-type': 'Config Rules Compliance Change',
    source: 'aws.config',
    account: '111122223333',
    time: '2024-05-14T09:22:06Z',
    region: 'eu-west-1',
    resources: [],
    detail,
  };
}

describe('compliance changes, both delivery forms', () => {
  it('restricted-ssh NON_COMPLIANT: a medium finding from SNS and from EventBridge, with one fingerprint', () => {
    const viaSns = classify({
      Type: 'Notification',
      MessageId: 'b3f2a1c4-0000-4000-8000-000000000001',
      TopicArn: 'arn:aws:sns:eu-west-1:111122223333:config-topic',
      Message: JSON.stringify(sns),
    }).findings;
    const viaEventBridge = classify(eventBridge(sns)).findings;
    for (const findings of [viaSns, viaEventBridge]) {
      expect(findings.map((f) => [f.ruleId, f.severity, f.summary])).toEqual([
        [
          'compliance-change',
          'medium',
          'restricted-ssh now NON_COMPLIANT for AWS::EC2::SecurityGroup sg-0a1b2c3d4e5f60718',
        ],
      ]);
      expect(findings[0]!.why).toContain(
        'annotation: The security group allows unrestricted incoming SSH traffic (0.0.0.0/0 on port 22).',
      );
    }
    expect(viaEventBridge[0]!.fingerprint).toBe(viaSns[0]!.fingerprint);
  });

  it('COMPLIANT does not page', () => {
    const back = json('events/config/compliance-restricted-ssh-compliant.json');
    for (const value of [back, eventBridge(back)]) {
      const findings = classify(value).findings;
      expect(findings.map((f) => f.severity)).toEqual(['info']);
      expect(findings.filter((f) => isRisky(f.severity))).toEqual([]);
    }
  });

  it('a custom rule pages only when named in context.networkConfigRules', () => {
    const custom = json('events/config/compliance-custom-rule-eventbridge.json');
    expect(classify(custom).findings).toEqual([]);
    const [f] = classify(custom, parseContext({ networkConfigRules: ['acme-sg-*'] })).findings;
    expect(f!).toMatchObject({ ruleId: 'compliance-change', severity: 'medium' });
    expect(f!.why[0]).toBe(
      'custom network Config rule (matches context.networkConfigRules "acme-sg-*") flipped COMPLIANT -> NON_COMPLIANT',
    );
  });
});

describe('context-aware severity', () => {
  beforeEach(() => {
    config.reset();
    trail.reset();
    trail.on(LookupEventsCommand).resolves({ Events: [], $metadata: {} });
  });

  const igw = json('events/config/igw-attached-internal-vpc.json');
  const vpcItems = json('aws-responses/BatchGetResourceConfig/vpc-0c0ffee0c0ffee012.json');

  it('an IGW attached to a VPC tagged netwatch:exposure=internal is critical (VPC looked up with BatchGetResourceConfig)', async () => {
    // Prepare
    config.on(BatchGetResourceConfigCommand).resolves({ ...(vpcItems as object), $metadata: {} });
    // Act
    const [f] = (await run(igw, liveDeps())).findings;
    // Assess
    expect(config.commandCalls(BatchGetResourceConfigCommand)[0]!.args[0].input).toEqual({
      resourceKeys: [{ resourceType: 'AWS::EC2::VPC', resourceId: 'vpc-0c0ffee0c0ffee012' }],
    });
    expect(f!).toMatchObject({ ruleId: 'igw-attach', severity: 'critical' });
    expect(f!.why).toContain(
      'vpc-0c0ffee0c0ffee012 is tagged netwatch:exposure=internal (internal-only): it must have no internet gateway',
    );
    // Offline, without the tag, the same change is high; with the VPC listed in the context file, critical again.
    expect(classify(igw).findings[0]!.severity).toBe('high');
    expect(classify(igw, parseContext({ internalVpcIds: ['vpc-0c0ffee0c0ffee012'] })).findings[0]!.severity).toBe(
      'critical',
    );
  });

  it('the root user as the actor raises severity, and why says so', async () => {
    trail.on(LookupEventsCommand).resolves(
      lookupResponseAs('7c2e9f4a-1b3d-4a58-9e60-c4d2b8a1f375', {
        type: 'Root',
        principalId: '111122223333',
        arn: 'arn:aws:iam::111122223333:root',
        accountId: '111122223333',
      }),
    );
    const sg = json('events/config/sg-web-opened-by-pipeline.json');
    (sg['configurationItem'] as { relatedEvents: string[] }).relatedEvents = ['7c2e9f4a-1b3d-4a58-9e60-c4d2b8a1f375'];
    const [f] = (await run(sg, liveDeps())).findings;
    expect(f!.actor?.type).toBe('Root');
    expect(f!.severity).toBe('high');
    expect(f!.why).toContain(
      'raised: actor is the root user (arn:aws:iam::111122223333:root): root should never change the network',
    );
  });

  it('a known automation role lowers severity (medium -> low: recorded, not paged)', async () => {
    trail.on(LookupEventsCommand).resolves(lookupResponse('b8d4e2f6-3a1c-4e79-8b05-d6f1a3c9e248'));
    const context = parseContext({ automationRoles: ['arn:aws:iam::*:role/ci-deployer'] });
    const [f] = (await run(json('events/config/sg-web-opened-by-pipeline.json'), liveDeps(), context)).findings;
    expect(f!.severity).toBe('low');
    expect(f!.why).toContain(
      'lowered: actor arn:aws:iam::111122223333:role/ci-deployer matches automation role arn:aws:iam::*:role/ci-deployer (context.automationRoles)',
    );
  });

  it('a world-open SG attached to nothing is lower; attached to an ENI with a public IP, higher', async () => {
    const sg = json('events/config/sg-web-opened-by-pipeline.json');
    const item = sg['configurationItem'] as { relationships: Array<Record<string, unknown>>; relatedEvents: string[] };
    item.relatedEvents = [];
    // Attached to nothing (only the VPC relationship): medium -> low
    const unattached = structuredClone(sg);
    (unattached['configurationItem'] as typeof item).relationships = item.relationships.filter(
      (r) => r['resourceType'] === 'AWS::EC2::VPC',
    );
    const [low] = classify(unattached).findings;
    expect(low!.severity).toBe('low');
    expect(low!.why).toContain(
      'lowered: the security group is attached to no network interface (Config relationships): nothing is reachable through it yet',
    );
    // Attached to an ENI whose Config item has a public IP: medium -> high
    const eni = {
      networkInterfaceId: 'eni-0f9e8d7c6b5a43210',
      association: { publicIp: '203.0.113.80', ipOwnerId: 'amazon' },
      privateIpAddresses: [{ privateIpAddress: '10.1.2.3', primary: true }],
    };
    config.on(BatchGetResourceConfigCommand).resolves({
      baseConfigurationItems: [
        {
          resourceType: 'AWS::EC2::NetworkInterface',
          resourceId: 'eni-0f9e8d7c6b5a43210',
          accountId: '111122223333',
          awsRegion: 'eu-west-1',
          configuration: JSON.stringify(eni),
        },
      ],
      unprocessedResourceKeys: [],
      $metadata: {},
    });
    const [high] = (await run(sg, liveDeps())).findings;
    expect(high!.severity).toBe('high');
    expect(high!.why).toContain(
      'raised: attached to network interfaces with public IPs (eni-0f9e8d7c6b5a43210): reachable from the internet now',
    );
  });

  it('CloudTrail changes carry no attachment facts: no adjustment', () => {
    const [f] = classify(json('events/cloudtrail/authorize-sg-ingress-ssh-world.json')).findings;
    expect(f!.why.some((w) => /^(raised|lowered|context):/.test(w))).toBe(false);
  });

  it('adjustments can be switched off in the context file', () => {
    const sg = json('events/config/sg-web-opened-by-pipeline.json');
    (sg['configurationItem'] as { relationships: unknown[] }).relationships = [];
    expect(classify(sg, parseContext({ adjust: { sgAttachments: false } })).findings[0]!.severity).toBe('medium');
    expect(() => parseContext({ automationRole: ['x'] })).toThrow(/automationRole/);
  });
});
