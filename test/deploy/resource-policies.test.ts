import { describe, expect, it } from 'vitest';
import { eventPatterns } from '../../deploy/event-patterns.ts';
import { parseParams } from '../../deploy/stack/params.ts';
import { buildResources } from '../../deploy/stack/resources.ts';
import { RULES } from '../../rules/index.ts';
import { deliveries, judgeDeliveries } from '../support/publishers.ts';
import { loadTemplate, MODES, packagedTemplates, ResolvedStack, type Template } from '../support/stack-template.ts';

/**
 * The stack's resource policies admit the services that really deliver into it — read from the packaged templates
 * (subscriptions, rule targets and their DLQs, alarm actions), judged by the IAM evaluator against the queue / topic
 * policy and the KMS key policy (test/support/publishers.ts).
 */
const packaged = packagedTemplates('test/deploy/resource-policies.test.ts');
const ENV = { account: '111122223333', region: 'eu-west-1', stackName: 'netwatch-ci' };

describe.skipIf(!packaged)('resource policies admit their real publishers', () => {
  it.each(MODES)('%s: every subscription, rule target and alarm action may deliver (and use the key)', async (mode) => {
    // Prepare
    const stack = new ResolvedStack(loadTemplate(mode), ENV);
    const list = deliveries(stack);
    // Act
    const verdicts = await judgeDeliveries(stack, list);
    // Assess
    expect(
      verdicts
        .filter((v) => v.result !== 'Allowed')
        .map((v) => `${v.delivery.via}: ${v.action} on ${v.resource} → ${v.result}`),
    ).toEqual([]);
    const vias = new Set(list.map((d) => d.via));
    expect(vias).toContain('ConfigDLQDepthAlarm');
    if (mode === 'private') expect(vias).toContain('CloudTrailTopicSubscription');
    else expect(vias).toContain('CloudTrailEventsRule');
    if (mode !== 'org') expect(vias).toContain('ConfigTopicSubscription');
  });

  it('a stack-created Config topic admits AWS Config, and its delivery reaches the Config queue', async () => {
    // Prepare: the builder's output with createConfigTopic=true (no packaged mode uses it).
    const params = parseParams({ createConfigTopic: 'true' }, 'ci');
    const built = buildResources({
      service: 'netwatch',
      params,
      functions: [{ key: 'configChanges', name: 'netwatch-ci-configChanges', timeout: 30, queue: 'ConfigQueue' }],
      patterns: eventPatterns(RULES),
    });
    const stack = new ResolvedStack({ Resources: built.Resources } as Template, ENV);
    // Act
    const verdicts = await judgeDeliveries(stack, deliveries(stack));
    // Assess
    expect(verdicts.filter((v) => v.result !== 'Allowed')).toEqual([]);
    // AWS Config cannot deliver to an SSE-KMS topic (sns-topic-policy.html): the stack's Config topic is not one.
    expect(built.Resources['ConfigTopic']?.Properties?.['KmsMasterKeyId']).toBeUndefined();
    expect(verdicts.map((v) => `${v.delivery.service} ${v.action}`)).toEqual(
      expect.arrayContaining(['config.amazonaws.com sns:Publish', 'sns.amazonaws.com sqs:SendMessage']),
    );
  });

  it('a queue policy without the topic statement refuses the delivery (the check can fail)', async () => {
    // Prepare
    const template = structuredClone(loadTemplate('default'));
    const policy = template.Resources['ConfigQueuePolicy']?.Properties?.['PolicyDocument'] as {
      Statement: { Sid?: string }[];
    };
    policy.Statement = policy.Statement.filter((s) => s.Sid !== 'SubscribedTopicSends');
    const stack = new ResolvedStack(template, ENV);
    // Act
    const verdicts = await judgeDeliveries(
      stack,
      deliveries(stack).filter((d) => d.via === 'ConfigTopicSubscription'),
    );
    // Assess
    expect(verdicts.find((v) => v.action === 'sqs:SendMessage')?.result).toBe('ImplicitlyDenied');
  });
});
