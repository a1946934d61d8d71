import type { EventPatterns } from '../event-patterns.ts';
import {
  ACCOUNT_ID,
  arnOf,
  type CfnResource,
  type CfnTemplate,
  denyInsecureTransport,
  type Json,
  pascal,
  policyDocument,
  ref,
  type Statement,
  sub,
} from './cfn.ts';
import { generatedConfigText } from './netwatch-config.ts';
import type { StackParams } from './params.ts';
import { buildReportsBucket } from './reconcile.ts';
import { RESPOND_FUNCTION } from './respond.ts';
import { functionRole } from './roles.ts';
import { buildTables } from './tables.ts';

/**
 * The Netwatch stack's resources besides what osls compiles from `functions:` (functions, log groups, event source
 * mappings, the digest schedule). Built from validated parameters; every queue, topic and table is encrypted with the
 * stack's KMS key, every role is per function and names its resources.
 */

/** What the builder needs to know about one deployed function (osls names and settings). */
export interface FunctionInfo {
  /** Key in `functions:` (`configChanges`). */
  key: string;
  /** Deployed name (`netwatch-prod-configChanges`). */
  name: string;
  timeout: number;
  /** The ingest queue it consumes, if any. */
  queue?: IngestQueue;
}

export type IngestQueue = 'ConfigQueue' | 'CloudTrailQueue';

export interface StackInput {
  service: string;
  params: StackParams;
  functions: readonly FunctionInfo[];
  patterns: EventPatterns;
}

/** A function's role logical id (`configChanges` → `ConfigChangesRole`); serverless.yml functions use it as `role`. */
export const roleId = (functionKey: string): string => `${pascal(functionKey)}Role`;
/** osls's logical ids for a function and its log group. */
export const functionId = (functionKey: string): string => `${pascal(functionKey)}LambdaFunction`;
export const logGroupId = (functionKey: string): string => `${pascal(functionKey)}LogGroup`;

/** 14 days, the SQS maximum: time to notice the DLQ alarm and redrive. */
export const DLQ_RETENTION_SECONDS = 1_209_600;
/** Receives before a message is dead-lettered. */
export const MAX_RECEIVE_COUNT = 5;
/**
 * Lambda's SQS guidance: visibility timeout at least six times the function timeout (retries with back-off within one
 * visibility window).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
 */
export const VISIBILITY_FACTOR = 6;

const KEY = 'NetwatchKey';
const KEY_ARN = arnOf(KEY);

/**
 * Build the resources and outputs: the key, the queues, the topics, the tables, the event rules, the posture reports
 * bucket (reconciliation), the config, the roles.
 */
export function buildResources(input: StackInput): CfnTemplate {
  const { params } = input;
  const prefix = `${input.service}-${params.stage}`;
  const configParameterName = params.netwatchConfigParameter ?? `/${input.service}/${params.stage}/config`;
  const roles: Record<string, CfnResource> = {};
  for (const fn of input.functions) roles[roleId(fn.key)] = functionRole(fn, params, KEY_ARN, configParameterName);
  return merge(
    stackKey(prefix, params),
    ingestQueues(prefix, params, input.functions),
    topics(prefix, params),
    buildTables(prefix, KEY_ARN),
    eventRules(prefix, params, input.patterns),
    buildReportsBucket(input.service, params, input.functions, KEY_ARN),
    configParameter(params, configParameterName),
    { Resources: roles },
    {
      Resources: {},
      Outputs: {
        PagingTopicArn: { Description: 'Paging topic (confirm the email subscriptions)', Value: ref('PagingTopic') },
        ChangeQueueUrl: { Description: 'Change-management queue (change records, JSON)', Value: ref('ChangeQueue') },
        NetwatchConfigParameterName: {
          Description: "SSM parameter holding the functions' Netwatch config",
          Value: configParameterName,
        },
        CloudTrailQueueArn: { Value: arnOf('CloudTrailQueue') },
        ConfigQueueArn: { Value: arnOf('ConfigQueue') },
      },
    },
  );
}

/** Resources and outputs of several parts, in one template fragment (a logical id defined twice is a bug). */
function merge(...parts: CfnTemplate[]): CfnTemplate {
  const out: Required<Pick<CfnTemplate, 'Resources' | 'Outputs'>> = { Resources: {}, Outputs: {} };
  for (const part of parts) {
    for (const [id, resource] of Object.entries(part.Resources)) {
      if (out.Resources[id]) throw new Error(`Netwatch stack: resource ${id} is built twice`);
      out.Resources[id] = resource;
    }
    Object.assign(out.Outputs, part.Outputs);
  }
  return out;
}

/** KMS: one key for topics, queues, tables and log groups, and who may use it. */
function stackKey(prefix: string, params: StackParams): CfnTemplate {
  const externalTopics = [
    params.configTopicArn,
    params.cloudTrailSource === 's3' ? params.cloudTrailTopicArn : undefined,
  ].filter((t): t is string => t !== undefined);
  const keyStatements: Statement[] = [
    // The account administers the key through IAM (the default key policy); without it the key becomes unmanageable.
    // Key policies name the key itself as "*".
    {
      Sid: 'AccountAdministersKeyThroughIam',
      Effect: 'Allow',
      Principal: { AWS: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') },
      Action: 'kms:*',
      Resource: '*',
    },
    {
      // SNS → encrypted SQS, EventBridge → encrypted SQS, CloudWatch alarms / Config → encrypted SNS.
      // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
      Sid: 'AwsServicesPublishToEncryptedTopicsAndQueues',
      Effect: 'Allow',
      Principal: {
        Service: ['sns.amazonaws.com', 'events.amazonaws.com', 'cloudwatch.amazonaws.com', 'config.amazonaws.com'],
      },
      Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT_ID } },
    },
    {
      // Lambda log groups encrypted with this key. https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
      Sid: 'CloudWatchLogsEncryptsNetwatchLogGroups',
      Effect: 'Allow',
      Principal: { Service: sub('logs.${AWS::Region}.amazonaws.com') },
      Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      Resource: '*',
      Condition: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': sub(
            `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${prefix}-*`,
          ),
        },
      },
    },
  ];
  if (externalTopics.length) {
    // Topics owned by another account (org trail / central Config topic) deliver into the encrypted queues.
    keyStatements.push({
      Sid: 'ExternalTopicsDeliverToEncryptedQueues',
      Effect: 'Allow',
      Principal: { Service: 'sns.amazonaws.com' },
      Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      Resource: '*',
      Condition: { ArnEquals: { 'aws:SourceArn': externalTopics } },
    });
  }
  return {
    Resources: {
      [KEY]: {
        Type: 'AWS::KMS::Key',
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          Description: `Netwatch ${params.stage}: topics, queues, tables, logs`,
          EnableKeyRotation: true,
          KeyPolicy: policyDocument(keyStatements),
        },
      },
      NetwatchKeyAlias: {
        Type: 'AWS::KMS::Alias',
        Properties: { AliasName: `alias/${prefix}`, TargetKeyId: ref(KEY) },
      },
    },
  };
}

/**
 * Ingest queues with their DLQs, the change-management queue, the opt-in response's queue and DLQ (only with the
 * responder), and who may send to each: the Config topic (SNS mode) or the Config rule (EventBridge mode); the
 * CloudTrail rule or the trail's topic.
 */
function ingestQueues(prefix: string, params: StackParams, functions: readonly FunctionInfo[]): CfnTemplate {
  const r: Record<string, CfnResource> = {};
  const timeoutOf = (queue: IngestQueue) =>
    Math.max(30, ...functions.filter((f) => f.queue === queue).map((f) => f.timeout));
  const queue = (id: string, name: string, props: Record<string, Json> = {}): void => {
    r[id] = {
      Type: 'AWS::SQS::Queue',
      Properties: { QueueName: name, KmsMasterKeyId: KEY_ARN, KmsDataKeyReusePeriodSeconds: 3600, ...props },
    };
  };
  const ingest: { id: IngestQueue; name: string }[] = [
    { id: 'ConfigQueue', name: `${prefix}-config` },
    { id: 'CloudTrailQueue', name: `${prefix}-cloudtrail` },
  ];
  for (const q of ingest) {
    queue(dlqOf(q.id), `${q.name}-dlq`, { MessageRetentionPeriod: DLQ_RETENTION_SECONDS });
    queue(q.id, q.name, {
      VisibilityTimeout: VISIBILITY_FACTOR * timeoutOf(q.id),
      MessageRetentionPeriod: 345_600,
      RedrivePolicy: { deadLetterTargetArn: arnOf(dlqOf(q.id)), maxReceiveCount: MAX_RECEIVE_COUNT },
    });
  }
  queue('ChangeQueue', `${prefix}-changes`, { MessageRetentionPeriod: DLQ_RETENTION_SECONDS });
  const responder = functions.find((f) => f.key === RESPOND_FUNCTION);
  if (responder) {
    // Revert requests wait out their grace period here (SQS delay, at most 15 minutes at a time): docs/response.md.
    queue('RespondDLQ', `${prefix}-respond-dlq`, { MessageRetentionPeriod: DLQ_RETENTION_SECONDS });
    queue('RespondQueue', `${prefix}-respond`, {
      VisibilityTimeout: VISIBILITY_FACTOR * Math.max(30, responder.timeout),
      MessageRetentionPeriod: 345_600,
      RedrivePolicy: { deadLetterTargetArn: arnOf('RespondDLQ'), maxReceiveCount: MAX_RECEIVE_COUNT },
    });
  }

  const configSenders: Statement[] = [];
  if (params.configSource === 'sns')
    configSenders.push(snsSends('ConfigQueue', params.configTopicArn ?? ref('ConfigTopic')));
  else configSenders.push(eventsSend('ConfigQueue', 'ConfigEventsRule'));
  if (forwardedConfigRule(params))
    configSenders.push(eventsSend('ConfigQueue', 'OrgConfigEventsRule', 'OrgConfigRuleSends'));
  const cloudTrailSenders: Statement[] = [];
  if (params.cloudTrailSource === 's3' && params.cloudTrailTopicArn)
    cloudTrailSenders.push(snsSends('CloudTrailQueue', params.cloudTrailTopicArn));
  else cloudTrailSenders.push(eventsSend('CloudTrailQueue', 'CloudTrailEventsRule'));
  r['ConfigQueuePolicy'] = queuePolicy(['ConfigQueue', 'ConfigDLQ'], configSenders);
  r['CloudTrailQueuePolicy'] = queuePolicy(['CloudTrailQueue', 'CloudTrailDLQ'], cloudTrailSenders);
  r['ChangeQueuePolicy'] = queuePolicy(['ChangeQueue'], []);
  if (!responder) return { Resources: r };
  r['RespondQueuePolicy'] = queuePolicy(['RespondQueue', 'RespondDLQ'], []);
  return {
    Resources: r,
    Outputs: {
      RespondQueueUrl: {
        Description: 'Revert requests of the opt-in response (your own config: respond.queueUrl)',
        Value: ref('RespondQueue'),
      },
    },
  };
}

/** Topics: paging (email / SMS subscriptions), the optional Config delivery topic, the ingest subscriptions. */
function topics(prefix: string, params: StackParams): CfnTemplate {
  const r: Record<string, CfnResource> = {};
  const outputs: NonNullable<CfnTemplate['Outputs']> = {};
  r['PagingTopic'] = {
    Type: 'AWS::SNS::Topic',
    Properties: { TopicName: `${prefix}-paging`, DisplayName: 'Netwatch', KmsMasterKeyId: KEY_ARN },
  };
  r['PagingTopicPolicy'] = topicPolicy('PagingTopic', 'CloudWatchAlarmsPublish', 'cloudwatch.amazonaws.com');
  params.alertEmails.forEach((email, i) => {
    r[`PagingEmail${i + 1}`] = {
      Type: 'AWS::SNS::Subscription',
      Properties: { TopicArn: ref('PagingTopic'), Protocol: 'email', Endpoint: email },
    };
  });
  params.alertPhones.forEach((phone, i) => {
    r[`PagingSms${i + 1}`] = {
      Type: 'AWS::SNS::Subscription',
      Properties: { TopicArn: ref('PagingTopic'), Protocol: 'sms', Endpoint: phone },
    };
  });
  if (params.createConfigTopic) {
    // Not SSE-KMS: "AWS Config does not support encrypted Amazon SNS topics" — an encrypted delivery topic would
    // receive nothing. Config items carry no secrets; the queue behind the topic is encrypted.
    // https://docs.aws.amazon.com/config/latest/developerguide/sns-topic-policy.html
    r['ConfigTopic'] = { Type: 'AWS::SNS::Topic', Properties: { TopicName: `${prefix}-config-delivery` } };
    r['ConfigTopicPolicy'] = topicPolicy('ConfigTopic', 'ConfigPublishes', 'config.amazonaws.com');
    outputs['ConfigTopicArn'] = {
      Description: 'Point the Config delivery channel here (aws configservice put-delivery-channel … snsTopicARN)',
      Value: ref('ConfigTopic'),
    };
  }
  if (params.configSource === 'sns') {
    r['ConfigTopicSubscription'] = subscription(
      params.configTopicArn ?? ref('ConfigTopic'),
      'ConfigQueue',
      params.configRawDelivery,
      params.configTopicArn,
    );
  }
  if (params.cloudTrailSource === 's3' && params.cloudTrailTopicArn) {
    r['CloudTrailTopicSubscription'] = subscription(
      params.cloudTrailTopicArn,
      'CloudTrailQueue',
      false,
      params.cloudTrailTopicArn,
    );
  }
  return { Resources: r, Outputs: outputs };
}

/** EventBridge: the ingest rules of each mode, the CloudTrail heartbeat, the organization's bus policy. */
function eventRules(prefix: string, params: StackParams, patterns: EventPatterns): CfnTemplate {
  const r: Record<string, CfnResource> = {};
  const outputs: NonNullable<CfnTemplate['Outputs']> = {};
  const busArn = sub('arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default');
  if (params.cloudTrailSource === 'eventbridge') {
    r['CloudTrailEventsRule'] = eventsRule(
      `${prefix}-cloudtrail`,
      'CloudTrail API calls the rules judge (generated from rules/*.ts apiCalls)',
      patterns.cloudtrail,
      'CloudTrailQueue',
    );
    // Heartbeat: every successful write API call CloudTrail hands to EventBridge (no target: only its MatchedEvents metric is read).
    r['CloudTrailHeartbeatRule'] = {
      Type: 'AWS::Events::Rule',
      Properties: {
        Name: `${prefix}-cloudtrail-heartbeat`,
        Description: 'Counts CloudTrail API events reaching EventBridge (heartbeat alarm); no target',
        State: 'ENABLED',
        EventPattern: { 'detail-type': ['AWS API Call via CloudTrail'] },
      },
    };
  }
  if (params.configSource === 'eventbridge') {
    r['ConfigEventsRule'] = eventsRule(
      `${prefix}-config`,
      "Config item and compliance changes for the rules' resource types",
      patterns.config,
      'ConfigQueue',
    );
  }
  if (forwardedConfigRule(params)) {
    // Org mode with the Config topic: the member accounts forward their Config item and compliance changes to this
    // bus (deploy/member-account.yml, ForwardConfigEvents=true); without this rule they would reach no queue. This
    // account's own Config events come through its delivery channel's topic, so they are left out here (no twin).
    r['OrgConfigEventsRule'] = eventsRule(
      `${prefix}-org-config`,
      'Config item and compliance changes forwarded by the member accounts (deploy/member-account.yml)',
      { ...patterns.config, account: [{ 'anything-but': ACCOUNT_ID }] },
      'ConfigQueue',
    );
  }
  if (params.orgMode && params.organizationId) {
    // Member accounts forward to this account's default bus (deploy/member-account.yml); only the organization may.
    r['OrgEventBusPolicy'] = {
      Type: 'AWS::Events::EventBusPolicy',
      Properties: {
        EventBusName: 'default',
        StatementId: `${prefix}-organization-put-events`,
        Statement: {
          Sid: `${prefix}-organization-put-events`,
          Effect: 'Allow',
          Principal: '*',
          Action: 'events:PutEvents',
          Resource: busArn,
          Condition: { StringEquals: { 'aws:PrincipalOrgID': params.organizationId } },
        },
      },
    };
    outputs['CentralEventBusArn'] = {
      Description: 'CentralEventBusArn parameter of deploy/member-account.yml',
      Value: busArn,
    };
  }
  return { Resources: r, Outputs: outputs };
}

/** The functions' Netwatch config, written by the stack unless the operator names their own parameter. */
function configParameter(params: StackParams, name: string): CfnTemplate {
  if (params.netwatchConfigParameter) return { Resources: {} };
  return {
    Resources: {
      NetwatchConfigParameter: {
        Type: 'AWS::SSM::Parameter',
        Properties: {
          Name: name,
          Type: 'String',
          Tier: 'Standard',
          Description: 'Netwatch config written by the stack (no secrets: references only)',
          Value: sub(generatedConfigText(params)),
        },
      },
    },
  };
}

/**
 * Whether the central bus needs its own rule for forwarded Config events: org mode with Config read from the delivery
 * channel's topic. (With configSource=eventbridge the Config rule already matches every account's events on the bus.)
 */
export function forwardedConfigRule(params: StackParams): boolean {
  return params.orgMode && params.configSource === 'sns';
}

/** DLQ logical id of an ingest queue. */
export function dlqOf(queue: IngestQueue): 'ConfigDLQ' | 'CloudTrailDLQ' {
  return queue === 'ConfigQueue' ? 'ConfigDLQ' : 'CloudTrailDLQ';
}

function snsSends(queueId: string, topicArn: Json): Statement {
  return {
    Sid: 'SubscribedTopicSends',
    Effect: 'Allow',
    Principal: { Service: 'sns.amazonaws.com' },
    Action: 'sqs:SendMessage',
    Resource: arnOf(queueId),
    Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
  };
}

function eventsSend(queueId: IngestQueue, ruleId: string, sid = 'EventBridgeRuleSends'): Statement {
  // The rule's target and its dead-letter queue. https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sqs-permissions
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: { Service: 'events.amazonaws.com' },
    Action: 'sqs:SendMessage',
    Resource: [arnOf(queueId), arnOf(dlqOf(queueId))],
    Condition: { ArnEquals: { 'aws:SourceArn': arnOf(ruleId) } },
  };
}

function queuePolicy(queueIds: readonly string[], allows: readonly Statement[]): CfnResource {
  return {
    Type: 'AWS::SQS::QueuePolicy',
    Properties: {
      Queues: queueIds.map(ref),
      PolicyDocument: policyDocument([...allows, denyInsecureTransport('sqs:*', queueIds.map(arnOf))]),
    },
  };
}

/** A topic only `service` of this account may publish to, over TLS only. */
function topicPolicy(topicId: string, sid: string, service: string): CfnResource {
  return {
    Type: 'AWS::SNS::TopicPolicy',
    Properties: {
      Topics: [ref(topicId)],
      PolicyDocument: policyDocument([
        {
          Sid: sid,
          Effect: 'Allow',
          Principal: { Service: service },
          Action: 'sns:Publish',
          Resource: ref(topicId),
          Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT_ID } },
        },
        denyInsecureTransport('sns:Publish', ref(topicId)),
      ]),
    },
  };
}

/** SNS → SQS subscription; a topic in another region is subscribed in its own region. */
function subscription(topicArn: Json, queueId: string, raw: boolean, externalArn: string | undefined): CfnResource {
  const region = externalArn?.split(':')[3];
  return {
    Type: 'AWS::SNS::Subscription',
    Properties: {
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: arnOf(queueId),
      RawMessageDelivery: raw,
      ...(region ? { Region: region } : {}),
    },
  };
}

function eventsRule(
  name: string,
  description: string,
  pattern: Record<string, unknown>,
  queueId: IngestQueue,
): CfnResource {
  return {
    Type: 'AWS::Events::Rule',
    Properties: {
      Name: name,
      Description: description,
      State: 'ENABLED',
      EventPattern: pattern as Json,
      // Undeliverable events (queue policy, KMS) land in the DLQ, whose alarm pages.
      Targets: [
        {
          Id: 'ingest-queue',
          Arn: arnOf(queueId),
          DeadLetterConfig: { Arn: arnOf(dlqOf(queueId)) },
          RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
        },
      ],
    },
  };
}
