import { ref, type CfnResource, type Json, sub } from './cfn.ts';
import { EVIDENCE_FUNCTION, TARGETS_FUNCTION } from './flow-logs.ts';
import type { StackParams } from './params.ts';
import { RECONCILE_FUNCTION } from './reconcile.ts';
import { RESPOND_FUNCTION } from './respond.ts';
import { dlqOf, type FunctionInfo, type IngestQueue } from './resources.ts';

/**
 * Alarms (all to the paging topic) and the dashboard (flow-log widgets come from flow-logs.ts).
 * The monitor watches itself: dead letters, errors, throttles, queue age, and a heartbeat per source — no Config or
 * CloudTrail events for `heartbeatHours` pages, because a silent monitor looks exactly like a quiet estate.
 */

const PAGING = [ref('PagingTopic')];

interface AlarmSpec {
  name: string;
  description: string;
  namespace: string;
  metric: string;
  dimensions: Record<string, Json>;
  statistic: 'Sum' | 'Maximum' | 'Average';
  period: number;
  evaluationPeriods: number;
  threshold: number;
  comparison: 'GreaterThanOrEqualToThreshold' | 'GreaterThanThreshold' | 'LessThanThreshold';
  missing: 'breaching' | 'notBreaching' | 'ignore' | 'missing';
}

function alarm(a: AlarmSpec): CfnResource {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: a.name,
      AlarmDescription: a.description,
      Namespace: a.namespace,
      MetricName: a.metric,
      Dimensions: Object.entries(a.dimensions).map(([Name, Value]) => ({ Name, Value })),
      Statistic: a.statistic,
      Period: a.period,
      EvaluationPeriods: a.evaluationPeriods,
      DatapointsToAlarm: a.evaluationPeriods,
      Threshold: a.threshold,
      ComparisonOperator: a.comparison,
      TreatMissingData: a.missing,
      AlarmActions: PAGING,
      OKActions: PAGING,
    },
  };
}

/** What names the metric an alarm watches, and what the alarm says. */
type Watched = Pick<AlarmSpec, 'name' | 'description' | 'namespace' | 'metric' | 'dimensions'>;

/** Pages as soon as a 5-minute period reaches `threshold` (default 1); no data = nothing happened. */
function onAny(w: Watched, threshold = 1, statistic: AlarmSpec['statistic'] = 'Sum'): CfnResource {
  return alarm({
    ...w,
    statistic,
    period: 300,
    evaluationPeriods: 1,
    threshold,
    comparison: 'GreaterThanOrEqualToThreshold',
    missing: 'notBreaching',
  });
}

/** Pages when every hourly sum of the last `hours` is below 1; no data counts as silence. */
function silentFor(hours: number, w: Watched): CfnResource {
  return alarm({
    ...w,
    statistic: 'Sum',
    period: 3600,
    evaluationPeriods: hours,
    threshold: 1,
    comparison: 'LessThanThreshold',
    missing: 'breaching',
  });
}

/**
 * The `service` dimension each function's metrics carry: the Powertools service name its handler gives
 * `createTelemetry` (functions/*.ts; test/deploy/monitoring.test.ts checks they agree).
 */
export const METRIC_SERVICE: Record<string, string> = {
  configChanges: 'netwatch-config-changes',
  cloudtrailEvents: 'netwatch-cloudtrail-events',
  cloudtrailS3: 'netwatch-cloudtrail-s3',
  digest: 'netwatch-digest',
  [EVIDENCE_FUNCTION]: 'netwatch-traffic-evidence',
  approvalsSync: 'netwatch-approvals-sync',
  approvalsInbound: 'netwatch-approvals-inbound',
  [RECONCILE_FUNCTION]: 'netwatch-reconcile',
  [RESPOND_FUNCTION]: 'netwatch-respond',
};

/**
 * Functions that emit no Netwatch metrics, and why — listed so that a function without a `service` is a decision, not
 * an oversight (test/deploy/monitoring.test.ts: every function is in {@link METRIC_SERVICE} or here). What still
 * watches them: the Lambda `Errors` / `Throttles` alarms every function gets.
 */
export const WITHOUT_METRICS: Record<string, string> = {
  [TARGETS_FUNCTION]:
    'the CloudFormation custom resource: it runs only during a deploy, and any failure (an unknown endpoint id, a refused ec2:Describe* call, formats that differ) answers FAILED with the reason, which fails the deploy itself — nothing runs later that a metric could watch',
};

/**
 * Functions that call AWS for what they report and count the calls AWS refuses in `AwsCallsDenied`: the ingest
 * functions (enrichment), the traffic-evidence function (ENI and flow-log look-ups, Logs Insights) and the responder
 * (its revert calls). Each gets the `<function>-aws-calls-denied` alarm.
 */
export function countsDeniedCalls(fn: FunctionInfo): boolean {
  return fn.queue !== undefined || fn.key === EVIDENCE_FUNCTION || fn.key === RESPOND_FUNCTION;
}

/** What the `<function>-aws-calls-denied` alarm tells the person it pages. */
function deniedCallsDescription(fn: FunctionInfo): string {
  const fix = 'Fix the permission; docs/deploy.md lists what each role needs.';
  if (fn.key === RESPOND_FUNCTION)
    return `${fn.key}: AWS refused a revert call (the role, a service control policy, a permission boundary or a VPC endpoint policy): the hole stays open. The change-management record "Netwatch response: revert failed" names the call. Fix the permission (docs/deploy.md#respond) or revert by hand.`;
  return fn.key === EVIDENCE_FUNCTION
    ? `${fn.key}: AWS refused a call of the traffic-evidence step (ec2:Describe* to find the ENIs and their flow logs, logs:StartQuery / GetQueryResults / StopQuery) — the role, a service control policy, a permission boundary or a VPC endpoint policy. The follow-up still goes out, saying "traffic unknown: <action> denied", and so will every later one until it is granted. ${fix}`
    : `${fn.key}: AWS refused an enrichment call (the role, a service control policy, a permission boundary or a VPC endpoint policy). Findings still go out, but without what the call would have told (actor, oversized item, ENI / VPC context) — the finding's why names the denied action. ${fix}`;
}

export function metricService(functionKey: string): string {
  const service = METRIC_SERVICE[functionKey];
  if (service === undefined)
    throw new Error(`deploy/stack/monitoring.ts: no metric service name for function ${functionKey}`);
  return service;
}

/** Queue names the stack gives its queues. */
export const queueName = (prefix: string, queue: IngestQueue | 'ConfigDLQ' | 'CloudTrailDLQ'): string =>
  ({
    ConfigQueue: `${prefix}-config`,
    CloudTrailQueue: `${prefix}-cloudtrail`,
    ConfigDLQ: `${prefix}-config-dlq`,
    CloudTrailDLQ: `${prefix}-cloudtrail-dlq`,
  })[queue];

/** Alarms. */
export function buildAlarms(
  prefix: string,
  params: StackParams,
  functions: readonly FunctionInfo[],
): Record<string, CfnResource> {
  const r: Record<string, CfnResource> = {};
  for (const q of ['ConfigQueue', 'CloudTrailQueue'] as const) {
    const label = q === 'ConfigQueue' ? 'Config' : 'CloudTrail';
    const dlq = dlqOf(q);
    r[`${dlq}DepthAlarm`] = onAny(
      {
        name: `${prefix}-${label.toLowerCase()}-dlq-not-empty`,
        description: `${label} events were dead-lettered after 5 failed attempts (or EventBridge could not deliver them): findings may be missing. Read the messages in ${queueName(prefix, dlq)}, fix the cause, redrive.`,
        namespace: 'AWS/SQS',
        metric: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: queueName(prefix, dlq) },
      },
      1,
      'Maximum',
    );
    r[`${q}AgeAlarm`] = alarm({
      name: `${prefix}-${label.toLowerCase()}-queue-age`,
      description: `${label} events wait longer than ${params.queueAgeAlarmSeconds} s: the function is failing, throttled or too slow; pages are late.`,
      namespace: 'AWS/SQS',
      metric: 'ApproximateAgeOfOldestMessage',
      dimensions: { QueueName: queueName(prefix, q) },
      statistic: 'Maximum',
      period: 300,
      evaluationPeriods: 2,
      threshold: params.queueAgeAlarmSeconds,
      comparison: 'GreaterThanThreshold',
      missing: 'notBreaching',
    });
  }
  if (functions.some((f) => f.key === RESPOND_FUNCTION)) {
    r['RespondFailedAlarm'] = onAny({
      name: `${prefix}-respond-failed`,
      description: `The opt-in response could not revert an unapproved hole (EC2 refused a call, or the finding is in another account): the exposure is still open. The change-management record "Netwatch response: revert failed" says which call and why (docs/response.md).`,
      namespace: 'Netwatch',
      metric: 'RevertsFailed',
      dimensions: { service: metricService(RESPOND_FUNCTION) },
    });
    r['RespondDLQDepthAlarm'] = onAny(
      {
        name: `${prefix}-respond-dlq-not-empty`,
        description: `Revert requests of the opt-in response were dead-lettered after 5 failed attempts: a finding was neither reverted nor recorded as not reverted. Read the messages in ${prefix}-respond-dlq (docs/response.md), fix the cause, redrive.`,
        namespace: 'AWS/SQS',
        metric: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: `${prefix}-respond-dlq` },
      },
      1,
      'Maximum',
    );
  }
  for (const fn of functions) {
    if (countsDeniedCalls(fn))
      r[`${pascalKey(fn.key)}AwsCallsDeniedAlarm`] = onAny({
        name: `${fn.name}-aws-calls-denied`,
        description: deniedCallsDescription(fn),
        namespace: 'Netwatch',
        metric: 'AwsCallsDenied',
        dimensions: { service: metricService(fn.key) },
      });
    r[`${pascalKey(fn.key)}ErrorsAlarm`] = onAny(
      {
        name: `${fn.name}-errors`,
        description: `${fn.key} failed invocations (init error, timeout, thrown batch): records are retried, then dead-lettered. Check its log group.`,
        namespace: 'AWS/Lambda',
        metric: 'Errors',
        dimensions: { FunctionName: fn.name },
      },
      params.errorAlarmThreshold,
    );
    r[`${pascalKey(fn.key)}ThrottlesAlarm`] = onAny({
      name: `${fn.name}-throttles`,
      description: `${fn.key} is throttled (account concurrency exhausted): events queue up and pages are late.`,
      namespace: 'AWS/Lambda',
      metric: 'Throttles',
      dimensions: { FunctionName: fn.name },
    });
  }
  const hours = params.heartbeatHours;
  // Silent critical accounts: per account and source, no change at all for heartbeatHours (AccountEvents, emitted by
  // each SQS function per account; missing data is silence).
  for (const account of params.criticalAccounts)
    for (const fn of functions.filter((f) => f.queue !== undefined)) {
      const label = fn.queue === 'ConfigQueue' ? 'config' : 'cloudtrail';
      r[`Account${account}${pascalKey(fn.key)}SilentAlarm`] = silentFor(hours, {
        name: `${prefix}-account-${account}-${label}-silent`,
        description: `No ${label === 'config' ? 'AWS Config' : 'CloudTrail'} change from critical account ${account} reached ${fn.key} for ${hours} h: its ${label === 'config' ? 'recorder, delivery channel' : 'trail'} or its forwarding (deploy/member-account.yml) may be broken — or the account was quiet. The dashboard's per-account widget shows when it was last heard from.`,
        namespace: 'Netwatch',
        metric: 'AccountEvents',
        dimensions: { service: metricService(fn.key), account },
      });
    }
  // Heartbeats: hourly sums, every one of the last N hours empty (or missing: an idle queue stops reporting) pages.
  if (params.configSource === 'sns') {
    r['ConfigHeartbeatAlarm'] = silentFor(hours, {
      name: `${prefix}-config-heartbeat`,
      description: `No AWS Config notification reached ${queueName(prefix, 'ConfigQueue')} for ${hours} h: the recorder, the delivery channel or the subscription is broken (Config sends snapshot / history notifications even in a quiet account).`,
      namespace: 'AWS/SQS',
      metric: 'NumberOfMessagesSent',
      dimensions: { QueueName: queueName(prefix, 'ConfigQueue') },
    });
  } else {
    r['ConfigHeartbeatAlarm'] = silentFor(hours, {
      name: `${prefix}-config-heartbeat`,
      description: `No AWS Config event matched ${prefix}-config on EventBridge for ${hours} h: the recorder is stopped or events no longer arrive.`,
      namespace: 'AWS/Events',
      metric: 'MatchedEvents',
      dimensions: { RuleName: `${prefix}-config` },
    });
  }
  if (params.cloudTrailSource === 'eventbridge') {
    r['CloudTrailHeartbeatAlarm'] = silentFor(hours, {
      name: `${prefix}-cloudtrail-heartbeat`,
      description: `No CloudTrail API event reached EventBridge for ${hours} h (any write call counts): CloudTrail stopped, or events no longer reach this region${params.orgMode ? ' / the member accounts stopped forwarding' : ''}.`,
      namespace: 'AWS/Events',
      metric: 'MatchedEvents',
      dimensions: { RuleName: `${prefix}-cloudtrail-heartbeat` },
    });
  } else {
    r['CloudTrailHeartbeatAlarm'] = silentFor(hours, {
      name: `${prefix}-cloudtrail-heartbeat`,
      description: `No CloudTrail log-delivery notification reached ${queueName(prefix, 'CloudTrailQueue')} for ${hours} h (the org trail writes files every ~5 min): the trail, its SNS topic or the subscription is broken.`,
      namespace: 'AWS/SQS',
      metric: 'NumberOfMessagesSent',
      dimensions: { QueueName: queueName(prefix, 'CloudTrailQueue') },
    });
  }
  return r;
}

/** The dashboard: findings by severity / category, events processed, sink failures, DLQ depth, durations. */
export function buildDashboard(
  prefix: string,
  _params: StackParams,
  functions: readonly FunctionInfo[],
  extraWidgets: readonly unknown[] = [],
): Record<string, CfnResource> {
  const region = '${AWS::Region}';
  const search = (expr: string, label: string, period = 300) => [
    { expression: `SEARCH('${expr}', 'Sum', ${period})`, label, id: `e${Math.abs(hash(expr))}` },
  ];
  const widget = (title: string, metrics: unknown[], x: number, y: number, extra: Record<string, unknown> = {}) => ({
    type: 'metric',
    x,
    y,
    width: 12,
    height: 6,
    properties: { title, region, view: 'timeSeries', stacked: false, metrics, period: 300, ...extra },
  });
  const widgets: unknown[] = [
    widget('Findings by severity', search('{Netwatch,service,severity} MetricName="Findings"', ''), 0, 0, {
      stacked: true,
    }),
    widget('Findings by category', search('{Netwatch,service,category} MetricName="Findings"', ''), 12, 0, {
      stacked: true,
    }),
    widget(
      'Changes processed / pages',
      [
        ...search('{Netwatch,service} MetricName="ChangesProcessed"', ''),
        ...search('{Netwatch,service} MetricName="Pages"', ''),
      ],
      0,
      6,
    ),
    widget(
      'Sink and record failures',
      [
        ...search('{Netwatch,service} MetricName="SinkFailures"', ''),
        ...search('{Netwatch,service} MetricName="RecordFailures"', ''),
      ],
      12,
      6,
    ),
    widget(
      'Dead-letter queue depth',
      [
        [
          'AWS/SQS',
          'ApproximateNumberOfMessagesVisible',
          'QueueName',
          queueName(prefix, 'ConfigDLQ'),
          { stat: 'Maximum' },
        ],
        [
          'AWS/SQS',
          'ApproximateNumberOfMessagesVisible',
          'QueueName',
          queueName(prefix, 'CloudTrailDLQ'),
          { stat: 'Maximum' },
        ],
      ],
      0,
      12,
    ),
    widget(
      'Ingest: messages in, oldest message age (s)',
      [
        ['AWS/SQS', 'NumberOfMessagesSent', 'QueueName', queueName(prefix, 'ConfigQueue'), { stat: 'Sum' }],
        ['AWS/SQS', 'NumberOfMessagesSent', 'QueueName', queueName(prefix, 'CloudTrailQueue'), { stat: 'Sum' }],
        [
          'AWS/SQS',
          'ApproximateAgeOfOldestMessage',
          'QueueName',
          queueName(prefix, 'ConfigQueue'),
          { stat: 'Maximum', yAxis: 'right' },
        ],
        [
          'AWS/SQS',
          'ApproximateAgeOfOldestMessage',
          'QueueName',
          queueName(prefix, 'CloudTrailQueue'),
          { stat: 'Maximum', yAxis: 'right' },
        ],
      ],
      12,
      12,
    ),
    widget(
      'Function duration (p50 / p99 / max, ms)',
      functions.flatMap((f) => [
        ['AWS/Lambda', 'Duration', 'FunctionName', f.name, { stat: 'p50' }],
        ['AWS/Lambda', 'Duration', 'FunctionName', f.name, { stat: 'p99' }],
        ['AWS/Lambda', 'Duration', 'FunctionName', f.name, { stat: 'Maximum' }],
      ]),
      0,
      18,
    ),
    widget(
      'Function errors / throttles',
      functions.flatMap((f) => [
        ['AWS/Lambda', 'Errors', 'FunctionName', f.name, { stat: 'Sum' }],
        ['AWS/Lambda', 'Throttles', 'FunctionName', f.name, { stat: 'Sum' }],
      ]),
      12,
      18,
    ),
  ];
  widgets.push(
    widget(
      'Changes per account and source (hourly; a gap = the account was not heard from)',
      search('{Netwatch,service,account} MetricName="AccountEvents"', '', 3600),
      0,
      30,
      { period: 3600 },
    ),
    widget(
      'AWS calls denied (enrichment, traffic evidence)',
      search('{Netwatch,service} MetricName="AwsCallsDenied"', ''),
      12,
      30,
    ),
  );
  widgets.push(...extraWidgets);
  return {
    NetwatchDashboard: {
      Type: 'AWS::CloudWatch::Dashboard',
      Properties: { DashboardName: prefix, DashboardBody: sub(JSON.stringify({ widgets })) },
    },
  };
}

function pascalKey(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1);
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) | 0;
  return h;
}
