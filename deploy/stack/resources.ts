import type { EventPatterns } from '../event-patterns.ts';
import {
  ACCOUNT_ID,
  arnOf,
  type CfnResource,
  type CfnTemplate,
  type Json,
  pascal,
  policyDocument,
  ref,
  type Statement,
  sub,
} from './cfn.ts';
import { generatedConfigText } from './netwatch-config.ts';
import type { StackParams } from './params.ts';

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

/** The reconciliation function (docs/reconciliation.md): its key in serverless.yml. */
export const RECONCILE_FUNCTION = 'reconcile';
/** The opt-in responder (docs/response.md): its key in serverless.yml. */
export const RESPOND_FUNCTION = 'respond';

/** The accounts the response acts in, as ARN account fields (`self` = the stack's own account). */
export function respondAccountFields(params: StackParams): Json[] {
  return params.respondAccounts.map((a) => (a === 'self' ? ACCOUNT_ID : a));
}

/**
 * The posture reports bucket's name (account and Region make it unique in the partition): a CloudFormation `Fn::Sub`
 * value, also the reconcile function's `NETWATCH_REPORTS_BUCKET`.
 */
export function reportsBucketName(service: string, params: StackParams): Json {
  return sub(`${service}-${params.stage}-reports-\${AWS::AccountId}-\${AWS::Region}`);
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

/** Build the resources and outputs. */
export function buildResources(input: StackInput): CfnTemplate {
  const { params } = input;
  const prefix = `${input.service}-${params.stage}`;
  const r: Record<string, CfnResource> = {};
  const outputs: NonNullable<CfnTemplate['Outputs']> = {};
  const consumers = (queue: IngestQueue) => input.functions.filter((f) => f.queue === queue);
  const timeoutOf = (queue: IngestQueue) => Math.max(30, ...consumers(queue).map((f) => f.timeout));
  const configParameterName = params.netwatchConfigParameter ?? `/${input.service}/${params.stage}/config`;
  const externalTopics = [
    params.configTopicArn,
    params.cloudTrailSource === 's3' ? params.cloudTrailTopicArn : undefined,
  ].filter((t): t is string => t !== undefined);

  // ── KMS: one key for topics, queues, tables and log groups ────────────────────────────────────────────────────
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
  r[KEY] = {
    Type: 'AWS::KMS::Key',
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: {
      Description: `Netwatch ${params.stage}: topics, queues, tables, logs`,
      EnableKeyRotation: true,
      KeyPolicy: policyDocument(keyStatements),
    },
  };
  r['NetwatchKeyAlias'] = {
    Type: 'AWS::KMS::Alias',
    Properties: { AliasName: `alias/${prefix}`, TargetKeyId: ref(KEY) },
  };

  // ── Ingest queues with DLQs ──────────────────────────────────────────────────────────────────────────────────
  const queue = (id: string, name: string, props: Record<string, Json> = {}): void => {
    r[id] = {
      Type: 'AWS::SQS::Queue',
      Properties: { QueueName: name, KmsMasterKeyId: KEY_ARN, KmsDataKeyReusePeriodSeconds: 3600, ...props },
    };
  };
  const ingest: { id: IngestQueue; name: string; label: string }[] = [
    { id: 'ConfigQueue', name: `${prefix}-config`, label: 'Config' },
    { id: 'CloudTrailQueue', name: `${prefix}-cloudtrail`, label: 'CloudTrail' },
  ];
  for (const q of ingest) {
    queue(`${q.id}DLQ`.replace('QueueDLQ', 'DLQ'), `${q.name}-dlq`, { MessageRetentionPeriod: DLQ_RETENTION_SECONDS });
    queue(q.id, q.name, {
      VisibilityTimeout: VISIBILITY_FACTOR * timeoutOf(q.id),
      MessageRetentionPeriod: 345_600,
      RedrivePolicy: { deadLetterTargetArn: arnOf(dlqOf(q.id)), maxReceiveCount: MAX_RECEIVE_COUNT },
    });
  }
  queue('ChangeQueue', `${prefix}-changes`, { MessageRetentionPeriod: DLQ_RETENTION_SECONDS });
  const responder = input.functions.find((f) => f.key === RESPOND_FUNCTION);
  if (responder) {
    // Revert requests wait out their grace period here (SQS delay, at most 15 minutes at a time): docs/response.md.
    queue('RespondDLQ', `${prefix}-respond-dlq`, { MessageRetentionPeriod: DLQ_RETENTION_SECONDS });
    queue('RespondQueue', `${prefix}-respond`, {
      VisibilityTimeout: VISIBILITY_FACTOR * Math.max(30, responder.timeout),
      MessageRetentionPeriod: 345_600,
      RedrivePolicy: { deadLetterTargetArn: arnOf('RespondDLQ'), maxReceiveCount: MAX_RECEIVE_COUNT },
    });
  }

  // Who may send: the Config topic (SNS mode) or the Config rule (EventBridge mode); the CloudTrail rule or the trail's topic.
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
  if (responder) {
    r['RespondQueuePolicy'] = queuePolicy(['RespondQueue', 'RespondDLQ'], []);
    outputs['RespondQueueUrl'] = {
      Description: 'Revert requests of the opt-in response (your own config: respond.queueUrl)',
      Value: ref('RespondQueue'),
    };
  }

  // ── Topics: paging (email / SMS), optional Config topic ───────────────────────────────────────────────────────
  r['PagingTopic'] = {
    Type: 'AWS::SNS::Topic',
    Properties: { TopicName: `${prefix}-paging`, DisplayName: 'Netwatch', KmsMasterKeyId: KEY_ARN },
  };
  r['PagingTopicPolicy'] = {
    Type: 'AWS::SNS::TopicPolicy',
    Properties: {
      Topics: [ref('PagingTopic')],
      PolicyDocument: policyDocument([
        {
          Sid: 'CloudWatchAlarmsPublish',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: ref('PagingTopic'),
          Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT_ID } },
        },
        denyInsecureTransport('sns:Publish', ref('PagingTopic')),
      ]),
    },
  };
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
    r['ConfigTopic'] = {
      Type: 'AWS::SNS::Topic',
      Properties: { TopicName: `${prefix}-config-delivery` },
    };
    r['ConfigTopicPolicy'] = {
      Type: 'AWS::SNS::TopicPolicy',
      Properties: {
        Topics: [ref('ConfigTopic')],
        PolicyDocument: policyDocument([
          {
            Sid: 'ConfigPublishes',
            Effect: 'Allow',
            Principal: { Service: 'config.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: ref('ConfigTopic'),
            Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT_ID } },
          },
          denyInsecureTransport('sns:Publish', ref('ConfigTopic')),
        ]),
      },
    };
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

  // ── Tables ──────────────────────────────────────────────────────────────────────────────────────────────────
  const tableBase = (name: string): Record<string, Json> => ({
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: KEY_ARN },
  });
  r['DeliveryTable'] = {
    Type: 'AWS::DynamoDB::Table',
    Properties: {
      ...tableBase(`${prefix}-delivery`),
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    },
  };
  // The kept network state (issue 14): one item per resource, the reverse index of prefix lists, and the sparse GSI
  // of resources with an open exposure episode. Rebuildable from AWS Config, so not retained with the stack; items
  // carry no expiresAt (the state is the network now), the TTL setting is the tables' common base.
  r['StateTable'] = {
    Type: 'AWS::DynamoDB::Table',
    Properties: {
      ...tableBase(`${prefix}-state`),
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'openIndex', AttributeType: 'S' },
        { AttributeName: 'openSince', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'open',
          KeySchema: [
            { AttributeName: 'openIndex', KeyType: 'HASH' },
            { AttributeName: 'openSince', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    },
  };
  r['ApprovalsTable'] = {
    Type: 'AWS::DynamoDB::Table',
    // Approvals are the change-management system's records: kept when the stack is removed.
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: {
      ...tableBase(`${prefix}-approvals`),
      DeletionProtectionEnabled: true,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'account', AttributeType: 'S' },
        { AttributeName: 'windowEnd', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byAccount',
          KeySchema: [
            { AttributeName: 'account', KeyType: 'HASH' },
            { AttributeName: 'windowEnd', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    },
  };

  // ── EventBridge ─────────────────────────────────────────────────────────────────────────────────────────────
  const busArn = sub('arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default');
  if (params.cloudTrailSource === 'eventbridge') {
    r['CloudTrailEventsRule'] = eventsRule(
      `${prefix}-cloudtrail`,
      'CloudTrail API calls the rules judge (generated from rules/*.ts apiCalls)',
      input.patterns.cloudtrail,
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
      input.patterns.config,
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
      { ...input.patterns.config, account: [{ 'anything-but': ACCOUNT_ID }] },
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

  // ── Posture reports (reconciliation) ───────────────────────────────────────────────────────────────────────
  if (input.functions.some((f) => f.key === RECONCILE_FUNCTION)) {
    // The first reconciliation's HTML report (docs/reconciliation.md): private, encrypted with the stack key, kept a year.
    r['ReportsBucket'] = {
      Type: 'AWS::S3::Bucket',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BucketName: reportsBucketName(input.service, params),
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY_ARN },
              BucketKeyEnabled: true,
            },
          ],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LifecycleConfiguration: { Rules: [{ Id: 'expire-reports', Status: 'Enabled', ExpirationInDays: 400 }] },
      },
    };
    r['ReportsBucketPolicy'] = {
      Type: 'AWS::S3::BucketPolicy',
      Properties: {
        Bucket: ref('ReportsBucket'),
        PolicyDocument: policyDocument([
          denyInsecureTransport('s3:*', [arnOf('ReportsBucket'), sub('${ReportsBucket.Arn}/*')]),
        ]),
      },
    };
    outputs['ReportsBucketName'] = {
      Description: 'Posture reports of the first reconciliation (posture/<time>.html)',
      Value: ref('ReportsBucket'),
    };
  }

  // ── The functions' config ──────────────────────────────────────────────────────────────────────────────────
  if (!params.netwatchConfigParameter) {
    r['NetwatchConfigParameter'] = {
      Type: 'AWS::SSM::Parameter',
      Properties: {
        Name: configParameterName,
        Type: 'String',
        Tier: 'Standard',
        Description: 'Netwatch config written by the stack (no secrets: references only)',
        Value: sub(generatedConfigText(params)),
      },
    };
  }

  // ── Per-function roles ─────────────────────────────────────────────────────────────────────────────────────
  for (const fn of input.functions) r[roleId(fn.key)] = functionRole(fn, params, configParameterName);

  outputs['PagingTopicArn'] = {
    Description: 'Paging topic (confirm the email subscriptions)',
    Value: ref('PagingTopic'),
  };
  outputs['ChangeQueueUrl'] = {
    Description: 'Change-management queue (change records, JSON)',
    Value: ref('ChangeQueue'),
  };
  outputs['ApprovalsTableName'] = {
    Description: 'Approvals table the change-management system writes',
    Value: ref('ApprovalsTable'),
  };
  outputs['DeliveryTableName'] = {
    Description: 'Delivery ledger, dedup and storm windows',
    Value: ref('DeliveryTable'),
  };
  outputs['StateTableName'] = {
    Description: 'Kept network state and exposure episodes (netwatch exposures --table)',
    Value: ref('StateTable'),
  };
  outputs['NetwatchConfigParameterName'] = {
    Description: "SSM parameter holding the functions' Netwatch config",
    Value: configParameterName,
  };
  outputs['CloudTrailQueueArn'] = { Value: arnOf('CloudTrailQueue') };
  outputs['ConfigQueueArn'] = { Value: arnOf('ConfigQueue') };
  return { Resources: r, Outputs: outputs };
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

function denyInsecureTransport(action: string, resource: Json): Statement {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: action,
    Resource: resource,
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
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

/** ARN of an SSM parameter by name (names with or without the leading slash). */
export function ssmParameterArn(name: string): Json {
  return sub(
    `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`,
  );
}

/** Secrets Manager ARN: given ARNs as is; names get the 6-character suffix AWS appends. */
function secretArn(nameOrArn: string): Json {
  if (nameOrArn.startsWith('arn:')) return nameOrArn;
  return sub(`arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${nameOrArn}-??????`);
}

/**
 * The read-only look-ups of enrichment (shared/2-enrich, `NETWATCH_ENRICH=on`) a function's source needs. Config
 * changes: the oversized item and its predecessor (GetResourceConfigHistory), the actor behind the change
 * (LookupEvents of its relatedEvents), the ENIs of a world-open group / the tags of a VPC gaining an internet gateway
 * (BatchGetResourceConfig). CloudTrail changes carry their actor and are never oversized: only the neighbour look-up.
 * These APIs have no resource-level permissions, hence Resource "*" (test/deploy/template.test.ts lists why).
 * test/deploy/iam-simulation.test.ts runs the functions and checks every call they make against these roles.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsconfig.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudtrail.html
 */
export function enrichmentStatements(fn: FunctionInfo): Statement[] {
  if (fn.queue === 'ConfigQueue')
    return [
      {
        Sid: 'EnrichConfigChanges',
        Effect: 'Allow',
        Action: ['config:GetResourceConfigHistory', 'config:BatchGetResourceConfig', 'cloudtrail:LookupEvents'],
        Resource: '*',
      },
    ];
  if (fn.queue === 'CloudTrailQueue')
    return [
      { Sid: 'EnrichCloudTrailChanges', Effect: 'Allow', Action: 'config:BatchGetResourceConfig', Resource: '*' },
    ];
  return [];
}

/**
 * The reconcile function's own permissions: the advanced query (SelectResourceConfig has no resource-level
 * permissions; SelectAggregateResourceConfig is authorized on the aggregator, whose ARN carries an id the stack does
 * not know — any aggregator of this account in this Region), the state table (read, conditional writes, the reverse
 * index, and one Scan per run to find resources deleted between runs), and the reports bucket's `posture/` prefix.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsconfig.html
 */
export function reconcileStatements(params: StackParams): Statement[] {
  return [
    params.reconcileAggregator
      ? {
          Sid: 'AdvancedQueryAggregator',
          Effect: 'Allow',
          Action: 'config:SelectAggregateResourceConfig',
          Resource: sub('arn:${AWS::Partition}:config:${AWS::Region}:${AWS::AccountId}:config-aggregator/*'),
        }
      : { Sid: 'AdvancedQuery', Effect: 'Allow', Action: 'config:SelectResourceConfig', Resource: '*' },
    {
      Sid: 'ReconcileState',
      Effect: 'Allow',
      Action: [
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:PutItem',
        'dynamodb:DeleteItem',
        'dynamodb:Query',
        'dynamodb:Scan',
      ],
      Resource: [arnOf('StateTable'), sub('${StateTable.Arn}/index/open')],
    },
    { Sid: 'PostureReports', Effect: 'Allow', Action: 's3:PutObject', Resource: sub('${ReportsBucket.Arn}/posture/*') },
  ];
}

/**
 * The responder's own permissions, present only when `respondAccounts` is set: consume (and re-queue into) the respond
 * queue; read and write the kept state (what is still there; the revert closes the episode); and the revert calls
 * themselves, on the security groups and route tables of the named accounts only (EC2 authorizes these actions on
 * the resource: `security-group/*`, `route-table/*`). It acts with its own credentials, so in practice in the stack's
 * own account; a finding of another account is recorded as not reverted.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html
 */
export function respondStatements(params: StackParams): Statement[] {
  const accounts = respondAccountFields(params);
  const arns = (type: string) =>
    accounts.map((a) =>
      typeof a === 'string'
        ? sub(`arn:\${AWS::Partition}:ec2:*:${a}:${type}/*`)
        : sub(`arn:\${AWS::Partition}:ec2:*:\${AWS::AccountId}:${type}/*`),
    );
  const statements: Statement[] = [
    {
      Sid: 'ConsumeRespondQueue',
      Effect: 'Allow',
      Action: [
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ChangeMessageVisibility',
        'sqs:SendMessage',
      ],
      Resource: arnOf('RespondQueue'),
    },
    {
      Sid: 'RespondState',
      Effect: 'Allow',
      Action: [
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:PutItem',
        'dynamodb:DeleteItem',
        'dynamodb:Query',
      ],
      Resource: [arnOf('StateTable'), sub('${StateTable.Arn}/index/open')],
    },
  ];
  if (params.respondCategories.includes('sg-open-world'))
    statements.push({
      Sid: 'RevertSecurityGroupRules',
      Effect: 'Allow',
      Action: 'ec2:RevokeSecurityGroupIngress',
      Resource: arns('security-group'),
    });
  if (params.respondCategories.includes('route-to-igw'))
    statements.push({
      Sid: 'RevertInternetGatewayRoutes',
      Effect: 'Allow',
      Action: ['ec2:DeleteRoute', 'ec2:ReplaceRoute'],
      Resource: arns('route-table'),
    });
  return statements;
}

/**
 * One function's role: only the actions it calls, on the resources it touches. Resource "*" appears only for the
 * ENI actions a VPC function's runtime needs (EC2 gives them no resource-level permissions).
 */
function functionRole(fn: FunctionInfo, params: StackParams, configParameterName: string): CfnResource {
  const statements: Statement[] = [
    {
      Sid: 'OwnLogGroup',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: sub(
        `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${fn.name}:*`,
      ),
    },
    { Sid: 'StackKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: KEY_ARN },
    {
      Sid: 'DeliveryLedger',
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
      Resource: arnOf('DeliveryTable'),
    },
    {
      Sid: 'ApprovalsByAccount',
      Effect: 'Allow',
      Action: 'dynamodb:Query',
      Resource: sub('${ApprovalsTable.Arn}/index/byAccount'),
    },
    { Sid: 'PagingSink', Effect: 'Allow', Action: 'sns:Publish', Resource: ref('PagingTopic') },
    { Sid: 'ChangeManagementSink', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf('ChangeQueue') },
    {
      Sid: 'NetwatchConfig',
      Effect: 'Allow',
      Action: 'ssm:GetParameter',
      Resource: ssmParameterArn(configParameterName),
    },
  ];
  const secretParameters = [
    ...params.secretParameters,
    ...(params.webhookSigningSecretParameter ? [params.webhookSigningSecretParameter] : []),
  ];
  if (secretParameters.length)
    statements.push({
      Sid: 'SinkSecretsSsm',
      Effect: 'Allow',
      Action: 'ssm:GetParameter',
      Resource: secretParameters.map(ssmParameterArn),
    });
  if (params.secretsManagerSecrets.length)
    statements.push({
      Sid: 'SinkSecretsSecretsManager',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: params.secretsManagerSecrets.map(secretArn),
    });
  if (fn.queue) {
    // The state step (shared/3-state): read and conditionally write resource items, the prefix-list reverse index
    // and the open-episode GSI.
    statements.push({
      Sid: 'NetworkState',
      Effect: 'Allow',
      Action: [
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:PutItem',
        'dynamodb:DeleteItem',
        'dynamodb:Query',
      ],
      Resource: [arnOf('StateTable'), sub('${StateTable.Arn}/index/open')],
    });
    // Unknown state looked up on demand (shared/2-enrich/state-lookup.ts): the Config item of a resource never seen
    // (BatchGetResourceConfig has no resource-level permissions), the entries of a prefix list Config does not record
    // (AWS-managed lists are owned by AWS, not by an account of the organisation: any owner).
    statements.push({
      Sid: 'StateLookupConfig',
      Effect: 'Allow',
      Action: 'config:BatchGetResourceConfig',
      Resource: '*',
    });
    statements.push({
      Sid: 'StateLookupPrefixLists',
      Effect: 'Allow',
      Action: 'ec2:GetManagedPrefixListEntries',
      Resource: sub('arn:${AWS::Partition}:ec2:${AWS::Region}:*:prefix-list/*'),
    });
    statements.push({
      Sid: 'ConsumeIngestQueue',
      Effect: 'Allow',
      Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'],
      Resource: arnOf(fn.queue),
    });
  }
  if (fn.key === RECONCILE_FUNCTION) statements.push(...reconcileStatements(params));
  if (fn.key === RESPOND_FUNCTION) statements.push(...respondStatements(params));
  // The ingest functions queue revert requests (only when the response is deployed).
  if (fn.queue && params.respondAccounts.length > 0)
    statements.push({
      Sid: 'RespondQueueSink',
      Effect: 'Allow',
      Action: 'sqs:SendMessage',
      Resource: arnOf('RespondQueue'),
    });
  statements.push(...enrichmentStatements(fn));
  if (fn.key === 'cloudtrailS3' && params.cloudTrailBucket) {
    statements.push({
      Sid: 'ReadTrailLogObjects',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: sub(`arn:\${AWS::Partition}:s3:::${params.cloudTrailBucket}/AWSLogs/*`),
    });
    if (params.cloudTrailKmsKeyArn)
      statements.push({
        Sid: 'DecryptTrailLogObjects',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: params.cloudTrailKmsKeyArn,
        Condition: { StringEquals: { 'kms:ViaService': sub('s3.${AWS::Region}.amazonaws.com') } },
      });
  }
  if (params.privateMode) {
    // Resource "*" required: ec2:Describe* and the ENI actions Lambda uses for VPC attachment have no resource-level
    // permissions. https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions
    statements.push({
      Sid: 'VpcNetworkInterfaces',
      Effect: 'Allow',
      Action: [
        'ec2:CreateNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
      ],
      Resource: '*',
    });
  }
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      Description: `Netwatch ${fn.key}: least privilege`,
      AssumeRolePolicyDocument: policyDocument([
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ]),
      Policies: [{ PolicyName: `${fn.key}-least-privilege`, PolicyDocument: policyDocument(statements) }],
    },
  };
}
