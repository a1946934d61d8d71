import dns from 'node:dns';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { startFauxqs } from 'fauxqs';
import { vi } from 'vitest';
import {
  recordedConfigHistory,
  recordedLookupEvents,
  recordedPrefixListEntries,
  recordedResourceConfig,
  recordedSelect,
} from '../../shared/2-enrich/recorded.ts';
import { createAwsClients } from '../../shared/platform/aws/clients.ts';
import { asFunction, recordAwsCalls, takeCalls, type AwsCall } from './aws-calls.ts';
import { AwsFault, startAwsJsonServer } from './aws-json-server.ts';
import { startDynalite, type LocalDynamo } from './dynalite.ts';
import { startReceiver } from './http-receiver.ts';
import { type DeployedFunction, deployedFunctions, loadTemplate, type Mode, ResolvedStack } from './stack-template.ts';

/**
 * A packaged template "deployed" onto the in-process emulators, the way CloudFormation would create it: every queue,
 * topic and table of the template under its own name (fauxqs, dynalite), the stack's config parameter served by a local
 * SSM speaker with the value the template writes, AWS Config and CloudTrail (no emulator exists) answered over real HTTP
 * from the recorded responses in aws-responses/, and each function of the template run from its handler module with
 * the environment the template gives it — so its cold start reads the same config and reaches the same resources, by
 * the same names and ARNs, as in the account. The account is fauxqs's (000000000000): the template is
 * account-agnostic, and the emulator's ARNs must be the ones the code is told.
 *
 * Every AWS request is recorded per function (test/support/aws-calls.ts), to be judged against the function's role.
 * Only two things differ from the account, both outside IAM: endpoints point at loopback, and a webhook sink's URL
 * (private mode) is a local receiver — nothing here may leave the machine.
 */

export const ACCOUNT = '000000000000';
/** The attribution scope of the harness's own calls (creating tables, putting log objects): not a function's. */
export const HARNESS = '(harness)';
export const REGION = 'eu-west-1';
const root = join(import.meta.dirname, '..', '..');

/** The Config / CloudTrail JSON targets the enrichment clients call. */
const TARGETS = {
  history: 'StarlingDoveService.GetResourceConfigHistory',
  batch: 'StarlingDoveService.BatchGetResourceConfig',
  lookup: 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents',
  select: 'StarlingDoveService.SelectResourceConfig',
  selectAggregate: 'StarlingDoveService.SelectAggregateResourceConfig',
} as const;

/** Turn a recorded API error (named Error) into the JSON error the real API sends. */
async function answered<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new AwsFault((error as Error).name, (error as Error).message);
  }
}

export interface DeployedStack {
  mode: Mode;
  stack: ResolvedStack;
  functions: DeployedFunction[];
  /** Empty the stack's tables (a function's run independent of the ledger rows another one left). */
  resetTables(): Promise<void>;
  /** Invoke a function (cold start on first use) with an event, inside its attribution scope. */
  invoke(fn: DeployedFunction, event: unknown): Promise<unknown>;
  /** Put a CloudTrail log object in the emulated S3 (org-trail S3 mode). */
  putLogObject(bucket: string, key: string, records: unknown[]): Promise<void>;
  /** The recorded calls per function handler (and unattributed ones under `undefined`). */
  calls(): Map<string | undefined, AwsCall[]>;
  close(): Promise<void>;
}

/**
 * fauxqs names its queues `http://sqs.<region>.localhost:<port>/…`, and SQS clients send to the queue URL's host.
 * RFC 6761 reserves `*.localhost` for the loopback address, but the system resolver here does not apply it: while a
 * stack is deployed, lookups of `*.localhost` ask for `localhost` (restored on close). Nothing else changes.
 * @see https://www.rfc-editor.org/rfc/rfc6761#section-6.3
 */
function resolveLocalhostSubdomains(): () => void {
  const original = dns.lookup;
  const patched = function (this: unknown, hostname: string, ...rest: unknown[]) {
    const host = /\.localhost$/i.test(hostname) ? 'localhost' : hostname;
    return (original as (...args: unknown[]) => unknown).call(this, host, ...rest);
  };
  (dns as { lookup: unknown }).lookup = patched;
  return () => {
    (dns as { lookup: unknown }).lookup = original;
  };
}

/** Powertools Parameters keeps its SSM provider (client, endpoint, cache) per process: a new stack starts clean. */
function resetPowertoolsParameters(): void {
  const base = createRequire(import.meta.url)('@aws-lambda-powertools/parameters/base') as {
    DEFAULT_PROVIDERS: Record<string, unknown>;
  };
  for (const key of Object.keys(base.DEFAULT_PROVIDERS)) delete base.DEFAULT_PROVIDERS[key];
}

export async function deployOnEmulators(mode: Mode): Promise<DeployedStack> {
  await recordAwsCalls();
  takeCalls();
  const restoreDns = resolveLocalhostSubdomains();
  // The SQS client says, per request, that it sends to the queue URL's host (fauxqs's) rather than the endpoint
  // variable's: true and harmless here; kept out of the test output.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).includes('useQueueUrlAsEndpoint') && !String(args[0]).includes('differs from SQSClient'))
      warn(...args);
  };
  const template = loadTemplate(mode);
  const fauxqs = await startFauxqs({ port: 0, host: 'localhost', defaultRegion: REGION, logger: false });
  const dynamo: LocalDynamo = await startDynalite();
  const webhook = await startReceiver((_req, _n, res) => res.end('{}'));
  const plain = new ResolvedStack(template, { account: ACCOUNT, region: REGION, stackName: `netwatch-${mode}` });

  // Queues and topics under the template's names; Ref of a queue is the emulator's queue URL.
  const refs: Record<string, string> = {};
  for (const [id] of plain.of('AWS::SQS::Queue')) {
    const q = fauxqs.createQueue(String(plain.getAtt(id, 'QueueName')), { region: REGION });
    refs[id] = q.queueUrl;
  }
  for (const [id, r] of plain.of('AWS::SNS::Topic'))
    fauxqs.createTopic(String(plain.resolve(r.Properties?.['TopicName']) ?? id), { region: REGION });
  const stack = new ResolvedStack(template, { ...plain.env, refs });

  const tables = stack
    .of('AWS::DynamoDB::Table')
    .map(([, r]) => stack.resolve(r.Properties) as Record<string, unknown>);
  const createTables = async () => {
    for (const p of tables)
      await dynamo.createTable({
        TableName: String(p['TableName']),
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: p['AttributeDefinitions'] as never,
        KeySchema: p['KeySchema'] as never,
        ...(p['GlobalSecondaryIndexes'] ? { GlobalSecondaryIndexes: p['GlobalSecondaryIndexes'] as never } : {}),
      });
  };
  await asFunction(HARNESS, createTables);

  // SSM: the stack's config parameter (its value as the template writes it), and SecureStrings the config references.
  const parameters = new Map<string, string>();
  for (const [, r] of stack.of('AWS::SSM::Parameter')) {
    const value = String(stack.resolve(r.Properties?.['Value'])).replaceAll(
      /https:\/\/[\w.-]+\.example\.com[^"]*/g,
      `${webhook.url}/hook`,
    );
    parameters.set(String(stack.resolve(r.Properties?.['Name'])), value);
  }
  const ssm = await startAwsJsonServer({
    'AmazonSSM.GetParameter': (input) => {
      const name = String(input['Name']);
      const value = parameters.get(name) ?? (name.includes('secret') ? 'local-signing-secret-0123456789' : undefined);
      if (value === undefined) throw new AwsFault('ParameterNotFound', `Parameter ${name} not found.`);
      return { Parameter: { Name: name, Type: 'String', Value: value, Version: 1, DataType: 'text' } };
    },
  });
  const recorded = join(root, 'aws-responses');
  const history = recordedConfigHistory(recorded);
  const batch = recordedResourceConfig(recorded);
  const lookup = recordedLookupEvents(recorded);
  const select = recordedSelect(recorded);
  const region = (input: Record<string, unknown>) => ({ ...input, region: REGION });
  // The aggregator's pages are the account's pages (the recorded responses hold one account).
  const asAccount = (input: Record<string, unknown>) => {
    const { ConfigurationAggregatorName: _aggregator, ...rest } = input;
    return { ...rest, region: REGION };
  };
  const aws = await startAwsJsonServer({
    [TARGETS.history]: (input) => answered(() => history(region(input) as never)),
    [TARGETS.batch]: (input) => answered(() => batch(region(input) as never)),
    [TARGETS.lookup]: (input) => answered(() => lookup(region(input) as never)),
    [TARGETS.select]: (input) => answered(() => select(region(input) as never)),
    [TARGETS.selectAggregate]: (input) => answered(() => select(asAccount(input) as never)),
  });

  // EC2 speaks the EC2 Query protocol (form-encoded in, XML out): a small speaker for the calls the functions make —
  // prefix-list entries (state look-ups, from the recorded responses) and the response's revert calls.
  const prefixLists = recordedPrefixListEntries(recorded);
  const ec2 = await startReceiver((request, _n, res) => {
    const form = new URLSearchParams(request.body);
    const action = form.get('Action') ?? '';
    const xml = (body: string) =>
      res
        .writeHead(200, { 'content-type': 'text/xml;charset=UTF-8' })
        .end(
          `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>ec2-local-1</requestId>${body}</${action}Response>`,
        );
    if (action === 'GetManagedPrefixListEntries') {
      void prefixLists({ region: REGION, PrefixListId: form.get('PrefixListId') ?? '' }).then(
        (answer) =>
          xml(
            `<entrySet>${(answer.Entries ?? []).map((e) => `<item><cidr>${e.Cidr}</cidr></item>`).join('')}</entrySet>`,
          ),
        (error: Error) =>
          res
            .writeHead(400, { 'content-type': 'text/xml;charset=UTF-8' })
            .end(
              `<Response><Errors><Error><Code>${error.name}</Code><Message>${error.message}</Message></Error></Errors><RequestID>ec2-local-1</RequestID></Response>`,
            ),
      );
      return;
    }
    if (['RevokeSecurityGroupIngress', 'DeleteRoute', 'ReplaceRoute'].includes(action))
      return xml('<return>true</return>');
    res
      .writeHead(400, { 'content-type': 'text/xml;charset=UTF-8' })
      .end(
        `<Response><Errors><Error><Code>InvalidAction</Code><Message>${action} is not answered here</Message></Error></Errors><RequestID>ec2-local-1</RequestID></Response>`,
      );
  });

  const functions = deployedFunctions(stack);
  // S3 buckets under the template's names (the posture reports bucket), on the emulator.
  const buckets = stack
    .of('AWS::S3::Bucket')
    .map(([, r]) => stack.resolve(r.Properties?.['BucketName']))
    .filter((b): b is string => typeof b === 'string');
  const endpoints: Record<string, string> = {
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_ENDPOINT_URL_SNS: fauxqs.address,
    AWS_ENDPOINT_URL_SQS: fauxqs.address,
    AWS_ENDPOINT_URL_S3: fauxqs.address,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SSM: ssm.url,
    AWS_ENDPOINT_URL_CONFIG_SERVICE: aws.url,
    AWS_ENDPOINT_URL_CLOUDTRAIL: aws.url,
    AWS_ENDPOINT_URL_EC2: ec2.url,
    POWERTOOLS_LOG_LEVEL: process.env['NETWATCH_DEBUG_LOG'] ? 'ERROR' : 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  const handlers = new Map<string, (event: unknown, context: unknown) => Promise<unknown>>();
  const saved = { ...process.env };
  const environmentOf = (fn: DeployedFunction) => {
    const env = { ...fn.environment, ...endpoints };
    delete env['NODE_OPTIONS'];
    return env;
  };
  const s3 = createAwsClients({
    region: REGION,
    endpoint: fauxqs.address,
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  }).s3;
  await asFunction(HARNESS, async () => {
    for (const bucket of buckets) await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => undefined);
  });
  return {
    mode,
    stack,
    functions,
    async resetTables() {
      await asFunction(HARNESS, async () => {
        for (const p of tables) await dynamo.client.send(new DeleteTableCommand({ TableName: String(p['TableName']) }));
        await createTables();
      });
    },
    async invoke(fn, event) {
      // One function's environment at a time, as in its own Lambda sandbox.
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved, environmentOf(fn));
      let handler = handlers.get(fn.handler);
      if (handler === undefined) {
        // A cold start: fresh modules, and Powertools' SSM provider (kept outside the module graph) forgotten.
        resetPowertoolsParameters();
        vi.resetModules();
        const module = (await asFunction(fn.handler, () => import(fn.entry))) as {
          handler: (event: unknown, context: unknown) => Promise<unknown>;
        };
        handler = module.handler;
        handlers.set(fn.handler, handler);
      }
      const context = {
        functionName: fn.name,
        functionVersion: '$LATEST',
        invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fn.name}`,
        memoryLimitInMB: '512',
        awsRequestId: `req-${Math.random().toString(16).slice(2)}`,
        logGroupName: `/aws/lambda/${fn.name}`,
        logStreamName: 'local',
        getRemainingTimeInMillis: () => 30_000,
      };
      const h = handler;
      return asFunction(fn.handler, () => h(event, context));
    },
    async putLogObject(bucket, key, records) {
      await asFunction(HARNESS, async () => {
        await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => undefined);
        await s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: gzipSync(JSON.stringify({ Records: records })) }),
        );
      });
    },
    calls() {
      const byFn = new Map<string | undefined, AwsCall[]>();
      for (const call of takeCalls()) byFn.set(call.fn, [...(byFn.get(call.fn) ?? []), call]);
      return byFn;
    },
    async close() {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
      s3.destroy();
      restoreDns();
      console.warn = warn;
      await Promise.all([fauxqs.stop(), ssm.stop(), aws.stop(), webhook.stop(), ec2.stop()]);
      await dynamo.close();
    },
  };
}
