/**
 * Deploy parameters (`serverless deploy --stage prod --param="key=value"`), their defaults (serverless.yml
 * `params.default`) and validation. Every problem is reported at once, each naming the `--param` that fixes it, before
 * anything is built — `serverless package` and `deploy` fail in the first second instead of half-way through a stack.
 * @see https://github.com/oss-serverless/osls/blob/main/docs/guides/parameters.md
 */

import { FlowLogFormatError, parseFlowLogFormat } from '../../shared/1-ingest/flow-logs/format.ts';

/** Where CloudTrail events come from. */
export type CloudTrailSource = 'eventbridge' | 's3';
/** Where Config notifications come from. */
export type ConfigSource = 'sns' | 'eventbridge';

/** Validated parameters. Lists are parsed from comma-separated strings. */
export interface StackParams {
  stage: string;
  alertEmails: string[];
  alertPhones: string[];
  configSource: ConfigSource;
  /** Existing Config delivery-channel topic; undefined when the stack creates one or Config comes via EventBridge. */
  configTopicArn?: string;
  createConfigTopic: boolean;
  configRawDelivery: boolean;
  cloudTrailSource: CloudTrailSource;
  cloudTrailTopicArn?: string;
  cloudTrailBucket?: string;
  cloudTrailKmsKeyArn?: string;
  /** The operator's own Netwatch config in SSM; otherwise the stack writes one wired to its topics and tables. */
  netwatchConfigParameter?: string;
  webhookUrl?: string;
  webhookSigningSecretParameter?: string;
  secretParameters: string[];
  secretsManagerSecrets: string[];
  internalVpcIds: string[];
  internalVpcTag?: { key: string; value?: string };
  knownAccounts: string[];
  /** Accounts whose silence pages: no Config / CloudTrail change from one of them for `heartbeatHours` alarms. */
  criticalAccounts: string[];
  heartbeatHours: number;
  queueAgeAlarmSeconds: number;
  errorAlarmThreshold: number;
  orgMode: boolean;
  organizationId?: string;
  privateMode: boolean;
  vpcId?: string;
  privateSubnetIds: string[];
  /** Route tables of the private subnets (gateway endpoints attach to route tables). */
  privateRouteTableIds: string[];
  /** CloudWatch Logs groups holding VPC flow logs: Contributor Insights rules, saved queries, evidence queries. */
  flowLogGroups: string[];
  /** PrivateLink endpoints (`vpce-…`) and endpoint services (`vpce-svc-…`) whose ENIs get Contributor Insights rules. */
  privateLinkEndpoints: string[];
  /** `auto` (read the flow logs' LogFormat at deploy time), `default`, or a field list (`${version} ${srcaddr} …`). */
  flowLogFormat: string;
  flowLogRejectThreshold: number;
  /** Traffic evidence on risky findings: the evidence queue and function. */
  trafficEvidence: boolean;
  /** Queue delay before a finding's flow logs are queried (flow logs reach CloudWatch Logs within minutes). */
  evidenceDelaySeconds: number;
  /** Time limit of the flow-log queries of one finding. */
  evidenceTimeoutSeconds: number;
  logRetentionDays: number;
  /**
   * Reconciliation from AWS Config (docs/reconciliation.md): the EventBridge schedule expression of the reconcile
   * function (`rate(1 day)` by default), or `off` (no function, no reports bucket, no permissions).
   */
  reconcileSchedule: string;
  /** Regions the reconcile function queries in this account (default: the stack's Region). */
  reconcileRegions: string[];
  /** Org mode: the Config aggregator to query (SelectAggregateResourceConfig) instead of this account's Regions. */
  reconcileAggregator?: string;
  /**
   * Opt-in response (docs/response.md): the accounts whose findings may be reverted (`self` = the stack's account).
   * Empty (the default): no respond queue, no responder, no revert permissions anywhere.
   */
  respondAccounts: string[];
  /** Dry run (the default): say what would be reverted, change nothing. */
  respondDryRun: boolean;
  respondGraceMinutes: number;
  respondCategories: ('sg-open-world' | 'route-to-igw')[];
}

/** Thrown with every problem listed. */
export class ParamError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `invalid Netwatch deploy parameters (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ParamError';
  }
}

const SNS_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+(\.fifo)?$/;
const KMS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/;
const EMAIL = /^[^@\s,]+@[^@\s,]+\.[^@\s,]+$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const VPC = /^vpc-[0-9a-f]{8,17}$/;
const SUBNET = /^subnet-[0-9a-f]{8,17}$/;
const PRIVATELINK_ID = /^vpce-(svc-)?[0-9a-f]{8,17}$/;
/** Four rules per endpoint; CloudWatch allows 100 Contributor Insights rules per account and Region by default. */
const MAX_PRIVATELINK_TARGETS = 20;
const ORG = /^o-[a-z0-9]{10,32}$/;
const ACCOUNT = /^\d{12}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SSM_NAME = /^\/?[\w.\-/]{1,1011}$/;
const LOG_GROUP = /^[\w\-/.#]{1,512}$/;
/** EventBridge schedule expressions: `rate(1 day)`, `rate(12 hours)`, `cron(0 6 * * ? *)`. */
const SCHEDULE = /^(rate\(\d{1,5} (minute|minutes|hour|hours|day|days)\)|cron\([^()]{9,200}\))$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const AGGREGATOR = /^[\w-]{1,256}$/;
const RETENTION = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** Parse and validate the raw `custom.netwatch` block (param values as osls resolved them: strings, maybe numbers). */
export function parseParams(raw: Readonly<Record<string, unknown>>, stage: string): StackParams {
  const problems: string[] = [];
  const text = (key: string): string => {
    const v = raw[key];
    if (v === undefined || v === null) return '';
    if (typeof v === 'string') return v.trim();
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    problems.push(`${key}: expected a string, found ${typeof v}`);
    return '';
  };
  const optional = (key: string, pattern: RegExp, example: string): string | undefined => {
    const v = text(key);
    if (v === '') return undefined;
    if (!pattern.test(v)) problems.push(`${key}: "${v}" is not valid (example: --param=${key}=${example})`);
    return v;
  };
  const list = (key: string, pattern: RegExp, example: string): string[] => {
    const items = text(key)
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    for (const item of items)
      if (!pattern.test(item)) problems.push(`${key}: "${item}" is not valid (example: --param=${key}=${example})`);
    return items;
  };
  const bool = (key: string): boolean => {
    const v = text(key).toLowerCase();
    if (v === '' || v === 'false') return false;
    if (v === 'true') return true;
    problems.push(`${key}: expected true or false, found "${v}"`);
    return false;
  };
  const int = (key: string, fallback: number, min: number, max: number): number => {
    const v = text(key);
    if (v === '') return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max)
      problems.push(`${key}: expected an integer from ${min} to ${max}, found "${v}"`);
    return Number.isInteger(n) ? n : fallback;
  };
  const oneOf = <T extends string>(key: string, values: readonly T[], fallback: T): T => {
    const v = text(key);
    if (v === '') return fallback;
    if (!(values as readonly string[]).includes(v))
      problems.push(`${key}: expected one of ${values.join(', ')}, found "${v}"`);
    return (values as readonly string[]).includes(v) ? (v as T) : fallback;
  };
  const missing = (key: string, why: string, example: string) =>
    problems.push(`missing param ${key}: ${why} — set --param=${key}=${example}`);

  const configSource = oneOf('configSource', ['sns', 'eventbridge'] as const, 'sns');
  const configTopicArn = optional('configTopicArn', SNS_ARN, 'arn:aws:sns:eu-west-1:111122223333:config-topic');
  const createConfigTopic = bool('createConfigTopic');
  if (configSource === 'sns' && !configTopicArn && !createConfigTopic) {
    problems.push(
      "missing param configTopicArn: set --param=configTopicArn=arn:aws:sns:<region>:<account>:<topic> (your Config delivery channel's topic) or --param=createConfigTopic=true (then point the delivery channel at the ConfigTopicArn output), or --param=configSource=eventbridge",
    );
  }
  if (configTopicArn && createConfigTopic)
    problems.push(
      'configTopicArn and createConfigTopic=true are exclusive: use your topic, or let the stack create one',
    );
  const cloudTrailSource = oneOf('cloudTrailSource', ['eventbridge', 's3'] as const, 'eventbridge');
  const cloudTrailTopicArn = optional(
    'cloudTrailTopicArn',
    SNS_ARN,
    'arn:aws:sns:eu-west-1:444455556666:org-trail-notifications',
  );
  const cloudTrailBucket = optional('cloudTrailBucket', BUCKET, 'org-trail-logs-444455556666');
  const cloudTrailKmsKeyArn = optional(
    'cloudTrailKmsKeyArn',
    KMS_ARN,
    'arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  );
  if (cloudTrailSource === 's3') {
    if (!cloudTrailTopicArn)
      missing(
        'cloudTrailTopicArn',
        "cloudTrailSource=s3 reads the trail's SNS log-delivery notifications",
        'arn:aws:sns:<region>:<account>:<trail-topic>',
      );
    if (!cloudTrailBucket)
      missing('cloudTrailBucket', "cloudTrailSource=s3 reads the log objects from the trail's bucket", '<bucket-name>');
  }
  const webhookUrl = optional('webhookUrl', /^https:\/\/[^\s]+$/, 'https://itsm.example.com/api/netwatch');
  const webhookSigningSecretParameter = optional(
    'webhookSigningSecretParameter',
    SSM_NAME,
    '/netwatch/webhook/signing-secret',
  );
  if (webhookUrl && !webhookSigningSecretParameter)
    missing(
      'webhookSigningSecretParameter',
      'the webhook sink signs every request (X-Netwatch-Signature) with a key held in SSM',
      '/netwatch/webhook/signing-secret',
    );
  const orgMode = bool('orgMode');
  const organizationId = optional('organizationId', ORG, 'o-a1b2c3d4e5');
  if (orgMode && !organizationId)
    missing(
      'organizationId',
      "orgMode admits the organization's accounts to the event bus (aws:PrincipalOrgID)",
      'o-a1b2c3d4e5',
    );
  const privateMode = bool('privateMode');
  const vpcId = optional('vpcId', VPC, 'vpc-0123456789abcdef0');
  const privateSubnetIds = list('privateSubnetIds', SUBNET, 'subnet-0123456789abcdef0,subnet-0fedcba9876543210');
  if (privateMode && !vpcId)
    missing('vpcId', 'privateMode puts the functions and the endpoints in this VPC', 'vpc-0123456789abcdef0');
  const privateRouteTableIds = list('privateRouteTableIds', /^rtb-[0-9a-f]{8,17}$/, 'rtb-0123456789abcdef0');
  if (privateMode && privateRouteTableIds.length === 0)
    missing(
      'privateRouteTableIds',
      "privateMode attaches the DynamoDB gateway endpoint to the private subnets' route tables",
      'rtb-aaa,rtb-bbb',
    );
  if (privateMode && privateSubnetIds.length === 0)
    missing(
      'privateSubnetIds',
      'privateMode needs private subnets (two or more AZs) for the functions and endpoints',
      'subnet-aaa,subnet-bbb',
    );
  const flowLogGroups = list('flowLogGroups', LOG_GROUP, '/vpc/flow-logs/prod');
  if (text('privateLinkEniIds') !== '')
    problems.push(
      'privateLinkEniIds: replaced by privateLinkEndpoints — name the endpoints and endpoint services (--param=privateLinkEndpoints=vpce-0123456789abcdef0,vpce-svc-0123456789abcdef0); the stack finds their ENIs at deploy time',
    );
  const privateLinkEndpoints = list(
    'privateLinkEndpoints',
    PRIVATELINK_ID,
    'vpce-0123456789abcdef0,vpce-svc-0123456789abcdef0',
  );
  if (privateLinkEndpoints.length > MAX_PRIVATELINK_TARGETS)
    problems.push(
      `privateLinkEndpoints: at most ${MAX_PRIVATELINK_TARGETS} (4 Contributor Insights rules each; the account default is 100 rules)`,
    );
  if (new Set(privateLinkEndpoints).size !== privateLinkEndpoints.length)
    problems.push('privateLinkEndpoints: an id is listed twice');
  if (privateLinkEndpoints.length > 0 && flowLogGroups.length === 0)
    missing(
      'flowLogGroups',
      "privateLinkEndpoints are analysed in the VPC flow log groups that record their ENIs' traffic",
      '/vpc/flow-logs/prod',
    );
  const flowLogFormat = text('flowLogFormat') || 'auto';
  if (flowLogFormat !== 'auto') {
    try {
      parseFlowLogFormat(flowLogFormat);
    } catch (error) {
      if (!(error instanceof FlowLogFormatError)) throw error;
      problems.push(
        `flowLogFormat: ${error.message} (example: --param=flowLogFormat=auto, default, or '\${version} \${interface-id} \${srcaddr} …')`,
      );
    }
  }
  const trafficEvidence = bool('trafficEvidence');
  if (trafficEvidence && flowLogGroups.length === 0)
    missing(
      'flowLogGroups',
      'trafficEvidence queries the flow logs in these groups (the function may read only them)',
      '/vpc/flow-logs/prod',
    );
  const tag = text('internalVpcTag');
  let internalVpcTag: StackParams['internalVpcTag'];
  if (tag !== '') {
    const [key = '', ...rest] = tag.split('=');
    if (key.trim() === '')
      problems.push(
        'internalVpcTag: expected key or key=value (example: --param=internalVpcTag=network-zone=internal)',
      );
    internalVpcTag = rest.length ? { key: key.trim(), value: rest.join('=').trim() } : { key: key.trim() };
  }
  const logRetentionDays = int('logRetentionDays', 365, 1, 3653);
  if (!RETENTION.includes(logRetentionDays))
    problems.push(`logRetentionDays: CloudWatch Logs accepts ${RETENTION.join(', ')}; found ${logRetentionDays}`);
  const reconcileSchedule = text('reconcileSchedule') || 'rate(1 day)';
  if (reconcileSchedule !== 'off' && !SCHEDULE.test(reconcileSchedule))
    problems.push(
      `reconcileSchedule: "${reconcileSchedule}" is not a schedule expression (example: --param=reconcileSchedule='rate(1 day)', 'cron(0 6 * * ? *)' or off)`,
    );
  const reconcileRegions = list('reconcileRegions', REGION, 'eu-west-1,us-east-1');
  const reconcileAggregator = optional('reconcileAggregator', AGGREGATOR, 'org-network-aggregator');
  if (reconcileAggregator && reconcileRegions.length > 0)
    problems.push(
      'reconcileAggregator and reconcileRegions are exclusive: the aggregator covers its accounts and Regions (query it from its own Region)',
    );
  const respondAccounts = list('respondAccounts', /^(\d{12}|self)$/, 'self,444455556666');
  const respondCategories = list('respondCategories', /^(sg-open-world|route-to-igw)$/, 'sg-open-world,route-to-igw');
  const respondDryRunText = text('respondDryRun');
  const respondDryRun = respondDryRunText === '' ? true : bool('respondDryRun');
  const params: StackParams = {
    stage,
    alertEmails: list('alertEmails', EMAIL, 'oncall@example.com,secops@example.com'),
    alertPhones: list('alertPhones', E164, '+447700900123'),
    configSource,
    ...(configTopicArn ? { configTopicArn } : {}),
    createConfigTopic,
    configRawDelivery: bool('configRawDelivery'),
    cloudTrailSource,
    ...(cloudTrailTopicArn ? { cloudTrailTopicArn } : {}),
    ...(cloudTrailBucket ? { cloudTrailBucket } : {}),
    ...(cloudTrailKmsKeyArn ? { cloudTrailKmsKeyArn } : {}),
    ...optionalDefined('netwatchConfigParameter', optional('netwatchConfigParameter', SSM_NAME, '/netwatch/config')),
    ...(webhookUrl ? { webhookUrl } : {}),
    ...(webhookSigningSecretParameter ? { webhookSigningSecretParameter } : {}),
    secretParameters: list('secretParameters', SSM_NAME, '/netwatch/pagerduty/routing-key'),
    secretsManagerSecrets: list('secretsManagerSecrets', /^[\w/+=.@:-]{1,2048}$/, 'netwatch/servicenow'),
    internalVpcIds: list('internalVpcIds', VPC, 'vpc-0123456789abcdef0'),
    ...(internalVpcTag ? { internalVpcTag } : {}),
    knownAccounts: list('knownAccounts', ACCOUNT, '111122223333,444455556666'),
    criticalAccounts: list('criticalAccounts', ACCOUNT, '111122223333,444455556666'),
    heartbeatHours: int('heartbeatHours', 6, 1, 24),
    queueAgeAlarmSeconds: int('queueAgeAlarmSeconds', 900, 60, 1_209_600),
    errorAlarmThreshold: int('errorAlarmThreshold', 1, 1, 100_000),
    orgMode,
    ...(organizationId ? { organizationId } : {}),
    privateMode,
    ...(vpcId ? { vpcId } : {}),
    privateSubnetIds,
    privateRouteTableIds,
    flowLogGroups,
    privateLinkEndpoints,
    flowLogFormat,
    flowLogRejectThreshold: int('flowLogRejectThreshold', 100, 1, 10_000_000),
    trafficEvidence,
    evidenceDelaySeconds: int('evidenceDelaySeconds', 600, 0, 900),
    evidenceTimeoutSeconds: int('evidenceTimeoutSeconds', 120, 10, 840),
    logRetentionDays,
    reconcileSchedule,
    reconcileRegions,
    ...(reconcileAggregator ? { reconcileAggregator } : {}),
    respondAccounts,
    respondDryRun,
    respondGraceMinutes: int('respondGraceMinutes', 15, 0, 1440),
    respondCategories: (respondCategories.length
      ? respondCategories
      : ['sg-open-world', 'route-to-igw']) as StackParams['respondCategories'],
  };
  if (problems.length) throw new ParamError(problems);
  return params;
}

function optionalDefined<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
