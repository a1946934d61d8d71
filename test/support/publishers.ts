import { runSimulation } from '@cloud-copilot/iam-simulate';
import { resourcePolicyOf } from './iam-check.ts';
import type { Obj, ResolvedStack } from './stack-template.ts';

/**
 * Who delivers into the stack, read from the template itself, and whether the resource policies let them: every SNS
 * subscription of a queue (the topic's `sns.amazonaws.com` delivering, `aws:SourceArn` = the topic — Config's topic,
 * the org trail's delivery topic), every EventBridge rule target and its dead-letter queue (`events.amazonaws.com`,
 * `aws:SourceArn` = the rule), every alarm action (`cloudwatch.amazonaws.com`, `aws:SourceArn` = the alarm), and the
 * stack-created Config topic (`config.amazonaws.com`). Each delivery into an SSE-KMS queue or topic also needs the
 * key policy to let that service use the key (kms:GenerateDataKey, kms:Decrypt).
 * @see https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sqs-permissions
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-actions
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 */

export interface Delivery {
  /** What delivers (`ConfigTopicSubscription`, `CloudTrailEventsRule`, `ConfigDLQDepthAlarm`). */
  via: string;
  service: string;
  action: string;
  resource: string;
  context: Record<string, string>;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** ARN → logical id of the stack's queues and topics. */
function stackArns(stack: ResolvedStack): Map<string, { id: string; type: string }> {
  const arns = new Map<string, { id: string; type: string }>();
  for (const type of ['AWS::SQS::Queue', 'AWS::SNS::Topic'])
    for (const [id] of stack.of(type)) arns.set(stack.getAtt(id, 'Arn'), { id, type });
  return arns;
}

/** Every service delivery into a queue or topic of the stack. */
export function deliveries(stack: ResolvedStack): Delivery[] {
  const out: Delivery[] = [];
  const source = (arn: string) => ({ 'aws:SourceArn': arn, 'aws:SourceAccount': arn.split(':')[4] ?? '' });
  for (const [id, r] of stack.of('AWS::SNS::Subscription')) {
    const p = stack.resolve(r.Properties) as Obj;
    if (p['Protocol'] !== 'sqs') continue;
    const topic = String(p['TopicArn']);
    out.push({
      via: id,
      service: 'sns.amazonaws.com',
      action: 'sqs:SendMessage',
      resource: String(p['Endpoint']),
      context: source(topic),
    });
  }
  const arns = stackArns(stack);
  for (const [id, r] of stack.of('AWS::Events::Rule')) {
    const rule = stack.getAtt(id, 'Arn');
    for (const target of list((stack.resolve(r.Properties) as Obj)['Targets'] as Obj[])) {
      const dlq = (target['DeadLetterConfig'] as Obj | undefined)?.['Arn'];
      for (const arn of [target['Arn'], dlq].filter((a): a is string => typeof a === 'string'))
        if (arns.get(arn)?.type === 'AWS::SQS::Queue')
          out.push({
            via: id,
            service: 'events.amazonaws.com',
            action: 'sqs:SendMessage',
            resource: arn,
            context: source(rule),
          });
    }
  }
  for (const [id, r] of stack.of('AWS::CloudWatch::Alarm')) {
    const p = stack.resolve(r.Properties) as Obj;
    const alarm = `arn:aws:cloudwatch:${stack.region}:${stack.account}:alarm:${String(p['AlarmName'])}`;
    for (const action of new Set([...list(p['AlarmActions'] as string[]), ...list(p['OKActions'] as string[])]))
      if (arns.get(action)?.type === 'AWS::SNS::Topic')
        out.push({
          via: id,
          service: 'cloudwatch.amazonaws.com',
          action: 'sns:Publish',
          resource: action,
          context: source(alarm),
        });
  }
  if (stack.template.Resources['ConfigTopic'])
    out.push({
      via: 'AWS Config delivery channel',
      service: 'config.amazonaws.com',
      action: 'sns:Publish',
      resource: stack.getAtt('ConfigTopic', 'Arn'),
      context: { 'aws:SourceAccount': stack.account },
    });
  return out;
}

/** The key an SNS topic or SQS queue of the stack is encrypted with (its ARN), if any. */
function keyOf(stack: ResolvedStack, arn: string): string | undefined {
  for (const type of ['AWS::SQS::Queue', 'AWS::SNS::Topic'])
    for (const [id, r] of stack.of(type))
      if (stack.getAtt(id, 'Arn') === arn && r.Properties?.['KmsMasterKeyId'] !== undefined)
        return String(stack.resolve(r.Properties['KmsMasterKeyId']));
  return undefined;
}

/** A delivery judged: the resource policy (and the key policy for SSE-KMS targets). */
export interface DeliveryVerdict {
  delivery: Delivery;
  action: string;
  resource: string;
  result: string;
}

async function simulate(
  service: string,
  action: string,
  resource: string,
  policy: Obj | undefined,
  context: Record<string, string>,
) {
  const response = await runSimulation(
    {
      request: {
        principal: service,
        action,
        resource: { resource, accountId: resource.split(':')[4] ?? '' },
        contextVariables: { ...context, 'aws:SecureTransport': 'true' },
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(policy ? { resourcePolicy: policy } : {}),
    },
    {},
  );
  return response.resultType === 'error'
    ? `SimulationError ${JSON.stringify(response.errors).slice(0, 300)}`
    : response.overallResult;
}

export async function judgeDeliveries(stack: ResolvedStack, list: readonly Delivery[]): Promise<DeliveryVerdict[]> {
  const verdicts: DeliveryVerdict[] = [];
  for (const delivery of list) {
    const policy = resourcePolicyOf(stack, delivery.resource);
    verdicts.push({
      delivery,
      action: delivery.action,
      resource: delivery.resource,
      result: await simulate(delivery.service, delivery.action, delivery.resource, policy, delivery.context),
    });
    const key = keyOf(stack, delivery.resource);
    if (key === undefined) continue;
    const keyPolicy = resourcePolicyOf(stack, key);
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt'])
      verdicts.push({
        delivery,
        action,
        resource: key,
        result: keyPolicy ? await simulate(delivery.service, action, key, keyPolicy, delivery.context) : 'NoKeyPolicy',
      });
  }
  return verdicts;
}
