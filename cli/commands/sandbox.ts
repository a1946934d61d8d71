import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APPROVALS_TABLE } from '../../shared/5-decide/approvals/table.ts';
import { DELIVERY_TABLE } from '../../shared/6-deliver/ledger/table.ts';
import { STATE_TABLE } from '../../shared/3-state/table.ts';
import { type TableShape, tableKeys } from '../../shared/platform/aws/table.ts';
import { documentClient } from '../../shared/platform/aws/dynamodb.ts';
import { sdk } from '../../shared/platform/aws/sdk.ts';
import { RECEIVER_PATHS, type SandboxSecrets, startReceivers } from '../sandbox/receivers.ts';
import { EXIT, UsageError, stringFlag, type Command } from './command.ts';

/** The sandbox's table names (the config and `env.sh` name the same). */
export const SANDBOX_TABLES = {
  approvals: 'netwatch-sandbox-approvals',
  delivery: 'netwatch-sandbox-delivery',
  state: 'netwatch-sandbox-state',
} as const;

/** The sandbox's secrets: made up, served by the receivers as SSM parameters and a Secrets Manager secret. */
function sandboxSecrets(base: string): SandboxSecrets {
  return {
    ssm: {
      '/netwatch/sandbox/pagerduty-routing-key': 'R0SANDBOXROUTINGKEY0000000000000',
      '/netwatch/sandbox/slack-webhook-url': `${base}${RECEIVER_PATHS.slack}`,
      '/netwatch/sandbox/webhook-signing-secret': 'sandbox-signing-secret-not-for-production',
    },
    secretsManager: {
      'netwatch/sandbox/servicenow': JSON.stringify({ password: 'sandbox-password-not-for-production' }),
    },
  };
}

/** The config the sandbox writes: every HTTP sink pointed at its local receiver, the tables in the local DynamoDB. */
export function sandboxConfig(base: string): string {
  return `# Written by \`netwatch sandbox\` (docs/sandbox.md): every sink is a local receiver on ${base}, the tables live in
# the sandbox's DynamoDB emulator, and the secrets are resolved by the sandbox's local SSM / Secrets Manager.
# Valid for as long as that sandbox runs (the ports change with every start).
version: 1

sinks:
  pagerduty:
    type: pagerduty
    routingKey: { ssm: /netwatch/sandbox/pagerduty-routing-key }
    url: ${base}${RECEIVER_PATHS.pagerduty}
  slack:
    type: slack
    webhookUrl: { ssm: /netwatch/sandbox/slack-webhook-url }     # a Slack webhook URL is itself a credential
  change-webhook:
    type: webhook
    url: ${base}${RECEIVER_PATHS.webhook}
    signingSecret: { ssm: /netwatch/sandbox/webhook-signing-secret }   # the receiver checks X-Netwatch-Signature
  servicenow:
    type: servicenow
    instanceUrl: ${base}
    auth: { type: basic, username: netwatch, password: { secretsManager: netwatch/sandbox/servicenow, key: password } }

routes:
  - name: page-unapproved
    kind: paging
    match: { minSeverity: medium, approval: [unapproved, expired] }
    sinks: [pagerduty, slack]
  - name: change-management
    kind: record
    sinks: [change-webhook]
  - name: tickets
    kind: record
    match: { minSeverity: medium, approval: [unapproved, expired] }
    sinks: [servicenow]

approvals:
  dynamodb: { tableName: ${SANDBOX_TABLES.approvals} }
dedup:
  tableName: ${SANDBOX_TABLES.delivery}
state:
  tableName: ${SANDBOX_TABLES.state}
`;
}

/** The environment that points the SDK at the sandbox (and nowhere else): `source DIR/env.sh`. */
export function sandboxEnv(dynamodb: string, base: string): Record<string, string> {
  return {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIASANDBOXEXAMPLE00',
    AWS_SECRET_ACCESS_KEY: 'sandbox/secret/access/key/not/a/real/one0',
    AWS_ENDPOINT_URL_DYNAMODB: dynamodb,
    AWS_ENDPOINT_URL_SSM: base,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: base,
    NETWATCH_APPROVALS_TABLE: SANDBOX_TABLES.approvals,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/**
 * `netwatch sandbox`: try every sink and the approvals flow without an AWS account. One process runs the DynamoDB
 * emulator (dynalite, a dev dependency) with the three tables, the local receivers and secret stores
 * (cli/sandbox/receivers.ts), writes a config and an environment file, and prints what arrives until stopped.
 */
export const sandboxCommand: Command = {
  help: `Usage: netwatch sandbox [--dir DIR] [--port N]

Everything to try the real sinks and approvals locally, in one process, no AWS account: a DynamoDB emulator
(dynalite) with the approvals, delivery and state tables; receivers for the webhook, PagerDuty, Slack and
ServiceNow sinks that print what arrives; SSM Parameter Store and Secrets Manager answering the config's
secret references. It writes DIR/netwatch.config.yml (every sink pointed at its receiver) and DIR/env.sh
(the endpoints and dummy credentials), prints the commands to run in another terminal, then one line per
arrival until Ctrl-C. Everything is in memory: stopping the sandbox forgets it. Guide: docs/sandbox.md.

Options:
  --dir DIR     where the config and env.sh are written (default: netwatch-sandbox)
  --port N      the receivers' port (default: any free port); the DynamoDB emulator takes any free port
  -h, --help    this help`,
  options: {
    dir: { type: 'string', default: 'netwatch-sandbox' },
    port: { type: 'string' },
  },
  async run(values) {
    const dir = stringFlag(values, 'dir') ?? 'netwatch-sandbox';
    const rawPort = stringFlag(values, 'port');
    const port = rawPort === undefined ? 0 : Number(rawPort);
    if (!Number.isInteger(port) || port < 0 || port > 65_535)
      throw new UsageError(`--port must be a port number (0-65535), not "${rawPort}"`);
    const dynalite = await loadDynalite();
    const out = (line: string) => process.stdout.write(`${line}\n`);

    // The DynamoDB emulator, in memory, on loopback only.
    const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve, reject) => {
      dynamo.once('error', reject);
      dynamo.listen(0, '127.0.0.1', () => resolve());
    });
    const dynamoUrl = `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`;

    let base = '';
    let secrets: SandboxSecrets = { ssm: {}, secretsManager: {} };
    const receivers = await startReceivers(
      {
        get ssm() {
          return secrets.ssm;
        },
        get secretsManager() {
          return secrets.secretsManager;
        },
      },
      () => secrets.ssm['/netwatch/sandbox/webhook-signing-secret'],
      out,
      port,
    ).catch((error: unknown) => {
      dynamo.close();
      throw new UsageError(`--port ${port}: ${(error as Error).message}`);
    });
    base = receivers.url;
    secrets = sandboxSecrets(base);

    const env = sandboxEnv(dynamoUrl, base);
    Object.assign(process.env, env); // the tables are created through the same SDK path the commands use
    const client = documentClient(dynamoUrl);
    const { CreateTableCommand } = sdk.dynamodb();
    const shapes: [string, TableShape][] = [
      [SANDBOX_TABLES.approvals, APPROVALS_TABLE],
      [SANDBOX_TABLES.delivery, DELIVERY_TABLE],
      [SANDBOX_TABLES.state, STATE_TABLE],
    ];
    for (const [name, shape] of shapes)
      await client.send(
        new CreateTableCommand({ TableName: name, BillingMode: 'PAY_PER_REQUEST', ...tableKeys(shape) }),
      );
    client.destroy();

    await mkdir(dir, { recursive: true });
    const configFile = join(dir, 'netwatch.config.yml');
    const envFile = join(dir, 'env.sh');
    await writeFile(configFile, sandboxConfig(base));
    await writeFile(
      envFile,
      `# netwatch sandbox: point the AWS SDK at the sandbox (source this file; new ports at every start)\n${Object.entries(
        env,
      )
        .map(([k, v]) => `export ${k}=${v}`)
        .join('\n')}\nunset AWS_SESSION_TOKEN AWS_PROFILE\n`,
    );
    // A sample change made now: an approval is looked up by its window (ended at most 7 days ago), so the bundled
    // samples of 2024 cannot be approved today; this copy of one can.
    const started = new Date(Math.floor(Date.now() / 1000) * 1000);
    const eventFile = join(dir, 'ssh-open-now.json');
    await writeFile(eventFile, `${JSON.stringify(await sampleNow(started), null, 2)}\n`);
    const hour = 3_600_000;
    const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
    const rel = relative(process.cwd(), dir);
    const shown = rel === '' ? '.' : rel.startsWith('..') ? resolve(dir) : rel; // a path to copy, not ../../tmp/…
    out(`netwatch sandbox: every sink and the approvals flow, locally (nothing leaves this machine)
  DynamoDB emulator  ${dynamoUrl}  tables ${Object.values(SANDBOX_TABLES).join(', ')}
  receivers          ${base}  webhook, PagerDuty, Slack, ServiceNow
  secrets            SSM ${Object.keys(secrets.ssm).join(', ')}; Secrets Manager ${Object.keys(secrets.secretsManager).join(', ')}
  config             ${join(shown, 'netwatch.config.yml')}
  environment        ${join(shown, 'env.sh')}

In another terminal (docs/sandbox.md walks through it):
  source ${join(shown, 'env.sh')}
  npx netwatch replay --config ${join(shown, 'netwatch.config.yml')} ${join(shown, 'ssh-open-now.json')}
  npx netwatch approvals add --ticket CHG0000001 --start ${iso(started.getTime() - hour)} --end ${iso(started.getTime() + 8 * hour)} --resources ${SAMPLE_GROUP}
  npx netwatch replay --config ${join(shown, 'netwatch.config.yml')} ${join(shown, 'ssh-open-now.json')}
  npx netwatch replay --config ${join(shown, 'netwatch.config.yml')} events      # every bundled sample

Ctrl-C stops the sandbox. What arrives:`);

    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await receivers.close();
    dynamo.closeAllConnections?.();
    await new Promise<void>((resolve) => dynamo.close(() => resolve()));
    out(`netwatch sandbox: stopped (${receivers.lines.length} arrivals); ${configFile} no longer points anywhere.`);
    return EXIT.ok;
  },
};

/** The sample the sandbox copies, and the security group it opens. */
const SAMPLE = 'events/cloudtrail/authorize-sg-ingress-ssh-world.json';
const SAMPLE_GROUP = 'sg-0a1b2c3d4e5f60718';

/**
 * The bundled sample of a security group opened to the world on tcp/22, made at `time` with a fresh event id. Found
 * in the working directory (a clone), else next to the command (dist/ or cli/commands/ in the clone).
 */
async function sampleNow(time: Date): Promise<Record<string, unknown>> {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(process.cwd(), SAMPLE), join(here, '..', SAMPLE), join(here, '..', '..', SAMPLE)];
  for (const path of candidates) {
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const record = JSON.parse(text) as Record<string, unknown>;
    return { ...record, eventTime: time.toISOString().replace('.000Z', 'Z'), eventID: randomUUID() };
  }
  throw new UsageError(`the sandbox's sample ${SAMPLE} is not in ${candidates.join(' or ')}`);
}

/** dynalite is a dev dependency (a fresh clone has it after `npm ci`): said plainly when it is missing. */
async function loadDynalite() {
  try {
    return (await import('dynalite')).default;
  } catch (error) {
    throw new UsageError(
      `the sandbox needs the dev dependency dynalite (run \`npm ci\` in the Netwatch clone): ${(error as Error).message}`,
    );
  }
}
