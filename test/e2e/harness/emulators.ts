import type { FauxqsServer } from 'fauxqs';
import { createAwsClients, type AwsClients } from '../../../shared/platform/aws/clients.ts';
import { AwsFault, startAwsJsonServer } from '../../support/aws-json-server.ts';
import { startEmulator } from '../../support/fauxqs.ts';
import { startDynalite, type LocalDynamo } from '../../support/dynalite.ts';
import { DUMMY_CREDENTIALS, REGION, lambdaEnv } from './aws-env.ts';
import { startReceivers } from './receivers.ts';
import { TcpGate } from './tcp-gate.ts';

/** The sink secrets, as SSM SecureStrings (config files hold only references). */
export const SECRETS = {
  pagerDutyRoutingKey: '/netwatch/pagerduty/routing-key',
  slackWebhook: '/netwatch/slack/webhook',
  webhookSigning: '/netwatch/webhook/signing',
  serviceNowPassword: '/netwatch/servicenow/password',
  jiraApiToken: '/netwatch/jira/api-token',
} as const;

/** The change systems' credentials behind those references (test/support/change-systems.ts servers check them). */
export const CHANGE_SYSTEM_CREDENTIALS = {
  serviceNow: { username: 'svc-netwatch', password: 'Sn0w-e2e-p4ss' },
  jira: { email: 'netwatch@example.com', apiToken: 'jira-e2e-token' },
} as const;

export const SIGNING_SECRET = 'e2e-signing-secret-0123456789';
export const ROUTING_KEY = 'R0UTINGKEY0123456789ABCDEFGHIJKL';

/**
 * Every emulator an end-to-end test needs, on 127.0.0.1 with ephemeral ports, started and stopped by the tests:
 * fauxqs (SNS + SQS), dynalite (DynamoDB) behind a {@link TcpGate}, a local SSM Parameter Store speaker for the sink
 * secrets, and the three SaaS receivers. `env` is what a function's environment would hold in Lambda.
 */
export interface Emulators {
  fauxqs: FauxqsServer;
  /** SDK clients for the test's own use (the poller, the paging inbox), pointed at fauxqs. */
  clients: AwsClients;
  dynamo: LocalDynamo;
  /** DynamoDB as the functions reach it: close it to make DynamoDB unreachable. */
  dynamoGate: TcpGate;
  receivers: Awaited<ReturnType<typeof startReceivers>>;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startEmulators(): Promise<Emulators> {
  const [{ server: fauxqs }, dynamo, receivers] = await Promise.all([
    startEmulator(),
    startDynalite(),
    startReceivers(),
  ]);
  const dynamoUrl = new URL(dynamo.endpoint);
  const dynamoGate = new TcpGate({ host: dynamoUrl.hostname, port: Number(dynamoUrl.port) });
  await dynamoGate.open();
  const parameters: Record<string, string> = {
    [SECRETS.pagerDutyRoutingKey]: ROUTING_KEY,
    [SECRETS.slackWebhook]: `${receivers.slack.url}/services/T000/B000/XXXX`,
    [SECRETS.webhookSigning]: SIGNING_SECRET,
    [SECRETS.serviceNowPassword]: CHANGE_SYSTEM_CREDENTIALS.serviceNow.password,
    [SECRETS.jiraApiToken]: CHANGE_SYSTEM_CREDENTIALS.jira.apiToken,
  };
  // https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html
  const ssm = await startAwsJsonServer({
    'AmazonSSM.GetParameter': (input) => {
      const name = String(input['Name']);
      const value = parameters[name];
      if (value === undefined) throw new AwsFault('ParameterNotFound', `Parameter ${name} not found.`);
      return {
        Parameter: {
          Name: name,
          Type: 'SecureString',
          Value: value,
          Version: 1,
          ARN: `arn:aws:ssm:${REGION}:111122223333:parameter${name}`,
          DataType: 'text',
        },
      };
    },
  });
  const clients = createAwsClients({
    region: REGION,
    credentials: DUMMY_CREDENTIALS,
    endpoint: fauxqs.address,
    maxAttempts: 1,
  });
  return {
    fauxqs,
    clients,
    dynamo,
    dynamoGate,
    receivers,
    env: lambdaEnv({ snsSqs: fauxqs.address, dynamodb: dynamoGate.url, ssm: ssm.url }),
    async stop() {
      await Promise.all([fauxqs.stop(), dynamoGate.close(), receivers.stop(), ssm.stop()]);
      await dynamo.close();
    },
  };
}
