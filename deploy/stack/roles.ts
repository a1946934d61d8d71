import { arnOf, type CfnResource, type Json, policyDocument, ref, type Statement, sub } from './cfn.ts';
import type { StackParams } from './params.ts';
import { RECONCILE_FUNCTION } from './reconcile.ts';
import type { FunctionInfo } from './resources.ts';
import { RESPOND_FUNCTION, respondAccountFields, respondDeployed } from './respond.ts';
import { INDEX_ARN } from './tables.ts';

/**
 * One IAM role per function: only the actions it calls, on the resources it touches. Resource "*" appears only where
 * the API has no resource-level permissions (the enrichment look-ups, the ENI actions of a VPC function).
 * test/deploy/iam-simulation.test.ts runs the functions and checks every call they make against these roles;
 * docs/deploy.md says what each statement is for.
 */

/** ARN of an SSM parameter by name (names with or without the leading slash). */
export function ssmParameterArn(name: string): Json {
  return sub(
    `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`,
  );
}

/** Secrets Manager ARN: given ARNs as is; names get the 6-character suffix AWS appends. */
export function secretArn(nameOrArn: string): Json {
  if (nameOrArn.startsWith('arn:')) return nameOrArn;
  return sub(`arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${nameOrArn}-??????`);
}

/**
 * The read-only look-ups of enrichment (shared/2-enrich, `NETWATCH_ENRICH=on`) a function's source needs. Config
 * changes: the oversized item and its predecessor (GetResourceConfigHistory), the actor behind the change
 * (LookupEvents of its relatedEvents), the ENIs of a world-open group / the tags of a VPC gaining an internet gateway
 * (BatchGetResourceConfig). CloudTrail changes carry their actor and are never oversized: only the neighbour look-up.
 * These APIs have no resource-level permissions, hence Resource "*" (test/deploy/template.test.ts lists why).
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

/** A function writes its own log group, and nothing else in CloudWatch Logs. */
export function ownLogGroup(fn: FunctionInfo): Statement {
  return {
    Sid: 'OwnLogGroup',
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${fn.name}:*`),
  };
}

/** What every function does: log, use the stack key, deliver (ledger, approvals, sinks), read its config. */
function deliveryStatements(fn: FunctionInfo, keyArn: Json, configParameterName: string): Statement[] {
  return [
    ownLogGroup(fn),
    { Sid: 'StackKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: keyArn },
    {
      Sid: 'DeliveryLedger',
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
      Resource: arnOf('DeliveryTable'),
    },
    { Sid: 'ApprovalsByAccount', Effect: 'Allow', Action: 'dynamodb:Query', Resource: INDEX_ARN.approvalsByAccount },
    { Sid: 'PagingSink', Effect: 'Allow', Action: 'sns:Publish', Resource: ref('PagingTopic') },
    { Sid: 'ChangeManagementSink', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf('ChangeQueue') },
    {
      Sid: 'NetwatchConfig',
      Effect: 'Allow',
      Action: 'ssm:GetParameter',
      Resource: ssmParameterArn(configParameterName),
    },
  ];
}

/**
 * What the operator's sinks need beyond the stack's own: the secrets they named (`secretParameters`, the webhook's
 * signing key, `secretsManagerSecrets`) and, with `securityHub=true`, importing findings into Security Hub.
 */
function sinkStatements(params: StackParams): Statement[] {
  const out: Statement[] = [];
  const secretParameters = [
    ...params.secretParameters,
    ...(params.webhookSigningSecretParameter ? [params.webhookSigningSecretParameter] : []),
  ];
  if (secretParameters.length)
    out.push({
      Sid: 'SinkSecretsSsm',
      Effect: 'Allow',
      Action: 'ssm:GetParameter',
      Resource: secretParameters.map(ssmParameterArn),
    });
  if (params.securityHub)
    out.push({
      // The securityhub sink imports as the account's own custom integration (its default product).
      // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecurityhub.html
      Sid: 'SecurityHubSink',
      Effect: 'Allow',
      Action: 'securityhub:BatchImportFindings',
      Resource: sub(
        'arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:product/${AWS::AccountId}/default',
      ),
    });
  if (params.secretsManagerSecrets.length)
    out.push({
      Sid: 'SinkSecretsSecretsManager',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: params.secretsManagerSecrets.map(secretArn),
    });
  return out;
}

/**
 * What every function that keeps the network state does with the state table (shared/3-state: read, conditional
 * writes, the prefix-list reverse index) and its open-episode index: the ingest consumers, the reconciler (which also
 * scans, `extra`) and the responder.
 */
function stateStatement(sid: string, extra: string[] = []): Statement {
  return {
    Sid: sid,
    Effect: 'Allow',
    Action: [
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
      'dynamodb:Query',
      ...extra,
    ],
    Resource: [arnOf('StateTable'), INDEX_ARN.stateOpen],
  };
}

/** A function that consumes an ingest queue: the state step, its look-ups, and the queue. */
function ingestStatements(queue: NonNullable<FunctionInfo['queue']>): Statement[] {
  return [
    // The state step (shared/3-state): read and conditionally write resource items, the prefix-list reverse index
    // and the open-episode GSI.
    stateStatement('NetworkState'),
    // Unknown state looked up on demand (shared/2-enrich/state-lookup.ts): the Config item of a resource never seen
    // (BatchGetResourceConfig has no resource-level permissions), the entries of a prefix list Config does not record
    // (AWS-managed lists are owned by AWS, not by an account of the organisation: any owner).
    { Sid: 'StateLookupConfig', Effect: 'Allow', Action: 'config:BatchGetResourceConfig', Resource: '*' },
    {
      Sid: 'StateLookupPrefixLists',
      Effect: 'Allow',
      Action: 'ec2:GetManagedPrefixListEntries',
      Resource: sub('arn:${AWS::Partition}:ec2:${AWS::Region}:*:prefix-list/*'),
    },
    {
      Sid: 'ConsumeIngestQueue',
      Effect: 'Allow',
      Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'],
      Resource: arnOf(queue),
    },
  ];
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
    stateStatement('ReconcileState', ['dynamodb:Scan']),
    { Sid: 'PostureReports', Effect: 'Allow', Action: 's3:PutObject', Resource: sub('${ReportsBucket.Arn}/posture/*') },
  ];
}

/**
 * The responder's own permissions, present only when `respondAccounts` is set: consume (and re-queue into) the respond
 * queue; read and write the kept state (what is still there; the revert closes the episode); and the revert calls
 * themselves, on the security groups and route tables of the named accounts only (EC2 authorizes these actions on
 * the resource: `security-group/*`, `route-table/*`), per `respondCategories`. It acts with its own credentials, so
 * in practice in the stack's own account; a finding of another account is recorded as not reverted.
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
    stateStatement('RespondState'),
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

/** The ingest functions queue revert requests, only when the response is deployed. */
function respondQueueSink(params: StackParams): Statement[] {
  if (!respondDeployed(params)) return [];
  return [{ Sid: 'RespondQueueSink', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf('RespondQueue') }];
}

/** The org-trail S3 reader: the log objects, and their SSE-KMS key through S3 only. */
function trailLogStatements(fn: FunctionInfo, params: StackParams): Statement[] {
  if (fn.key !== 'cloudtrailS3' || !params.cloudTrailBucket) return [];
  return [
    {
      Sid: 'ReadTrailLogObjects',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: sub(`arn:\${AWS::Partition}:s3:::${params.cloudTrailBucket}/AWSLogs/*`),
    },
    ...(params.cloudTrailKmsKeyArn
      ? [
          {
            Sid: 'DecryptTrailLogObjects',
            Effect: 'Allow' as const,
            Action: 'kms:Decrypt',
            Resource: params.cloudTrailKmsKeyArn,
            Condition: { StringEquals: { 'kms:ViaService': sub('s3.${AWS::Region}.amazonaws.com') } },
          },
        ]
      : []),
  ];
}

/**
 * Private mode: the ENI actions Lambda uses for VPC attachment. Resource "*" required: they have no resource-level
 * permissions. https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions
 */
export function vpcStatements(params: StackParams): Statement[] {
  if (!params.privateMode) return [];
  return [
    {
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
    },
  ];
}

/** One function's role. */
export function functionRole(
  fn: FunctionInfo,
  params: StackParams,
  keyArn: Json,
  configParameterName: string,
): CfnResource {
  const statements: Statement[] = [
    ...deliveryStatements(fn, keyArn, configParameterName),
    ...sinkStatements(params),
    ...(fn.queue ? ingestStatements(fn.queue) : []),
    ...(fn.key === RECONCILE_FUNCTION ? reconcileStatements(params) : []),
    ...(fn.key === RESPOND_FUNCTION ? respondStatements(params) : []),
    ...(fn.queue ? respondQueueSink(params) : []),
    ...enrichmentStatements(fn),
    ...trailLogStatements(fn, params),
    ...vpcStatements(params),
  ];
  return lambdaRole(fn, `Netwatch ${fn.key}: least privilege`, statements);
}

/** A role Lambda assumes for one function, with its statements as the `<key>-least-privilege` inline policy. */
export function lambdaRole(fn: FunctionInfo, description: string, statements: Statement[]): CfnResource {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      Description: description,
      AssumeRolePolicyDocument: policyDocument([
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ]),
      Policies: [{ PolicyName: `${fn.key}-least-privilege`, PolicyDocument: policyDocument(statements) }],
    },
  };
}
