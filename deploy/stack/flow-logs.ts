import { parseFlowLogFormat } from '../../shared/1-ingest/flow-logs/format.ts';
import { contributorInsightsFields, parseCommand, savedQueries } from '../../shared/2-enrich/traffic/query.ts';
import { EVIDENCE_CATEGORIES } from '../../shared/2-enrich/traffic/evidence.ts';
import {
  arnOf,
  type CfnResource,
  type CfnTemplate,
  type Json,
  policyDocument,
  ref,
  type Statement,
  sub,
} from './cfn.ts';
import type { StackParams } from './params.ts';
import { RECONCILE_FUNCTION } from './reconcile.ts';
import { DLQ_RETENTION_SECONDS, type FunctionInfo, MAX_RECEIVE_COUNT, roleId, VISIBILITY_FACTOR } from './resources.ts';
import { lambdaRole, ownLogGroup } from './roles.ts';

/**
 * Flow logs next to findings (docs/flow-logs.md), in any mode:
 * - **Contributor Insights for PrivateLink** (`privateLinkEndpoints` + `flowLogGroups`): per named endpoint / endpoint
 *   service, four rules on its ENIs — bytes by source and destination, packets by source and destination, rejected
 *   TCP connections by source, flows by source and action — a dashboard row and an alarm on rejects. The ENIs and
 *   (with `flowLogFormat=auto`) the record format come from the deploy-time custom resource `FlowLogTargets`.
 * - **Saved Logs Insights queries** (`AWS::Logs::QueryDefinition`) on the flow-log groups.
 * - **Traffic evidence** (`trafficEvidence=true`): the evidence queue (fed by the `evidence-queue` sink of the stack's
 *   config, delayed so the flow logs have arrived), its DLQ and the function's grants.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/ContributorInsights-RuleSyntax.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-logs-querydefinition.html
 */

/** Functions this module owns (serverless.yml keys). */
export const EVIDENCE_FUNCTION = 'trafficEvidence';
export const TARGETS_FUNCTION = 'flowLogTargets';
/** The custom resource's logical id. */
export const TARGETS_RESOURCE = 'FlowLogTargets';
/** The sink name the stack's config gives the evidence queue (never followed up on). */
export const EVIDENCE_SINK = 'evidence-queue';

/**
 * The EC2 look-ups of traffic evidence (shared/2-enrich/traffic: the ENIs behind a finding, the flow logs writing
 * them): the evidence function's role grants them and, in private mode, the EC2 endpoint's policy allows them.
 */
export const EVIDENCE_EC2_ACTIONS = [
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeVpcEndpoints',
  'ec2:DescribeVpcEndpointServiceConfigurations',
  'ec2:DescribeRouteTables',
  'ec2:DescribeSubnets',
  'ec2:DescribeFlowLogs',
] as const;

/** Whether the deploy-time custom resource is needed: ENIs to find, or a format to read. */
export function needsTargetsResource(params: StackParams): boolean {
  return params.flowLogGroups.length > 0 && (params.privateLinkEndpoints.length > 0 || params.flowLogFormat === 'auto');
}

/** Contributor Insights rule names of one target. */
export function insightRuleNames(prefix: string, target: string) {
  return {
    bytes: `${prefix}-pl-${target}-bytes`,
    packets: `${prefix}-pl-${target}-packets`,
    rejects: `${prefix}-pl-${target}-tcp-rejects`,
    actions: `${prefix}-pl-${target}-source-action`,
  };
}

/** Logical-id fragment of a target (`vpce-svc-0abc…` → `VpceSvc0abc…`). */
const targetId = (target: string) => target.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase());

/** The `Fields` of the rules: literal for a known format, the custom resource's answer with `auto`. */
function fieldsText(params: StackParams): string {
  return params.flowLogFormat === 'auto'
    ? `\${${TARGETS_RESOURCE}.Fields}`
    : JSON.stringify(contributorInsightsFields(parseFlowLogFormat(params.flowLogFormat)));
}

/** The parse command of the saved queries (literal, or the custom resource's answer with `auto`). */
function parseText(params: StackParams): string {
  return params.flowLogFormat === 'auto'
    ? `\${${TARGETS_RESOURCE}.ParseCommand}`
    : parseCommand(parseFlowLogFormat(params.flowLogFormat));
}

/** One rule's contribution: keys, optional value, the ENI filter plus extra filters. */
interface Contribution {
  Keys: string[];
  ValueOf?: string;
  Filters: Record<string, Json>[];
}

const ENIS = '__NETWATCH_ENIS__';
const FIELDS = '__NETWATCH_FIELDS__';

/**
 * A rule body as Fn::Sub text: the documented CloudWatchLogRule schema, CLF log format with named `Fields`, the
 * target's ENIs in an `In` filter (≤ 10 values, checked by the custom resource) — substituted by CloudFormation.
 */
export function ruleBodyText(
  logGroups: readonly string[],
  fields: string,
  enis: string,
  contribution: Contribution,
  aggregateOn: 'Sum' | 'Count',
): string {
  const body = {
    Schema: { Name: 'CloudWatchLogRule', Version: 1 },
    LogGroupNames: [...logGroups],
    LogFormat: 'CLF',
    Fields: FIELDS,
    Contribution: {
      Keys: contribution.Keys,
      ...(contribution.ValueOf ? { ValueOf: contribution.ValueOf } : {}),
      Filters: [{ Match: 'interfaceId', In: [ENIS] }, ...contribution.Filters],
    },
    AggregateOn: aggregateOn,
  };
  return JSON.stringify(body).replace(`"${FIELDS}"`, fields).replace(`"${ENIS}"`, enis);
}

/** The four rules of a target, keyed by kind. */
export function targetRules(): Record<
  keyof ReturnType<typeof insightRuleNames>,
  { title: string; contribution: Contribution; aggregateOn: 'Sum' | 'Count' }
> {
  return {
    bytes: {
      title: 'bytes by source and destination',
      contribution: { Keys: ['srcAddr', 'dstAddr'], ValueOf: 'bytes', Filters: [] },
      aggregateOn: 'Sum',
    },
    packets: {
      title: 'packets by source and destination',
      contribution: { Keys: ['srcAddr', 'dstAddr'], ValueOf: 'packets', Filters: [] },
      aggregateOn: 'Sum',
    },
    rejects: {
      title: 'rejected TCP connections by source',
      contribution: {
        Keys: ['srcAddr'],
        Filters: [
          { Match: 'action', In: ['REJECT'] },
          { Match: 'protocol', EqualTo: 6 },
        ],
      },
      aggregateOn: 'Count',
    },
    actions: {
      title: 'flows by source and action (accepted vs rejected)',
      contribution: { Keys: ['srcAddr', 'action'], Filters: [] },
      aggregateOn: 'Count',
    },
  };
}

/** What the module adds: resources, outputs, dashboard widgets, and grants to add to the functions' roles. */
export interface FlowLogParts {
  resources: Record<string, CfnResource>;
  outputs: NonNullable<CfnTemplate['Outputs']>;
  widgets: unknown[];
  /** Extra policy statements per function key. */
  grants: Record<string, Statement[]>;
}

/** The evidence function's environment (read by evidenceSettingsFromEnv). */
export function evidenceEnvironment(prefix: string, params: StackParams): Record<string, string> {
  return {
    NETWATCH_FLOW_LOG_GROUPS: params.flowLogGroups.join(','),
    NETWATCH_EVIDENCE_TIMEOUT_SECONDS: String(params.evidenceTimeoutSeconds),
    NETWATCH_EVIDENCE_SINK: EVIDENCE_SINK,
    NETWATCH_EVIDENCE_SAVED_QUERY: `${prefix}/traffic-of-enis`,
  };
}

/** The evidence queue's name. */
export const evidenceQueueName = (prefix: string) => `${prefix}-traffic-evidence`;

/** Build everything flow-log related for a parameter set. */
export function buildFlowLogs(prefix: string, params: StackParams, functions: readonly FunctionInfo[]): FlowLogParts {
  const parts: FlowLogParts = { resources: {}, outputs: {}, widgets: [], grants: {} };
  if (params.flowLogGroups.length === 0) return parts;
  const r = parts.resources;
  const groups = params.flowLogGroups;
  const region = '${AWS::Region}';

  if (needsTargetsResource(params)) {
    r[TARGETS_RESOURCE] = {
      Type: 'Custom::NetwatchFlowLogTargets',
      Properties: {
        ServiceToken: arnOf(`${TARGETS_FUNCTION.charAt(0).toUpperCase()}${TARGETS_FUNCTION.slice(1)}LambdaFunction`),
        Targets: [...params.privateLinkEndpoints],
        LogGroups: [...groups],
        Format: params.flowLogFormat,
      },
    };
    parts.grants[TARGETS_FUNCTION] = [
      {
        // Resource "*": EC2 Describe* actions have no resource-level permissions.
        // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html
        Sid: 'FindEndpointEnisAndFlowLogs',
        Effect: 'Allow',
        Action: [
          'ec2:DescribeVpcEndpoints',
          'ec2:DescribeVpcEndpointServiceConfigurations',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeFlowLogs',
        ],
        Resource: '*',
      },
    ];
  }

  // ── Contributor Insights per PrivateLink target ─────────────────────────────────────────────────────────────
  const rules = targetRules();
  const fields = fieldsText(params);
  params.privateLinkEndpoints.forEach((target, i) => {
    const names = insightRuleNames(prefix, target);
    const enis = `\${${TARGETS_RESOURCE}.Target${i}Enis}`;
    const id = targetId(target);
    for (const [kind, rule] of Object.entries(rules) as [keyof typeof names, (typeof rules)[keyof typeof rules]][]) {
      r[`${id}${kind.charAt(0).toUpperCase()}${kind.slice(1)}InsightRule`] = {
        Type: 'AWS::CloudWatch::InsightRule',
        Properties: {
          RuleName: names[kind],
          RuleState: 'ENABLED',
          RuleBody: sub(ruleBodyText(groups, fields, enis, rule.contribution, rule.aggregateOn)),
        },
      };
    }
    r[`${id}RejectsAlarm`] = {
      Type: 'AWS::CloudWatch::Alarm',
      DependsOn: `${id}RejectsInsightRule`,
      Properties: {
        AlarmName: `${prefix}-pl-${target}-tcp-rejects`,
        AlarmDescription: `More than ${params.flowLogRejectThreshold} rejected TCP connections to ${target} in 5 min: a security group or NACL change, or someone probing. The ${names.rejects} Contributor Insights rule shows which sources.`,
        Metrics: [
          {
            Id: 'rejects',
            Expression: `INSIGHT_RULE_METRIC('${names.rejects}', 'Sum')`,
            Period: 300,
            ReturnData: true,
            Label: `rejected TCP connections to ${target}`,
          },
        ],
        EvaluationPeriods: 1,
        Threshold: params.flowLogRejectThreshold,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [ref('PagingTopic')],
        OKActions: [ref('PagingTopic')],
      },
    };
    const insight = (title: string, rule: string, x: number, y: number, orderBy: 'Sum' | 'Maximum' = 'Sum') => ({
      type: 'metric',
      x,
      y,
      width: 6,
      height: 6,
      properties: {
        title,
        region,
        view: 'timeSeries',
        period: 300,
        insightRule: { maxContributorCount: 10, orderBy, ruleName: rule },
        legend: { position: 'bottom' },
      },
    });
    const y = 24 + i * 6;
    parts.widgets.push(
      insight(`${target}: top talkers (bytes)`, names.bytes, 0, y),
      insight(`${target}: packets`, names.packets, 6, y),
      insight(`${target}: rejected TCP by source`, names.rejects, 12, y),
      insight(`${target}: flows by source and action`, names.actions, 18, y),
    );
  });

  // ── Saved Logs Insights queries ─────────────────────────────────────────────────────────────────────────────
  const endpoints = params.privateLinkEndpoints.map((target, i) => ({
    id: target,
    enis: `\${${TARGETS_RESOURCE}.Target${i}Enis}`,
  }));
  for (const q of savedQueries(parseText(params), endpoints)) {
    const text = q.text;
    r[`${targetId(q.id)}QueryDefinition`] = {
      Type: 'AWS::Logs::QueryDefinition',
      Properties: {
        Name: `${prefix}/${q.id}`,
        QueryString: text.includes('${') ? sub(text) : text,
        LogGroupNames: [...groups],
      },
    };
  }

  // ── Traffic evidence ────────────────────────────────────────────────────────────────────────────────────────
  if (params.trafficEvidence) {
    const fn = functions.find((f) => f.key === EVIDENCE_FUNCTION);
    const timeout = fn?.timeout ?? params.evidenceTimeoutSeconds + 60;
    r['EvidenceDLQ'] = {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: `${evidenceQueueName(prefix)}-dlq`,
        KmsMasterKeyId: arnOf('NetwatchKey'),
        KmsDataKeyReusePeriodSeconds: 3600,
        MessageRetentionPeriod: DLQ_RETENTION_SECONDS,
      },
    };
    r['EvidenceQueue'] = {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: evidenceQueueName(prefix),
        KmsMasterKeyId: arnOf('NetwatchKey'),
        KmsDataKeyReusePeriodSeconds: 3600,
        // Flow logs reach CloudWatch Logs ~5 minutes after the aggregation interval (1 or 10 minutes): querying at
        // once would see almost nothing. https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html
        DelaySeconds: params.evidenceDelaySeconds,
        VisibilityTimeout: VISIBILITY_FACTOR * timeout,
        MessageRetentionPeriod: 345_600,
        RedrivePolicy: { deadLetterTargetArn: arnOf('EvidenceDLQ'), maxReceiveCount: MAX_RECEIVE_COUNT },
      },
    };
    r['EvidenceQueuePolicy'] = {
      Type: 'AWS::SQS::QueuePolicy',
      Properties: {
        Queues: [ref('EvidenceQueue'), ref('EvidenceDLQ')],
        PolicyDocument: policyDocument([
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: '*',
            Action: 'sqs:*',
            Resource: [arnOf('EvidenceQueue'), arnOf('EvidenceDLQ')],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ]),
      },
    };
    r['EvidenceDLQDepthAlarm'] = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: `${prefix}-traffic-evidence-dlq-not-empty`,
        AlarmDescription: `Traffic-evidence requests failed ${MAX_RECEIVE_COUNT} times (a sink down, the flow-log query failing): follow-ups are missing. Read ${evidenceQueueName(prefix)}-dlq and the ${EVIDENCE_FUNCTION} log group.`,
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: `${evidenceQueueName(prefix)}-dlq` }],
        Statistic: 'Maximum',
        Period: 300,
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [ref('PagingTopic')],
        OKActions: [ref('PagingTopic')],
      },
    };
    const logGroupArns = groups.flatMap((g) => [
      sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${g}`),
      sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${g}:*`),
    ]);
    parts.grants[EVIDENCE_FUNCTION] = [
      {
        Sid: 'ConsumeEvidenceQueue',
        Effect: 'Allow',
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'],
        Resource: arnOf('EvidenceQueue'),
      },
      {
        Sid: 'QueryFlowLogGroups',
        Effect: 'Allow',
        Action: 'logs:StartQuery',
        Resource: logGroupArns,
      },
      {
        // Resource "*": GetQueryResults and StopQuery take a query id, not a resource ARN.
        // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html
        Sid: 'ReadQueryResults',
        Effect: 'Allow',
        Action: ['logs:GetQueryResults', 'logs:StopQuery'],
        Resource: '*',
      },
      {
        // Resource "*": EC2 Describe* actions have no resource-level permissions.
        Sid: 'FindEnisAndFlowLogs',
        Effect: 'Allow',
        Action: [...EVIDENCE_EC2_ACTIONS],
        Resource: '*',
      },
    ];
    // The functions that deliver findings send evidence requests through the `evidence-queue` sink (reconciliation's
    // findings too).
    for (const f of functions)
      if (f.queue || f.key === RECONCILE_FUNCTION)
        parts.grants[f.key] = [
          { Sid: 'EvidenceQueueSink', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf('EvidenceQueue') },
        ];
    parts.outputs['EvidenceQueueUrl'] = {
      Description: `Traffic-evidence requests: with your own config, add a sink {type: sqs, queueUrl: <this>} named ${EVIDENCE_SINK} and a record route for ${EVIDENCE_CATEGORIES.join(', ')} (docs/flow-logs.md)`,
      Value: ref('EvidenceQueue'),
    };
  }
  return parts;
}

/** Add the grants as a second inline policy of each function's role (the role itself is built in resources.ts). */
export function applyGrants(resources: Record<string, CfnResource>, grants: FlowLogParts['grants']): void {
  for (const [key, statements] of Object.entries(grants)) {
    const role = resources[roleId(key)];
    if (!role?.Properties) continue;
    const policies = (role.Properties['Policies'] as Json[] | undefined) ?? [];
    role.Properties['Policies'] = [
      ...policies,
      { PolicyName: `${key}-flow-logs`, PolicyDocument: policyDocument(statements) },
    ];
  }
}

/**
 * The custom resource's role: only its own log group and the EC2 look-ups — not the delivery grants every other
 * function's role carries (it delivers nothing).
 */
export function targetsFunctionRole(fn: FunctionInfo): CfnResource {
  return lambdaRole(fn, 'Netwatch flowLogTargets custom resource: EC2 Describe* only', [
    ownLogGroup(fn),
    {
      Sid: 'StackKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: arnOf('NetwatchKey'),
    },
  ]);
}
