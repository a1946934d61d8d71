/**
 * The environment a Netwatch Lambda function sees, pointed at loopback emulators. Nothing test-only: the handlers'
 * cold start builds its SDK clients from the environment as in Lambda, and AWS SDK v3 reads the service-specific
 * endpoint variables `AWS_ENDPOINT_URL_<SERVICE>` natively (@smithy/core `getEndpointUrlConfig`), so the same
 * composition root talks to fauxqs, dynalite and a local SSM speaker here and to AWS in production.
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
export interface LocalEndpoints {
  /** fauxqs (SNS + SQS). */
  snsSqs: string;
  /** dynalite, usually behind a {@link TcpGate} so a test can make it unreachable. */
  dynamodb: string;
  /** The local SSM Parameter Store speaker holding sink secrets. */
  ssm: string;
}

/** Dummy credentials: emulators accept any signature, and nothing can fall through to a real profile. */
export const DUMMY_CREDENTIALS = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
} as const;

export const REGION = 'eu-west-1';

/** The variables a function needs to run against the emulators (config path and tables are added per scenario). */
export function lambdaEnv(endpoints: LocalEndpoints): Record<string, string> {
  return {
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_SNS: endpoints.snsSqs,
    AWS_ENDPOINT_URL_SQS: endpoints.snsSqs,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SSM: endpoints.ssm,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // Quiet functions: the assertions are on what the receivers got, not on log lines.
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_DEV: 'false',
  };
}

/** Set variables on `process.env` (in-process functions read it at cold start); returns the undo. */
export function applyEnv(vars: Record<string, string>): () => void {
  const before = new Map<string, string | undefined>();
  for (const [key, value] of Object.entries(vars)) {
    before.set(key, process.env[key]);
    process.env[key] = value;
  }
  return () => {
    for (const [key, value] of before) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}
