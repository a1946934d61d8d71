import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { sdk } from './sdk.ts';

/**
 * How AWS SDK v3 clients are built. Everything is optional: in Lambda the defaults (region and credentials from the
 * environment) are right. `endpoint` exists for tests against local emulators (fauxqs, a local SSM/EventBridge speaker).
 */
export interface AwsClientOptions {
  region?: string;
  /** One endpoint for every service (an emulator). */
  endpoint?: string;
  /** Per-service endpoint, wins over `endpoint`. */
  endpoints?: Partial<Record<AwsServiceName, string>>;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** S3 path-style addressing; emulators on 127.0.0.1 cannot serve virtual-hosted bucket names. */
  forcePathStyle?: boolean;
  /** Max SDK attempts per call (SDK default 3). */
  maxAttempts?: number;
}

export type AwsServiceName =
  | 'sns'
  | 'sqs'
  | 's3'
  | 'eventBridge'
  | 'ssm'
  | 'secretsManager'
  | 'ec2'
  | 'logs'
  | 'securityHub';

/**
 * The AWS clients sinks and secret resolution use. Created lazily on first use: a Lambda that only has an SNS sink never
 * pays for constructing the S3 or EventBridge client (cold start), and a config that names no AWS sink needs no region.
 */
export interface AwsClients {
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  readonly s3: S3Client;
  readonly eventBridge: EventBridgeClient;
  readonly ssm: SSMClient;
  readonly secretsManager: SecretsManagerClient;
  /** EC2 Describe* (traffic evidence: which ENIs, which flow logs). */
  readonly ec2: EC2Client;
  /** CloudWatch Logs Insights (traffic evidence). */
  readonly logs: CloudWatchLogsClient;
  /** Security Hub BatchImportFindings (the securityhub sink). */
  readonly securityHub: SecurityHubClient;
}

/** Build lazily created, memoized clients sharing one set of options. */
export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const base = (service: AwsServiceName) => {
    const endpoint = options.endpoints?.[service] ?? options.endpoint;
    return {
      ...(options.region !== undefined ? { region: options.region } : {}),
      ...(endpoint !== undefined ? { endpoint } : {}),
      ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    };
  };
  const cache = new Map<AwsServiceName, unknown>();
  const lazy = <T>(service: AwsServiceName, make: () => T): T => {
    let client = cache.get(service) as T | undefined;
    if (client === undefined) {
      client = make();
      cache.set(service, client);
    }
    return client;
  };
  return {
    get sns() {
      return lazy('sns', () => new (sdk.sns().SNSClient)(base('sns')));
    },
    get sqs() {
      // With an endpoint override the queue URL's host (sqs.<region>.localhost for emulators) must not replace it.
      const endpointSet = options.endpoints?.sqs !== undefined || options.endpoint !== undefined;
      return lazy(
        'sqs',
        () => new (sdk.sqs().SQSClient)({ ...base('sqs'), ...(endpointSet ? { useQueueUrlAsEndpoint: false } : {}) }),
      );
    },
    get s3() {
      return lazy(
        's3',
        () =>
          new (sdk.s3().S3Client)({
            ...base('s3'),
            ...(options.forcePathStyle !== undefined ? { forcePathStyle: options.forcePathStyle } : {}),
          }),
      );
    },
    get eventBridge() {
      return lazy('eventBridge', () => new (sdk.eventBridge().EventBridgeClient)(base('eventBridge')));
    },
    get ssm() {
      return lazy('ssm', () => new (sdk.ssm().SSMClient)(base('ssm')));
    },
    get secretsManager() {
      return lazy('secretsManager', () => new (sdk.secretsManager().SecretsManagerClient)(base('secretsManager')));
    },
    get ec2() {
      return lazy('ec2', () => new (sdk.ec2().EC2Client)(base('ec2')));
    },
    get logs() {
      return lazy('logs', () => new (sdk.cloudWatchLogs().CloudWatchLogsClient)(base('logs')));
    },
    get securityHub() {
      return lazy('securityHub', () => new (sdk.securityHub().SecurityHubClient)(base('securityHub')));
    },
  };
}
