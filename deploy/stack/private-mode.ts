import { ACCOUNT_ID, arnOf, type CfnResource, type Json, policyDocument, ref, type Statement, sub } from './cfn.ts';
import type { StackParams } from './params.ts';
import type { FunctionInfo } from './resources.ts';
import { EVIDENCE_EC2_ACTIONS } from './flow-logs.ts';
import { RECONCILE_FUNCTION } from './reconcile.ts';
import { RESPOND_FUNCTION } from './respond.ts';
import { respondStatements, secretArn, ssmParameterArn } from './roles.ts';

/**
 * Private mode: the functions run in private subnets and reach AWS only through VPC endpoints — interface endpoints
 * for SQS, SNS, Logs, CloudWatch, Config, CloudTrail, KMS, EventBridge, STS, SSM (the config parameter) and EC2 (prefix-list
 * entries the state step looks up), Secrets
 * Manager when secrets are used, and gateway endpoints for DynamoDB (and S3 in org-trail S3 mode). Each endpoint
 * policy allows only the actions the stack calls, on the stack's resources where the API has resources, and only for
 * principals of this account calling from this VPC (`aws:PrincipalAccount`, `aws:SourceVpc`) — Netwatch's own
 * endpoint-policy rule finds nothing to say about them (a test runs it).
 * @see https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
 */

/** One endpoint: the service suffix and what may pass through it. */
export interface EndpointSpec {
  id: string;
  service: string;
  type: 'Interface' | 'Gateway';
  actions: string[];
  /** "*" only for actions without resource-level permissions (named in the spec's `why`). */
  resources: Json[] | '*';
  why?: string;
  /** Further grants through the same endpoint, each its own statement (other resources). */
  more?: { actions: string[]; resources: Json[] | '*'; why?: string }[];
}

/** The endpoints and their grants for a parameter set. */
export function endpointSpecs(
  params: StackParams,
  functions: readonly FunctionInfo[],
  configParameterName: string,
): EndpointSpec[] {
  const logGroups = functions.map((f) =>
    sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${f.name}:*`),
  );
  const ssmNames = [
    configParameterName,
    ...params.secretParameters,
    ...(params.webhookSigningSecretParameter ? [params.webhookSigningSecretParameter] : []),
  ];
  const specs: EndpointSpec[] = [
    { id: 'Sqs', service: 'sqs', type: 'Interface', actions: ['sqs:SendMessage'], resources: [arnOf('ChangeQueue')] },
    { id: 'Sns', service: 'sns', type: 'Interface', actions: ['sns:Publish'], resources: [ref('PagingTopic')] },
    {
      id: 'Logs',
      service: 'logs',
      type: 'Interface',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: logGroups,
    },
    {
      id: 'Monitoring',
      service: 'monitoring',
      type: 'Interface',
      actions: ['cloudwatch:PutMetricData'],
      resources: '*',
      why: 'cloudwatch:PutMetricData has no resource-level permissions',
    },
    {
      id: 'Config',
      service: 'config',
      type: 'Interface',
      actions: [
        'config:GetResourceConfigHistory',
        'config:BatchGetResourceConfig',
        ...(functions.some((f) => f.key === RECONCILE_FUNCTION)
          ? [params.reconcileAggregator ? 'config:SelectAggregateResourceConfig' : 'config:SelectResourceConfig']
          : []),
      ],
      resources: '*',
      why: 'Config read APIs have no resource-level permissions (the aggregator query is limited by the role)',
    },
    {
      id: 'CloudTrail',
      service: 'cloudtrail',
      type: 'Interface',
      actions: ['cloudtrail:LookupEvents'],
      resources: '*',
      why: 'cloudtrail:LookupEvents has no resource-level permissions',
    },
    {
      id: 'Kms',
      service: 'kms',
      type: 'Interface',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [arnOf('NetwatchKey'), ...(params.cloudTrailKmsKeyArn ? [params.cloudTrailKmsKeyArn] : [])],
    },
    {
      id: 'Events',
      service: 'events',
      type: 'Interface',
      actions: ['events:PutEvents'],
      resources: [sub('arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default')],
    },
    {
      id: 'Sts',
      service: 'sts',
      type: 'Interface',
      actions: ['sts:GetCallerIdentity'],
      resources: '*',
      why: 'sts:GetCallerIdentity has no resource-level permissions',
    },
    {
      id: 'Ssm',
      service: 'ssm',
      type: 'Interface',
      actions: ['ssm:GetParameter'],
      resources: ssmNames.map(ssmParameterArn),
    },
    {
      id: 'DynamoDb',
      service: 'dynamodb',
      type: 'Gateway',
      actions: [
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:Query',
        ...(functions.some((f) => f.key === RECONCILE_FUNCTION) ? ['dynamodb:Scan'] : []),
      ],
      resources: [
        arnOf('DeliveryTable'),
        sub('${ApprovalsTable.Arn}/index/byAccount'),
        arnOf('StateTable'),
        sub('${StateTable.Arn}/index/open'),
      ],
    },
    {
      // The state step's look-up of prefix lists AWS Config does not record (AWS-managed lists: owned by AWS).
      id: 'Ec2',
      service: 'ec2',
      type: 'Interface',
      actions: ['ec2:GetManagedPrefixListEntries'],
      resources: [sub('arn:${AWS::Partition}:ec2:${AWS::Region}:*:prefix-list/*')],
      ...(functions.some((f) => f.key === RESPOND_FUNCTION)
        ? {
            more: respondStatements(params).flatMap((st) =>
              String(st.Sid).startsWith('Revert')
                ? [{ actions: [st.Action].flat() as string[], resources: [st.Resource].flat() as Json[] }]
                : [],
            ),
          }
        : {}),
    },
  ];
  if (functions.some((f) => f.key === RESPOND_FUNCTION)) {
    // Revert requests: queued by the ingest functions, re-queued by the responder.
    const sqs = specs.find((s) => s.id === 'Sqs');
    if (sqs && sqs.resources !== '*') sqs.resources = [...sqs.resources, arnOf('RespondQueue')];
  }
  if (params.secretsManagerSecrets.length) {
    specs.push({
      id: 'SecretsManager',
      service: 'secretsmanager',
      type: 'Interface',
      actions: ['secretsmanager:GetSecretValue'],
      resources: params.secretsManagerSecrets.map(secretArn),
    });
  }
  if (params.trafficEvidence) {
    // Traffic evidence (flow-logs.ts): Logs Insights on the flow-log groups, and the EC2 look-ups of ENIs and flow logs.
    const logs = specs.find((s) => s.id === 'Logs');
    if (logs) logs.more = [...(logs.more ?? []), ...flowLogEndpointGrants(params)];
    // The delivering functions send evidence requests to the evidence queue (the `evidence-queue` sink).
    const sqs = specs.find((s) => s.id === 'Sqs');
    if (sqs && sqs.resources !== '*') sqs.resources = [...sqs.resources, arnOf('EvidenceQueue')];
    specs.push({
      id: 'Ec2',
      service: 'ec2',
      type: 'Interface',
      actions: [...EVIDENCE_EC2_ACTIONS],
      resources: '*',
      why: 'EC2 Describe* actions have no resource-level permissions',
    });
  }
  const reports = functions.some((f) => f.key === RECONCILE_FUNCTION);
  if ((params.cloudTrailSource === 's3' && params.cloudTrailBucket) || reports) {
    // The trail bucket usually lives in the log-archive account: no aws:PrincipalAccount limit on the resource side.
    const trail = params.cloudTrailSource === 's3' && params.cloudTrailBucket;
    specs.push({
      id: 'S3',
      service: 's3',
      type: 'Gateway',
      actions: trail ? ['s3:GetObject'] : ['s3:PutObject'],
      resources: trail
        ? [sub(`arn:\${AWS::Partition}:s3:::${params.cloudTrailBucket}/AWSLogs/*`)]
        : [sub('${ReportsBucket.Arn}/posture/*')],
      ...(trail && reports
        ? { more: [{ actions: ['s3:PutObject'], resources: [sub('${ReportsBucket.Arn}/posture/*')] }] }
        : {}),
    });
  }
  return specs;
}

/** Logs Insights through the Logs endpoint: StartQuery on the flow-log groups; results by query id. */
function flowLogEndpointGrants(params: StackParams): NonNullable<EndpointSpec['more']> {
  return [
    {
      actions: ['logs:StartQuery'],
      resources: params.flowLogGroups.flatMap((g) => [
        sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${g}`),
        sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${g}:*`),
      ]),
    },
    {
      actions: ['logs:GetQueryResults', 'logs:StopQuery'],
      resources: '*',
      why: 'GetQueryResults / StopQuery take a query id, not a resource',
    },
  ];
}

/** The endpoint policy document for a spec. */
export function endpointPolicy(spec: EndpointSpec, vpcId: string): Json {
  const condition = { StringEquals: { 'aws:PrincipalAccount': ACCOUNT_ID, 'aws:SourceVpc': vpcId } };
  const statements: Statement[] = [{ actions: spec.actions, resources: spec.resources }, ...(spec.more ?? [])].map(
    (grant, i) => ({
      Sid: `Netwatch${spec.id}${i === 0 ? '' : i + 1}`,
      Effect: 'Allow',
      // "*" with the account and VPC conditions: endpoint policies take no other principal form the IAM evaluator
      // (test/deploy/iam-simulation) reads. https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
      Principal: '*',
      Action: grant.actions,
      Resource: grant.resources === '*' ? '*' : grant.resources,
      Condition: condition,
    }),
  );
  return policyDocument(statements);
}

/** Security groups, endpoints and their policies. */
export function buildPrivateMode(
  prefix: string,
  params: StackParams,
  functions: readonly FunctionInfo[],
  configParameterName: string,
  routeTableIds: readonly string[],
): Record<string, CfnResource> {
  if (!params.privateMode || !params.vpcId) return {};
  const vpcId = params.vpcId;
  const r: Record<string, CfnResource> = {
    FunctionSecurityGroup: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: `${prefix} functions: HTTPS out only`,
        VpcId: vpcId,
        // HTTPS to the interface endpoints and to the DynamoDB/S3 gateway endpoints; gateway prefix-list ids cannot be
        // looked up in CloudFormation, so the CIDR is open — private subnets without a NAT route reach nothing else.
        SecurityGroupEgress: [
          {
            IpProtocol: 'tcp',
            FromPort: 443,
            ToPort: 443,
            CidrIp: '0.0.0.0/0',
            Description: 'HTTPS to VPC endpoints (and HTTPS sinks via NAT, if the subnets have one)',
          },
        ],
      },
    },
    EndpointSecurityGroup: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: `${prefix} interface endpoints: HTTPS from the functions only`,
        VpcId: vpcId,
        // No egress (an endpoint ENI initiates nothing): the rule below matches no traffic.
        SecurityGroupEgress: [
          {
            IpProtocol: 'icmp',
            FromPort: 252,
            ToPort: 86,
            CidrIp: '255.255.255.255/32',
            Description: 'Disallow all egress',
          },
        ],
      },
    },
    EndpointIngressFromFunctions: {
      Type: 'AWS::EC2::SecurityGroupIngress',
      Properties: {
        GroupId: ref('EndpointSecurityGroup'),
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        SourceSecurityGroupId: ref('FunctionSecurityGroup'),
        Description: 'HTTPS from Netwatch functions',
      },
    },
  };
  for (const spec of endpointSpecs(params, functions, configParameterName)) {
    const common = {
      VpcId: vpcId,
      ServiceName: sub(`com.amazonaws.\${AWS::Region}.${spec.service}`),
      VpcEndpointType: spec.type,
      PolicyDocument: endpointPolicy(spec, vpcId),
    };
    r[`${spec.id}Endpoint`] = {
      Type: 'AWS::EC2::VPCEndpoint',
      Properties:
        spec.type === 'Interface'
          ? {
              ...common,
              SubnetIds: params.privateSubnetIds,
              SecurityGroupIds: [ref('EndpointSecurityGroup')],
              PrivateDnsEnabled: true,
            }
          : { ...common, RouteTableIds: [...routeTableIds] },
    };
  }
  return r;
}
