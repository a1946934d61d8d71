import { randomUUID } from 'node:crypto';
import dns from 'node:dns';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import { vi } from 'vitest';
import {
  recordedConfigHistory,
  recordedLookupEvents,
  recordedResourceConfig,
  recordedSelect,
} from '../../shared/2-enrich/recorded.ts';
import { createAwsClients } from '../../shared/platform/aws/clients.ts';
import { asFunction, recordAwsCalls, takeCalls, type AwsCall } from './aws-calls.ts';
import { AwsFault, startAwsJsonServer } from './aws-json-server.ts';
import { startDynalite, type LocalDynamo } from './dynalite.ts';
import { readEc2Recordings, startEc2QueryServer } from './ec2-query-server.ts';
import { startReceiver } from './http-receiver.ts';
import { startSecurityHub } from './change-systems.ts';
import { type DeployedFunction, deployedFunctions, loadTemplate, type Mode, ResolvedStack } from './stack-template.ts';

/**
 * A packaged template "deployed" onto the in-process emulators, the way CloudFormation would create it: every queue,
 * topic and table of the template under its own name (fauxqs, dynalite), the stack's config parameter served by a local
 * SSM speaker with the value the template writes, AWS Config and CloudTrail (no emulator exists) answered over real HTTP
 * from the recorded responses in aws-responses/, EC2's Describe* calls and CloudWatch Logs Insights (StartQuery,
 * GetQueryResults, StopQuery) likewise from test/fixtures/recorded-aws/ec2 and test/fixtures/logs-insights, and each
 * function of the template run from its handler module with the environment the template gives it — so its cold start
 * reads the same config and reaches the same resources, by the same names and ARNs, as in the account. The account is
 * fauxqs's (000000000000): the template is account-agnostic, and the emulator's ARNs must be the ones the code is told.
 *
 * Every AWS request is recorded per function (test/support/aws-calls.ts), to be judged against the function's role.
 * Only three things differ from the account, all outside IAM: endpoints point at loopback, a webhook sink's URL
 * (private mode) is a local receiver, and so is a custom resource's pre-signed response URL — nothing here may leave
 * the machine.
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
  startQuery: 'Logs_20140328.StartQuery',
  queryResults: 'Logs_20140328.GetQueryResults',
  stopQuery: 'Logs_20140328.StopQuery',
  select: 'StarlingDoveService.SelectResourceConfig',
  selectAggregate: 'StarlingDoveService.SelectAggregateResourceConfig',
} as const;

/** Recorded EC2 Describe* responses (one unfiltered response per operation; test/support/ec2-query-server.ts). */
export const RECORDED_EC2 = join(root, 'test', 'fixtures', 'recorded-aws', 'ec2');
const RECORDED_QUERIES = join(root, 'test', 'fixtures', 'logs-insights');

/** A Lambda SQS event record, as the event source mapping builds it from a received message. */
export type SqsEventRecord = Record<string, unknown> & { messageId: string; body: string };

/**
 * CloudWatch Logs Insights answered from recorded responses: the log groups that exist are those the recorded flow
 * logs write to (DescribeFlowLogs), a query over any other is the API's ResourceNotFoundException; the first query of
 * a deployed stack is `Running` at its first poll (the recorded partial result), every poll after that and every
 * other query `Complete` (the recorded final result).
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartQuery.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetQueryResults.html
 */
function recordedLogsInsights(account: string) {
  const flowLogs = (readEc2Recordings(RECORDED_EC2)['DescribeFlowLogs']?.['flowLogSet'] ?? []) as {
    logGroupName?: string;
  }[];
  const groups = new Set(flowLogs.flatMap((f) => (f.logGroupName ? [f.logGroupName] : [])));
  const recorded = (name: string) => JSON.parse(readFileSync(join(RECORDED_QUERIES, name), 'utf8')) as unknown;
  const running = recorded('get-query-results-running.json');
  const complete = recorded('get-query-results-complete.json');
  const polls = new Map<string, number>();
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  const known = (queryId: unknown) => {
    const id = String(queryId ?? '');
    if (!polls.has(id)) throw new AwsFault('ResourceNotFoundException', `Query ${id} not found`);
    return id;
  };
  return {
    [TARGETS.startQuery]: (input: Record<string, unknown>) => {
      const names = [
        ...list(input['logGroupNames']),
        ...list(input['logGroupIdentifiers']),
        ...(input['logGroupName'] ? [String(input['logGroupName'])] : []),
      ];
      const missing = names.find((g) => !groups.has(g.replace(/^arn:[^:]+:logs:[^:]*:\d*:log-group:/, '')));
      if (missing !== undefined)
        throw new AwsFault(
          'ResourceNotFoundException',
          `Log group '${missing}' does not exist for account ID '${account}'`,
        );
      const queryId = randomUUID();
      polls.set(queryId, 0);
      return { queryId };
    },
    [TARGETS.queryResults]: (input: Record<string, unknown>) => {
      const id = known(input['queryId']);
      const n = polls.get(id) ?? 0;
      polls.set(id, n + 1);
      const first = [...polls.keys()][0] === id && n === 0;
      return first ? running : complete;
    },
    [TARGETS.stopQuery]: (input: Record<string, unknown>) => {
      known(input['queryId']);
      return { success: true };
    },
  };
}

/** Scalars as strings, as CloudFormation passes a custom resource's properties. */
function cfnStrings(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cfnStrings);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cfnStrings(v)]));
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

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
  /**
   * Take every message waiting in one of the stack's queues (by logical id) as the Lambda event source mapping does
   * (ReceiveMessage with all attributes), as the records of the SQS event it would invoke the consumer with.
   */
  receive(queueId: string): Promise<SqsEventRecord[]>;
  /**
   * Create a custom resource of the template as CloudFormation does: invoke its ServiceToken function with a `Create`
   * request (the resolved properties, scalars as strings) whose pre-signed response URL is a local receiver, and return
   * the response the function PUT there.
   */
  createCustomResource(fn: DeployedFunction, logicalId: string): Promise<Record<string, unknown>>;
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
  const securityHub = await startSecurityHub();
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
    ...recordedLogsInsights(ACCOUNT),
  });
  const ec2 = await startEc2QueryServer(RECORDED_EC2);
  // CloudFormation's side of a custom resource: the pre-signed S3 URL the function PUTs its response to.
  const cfnResponses = await startReceiver((_req, _n, res) => res.end());

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
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: aws.url,
    AWS_ENDPOINT_URL_EC2: ec2.url,
    AWS_ENDPOINT_URL_SECURITYHUB: securityHub.url,
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
  const harnessClients = createAwsClients({
    region: REGION,
    endpoint: fauxqs.address,
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const s3 = harnessClients.s3;
  await asFunction(HARNESS, async () => {
    for (const bucket of buckets) await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => undefined);
  });
  const deployed: DeployedStack = {
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
    async receive(queueId) {
      const queueUrl = stack.ref(queueId);
      const records: SqsEventRecord[] = [];
      await asFunction(HARNESS, async () => {
        for (;;) {
          const out = await harnessClients.sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: queueUrl,
              MaxNumberOfMessages: 10,
              VisibilityTimeout: 43_200,
              MessageSystemAttributeNames: ['All'],
              MessageAttributeNames: ['All'],
            }),
          );
          if (!out.Messages?.length) break;
          for (const m of out.Messages)
            records.push({
              messageId: String(m.MessageId),
              receiptHandle: String(m.ReceiptHandle),
              body: String(m.Body),
              attributes: { ...m.Attributes },
              messageAttributes: Object.fromEntries(
                Object.entries(m.MessageAttributes ?? {}).map(([name, a]) => [
                  name,
                  {
                    ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}),
                    stringListValues: a.StringListValues ?? [],
                    binaryListValues: [],
                    dataType: a.DataType,
                  },
                ]),
              ),
              md5OfBody: String(m.MD5OfBody),
              eventSource: 'aws:sqs',
              eventSourceARN: stack.getAtt(queueId, 'Arn'),
              awsRegion: REGION,
            });
        }
      });
      return records;
    },
    async createCustomResource(fn, logicalId) {
      const resource = stack.resource(logicalId);
      const properties = cfnStrings(stack.resolve(resource.Properties ?? {})) as Record<string, unknown>;
      const stackId = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/netwatch-${mode}/5b6c2e10-8f1d-11ef-9c1a-0a1b2c3d4e5f`;
      const requestId = randomUUID();
      const key = encodeURIComponent(`${stackId}|${logicalId}|${requestId}`);
      const before = cfnResponses.received.length;
      await deployed.invoke(fn, {
        RequestType: 'Create',
        ServiceToken: properties['ServiceToken'],
        ResponseURL: `${cfnResponses.url}/${key}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=7200&X-Amz-SignedHeaders=host&X-Amz-Signature=0123456789abcdef`,
        StackId: stackId,
        RequestId: requestId,
        ResourceType: resource.Type,
        LogicalResourceId: logicalId,
        ResourceProperties: properties,
      });
      const response = cfnResponses.received.slice(before).find((r) => r.method === 'PUT');
      if (!response) throw new Error(`${fn.handler}: no response reached CloudFormation for ${logicalId}`);
      return JSON.parse(response.body) as Record<string, unknown>;
    },
    calls() {
      const byFn = new Map<string | undefined, AwsCall[]>();
      for (const call of takeCalls()) byFn.set(call.fn, [...(byFn.get(call.fn) ?? []), call]);
      return byFn;
    },
    async close() {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
      for (const client of [harnessClients.s3, harnessClients.sqs]) client.destroy();
      restoreDns();
      console.warn = warn;
      await Promise.all([
        fauxqs.stop(),
        ssm.stop(),
        aws.stop(),
        ec2.stop(),
        cfnResponses.stop(),
        webhook.stop(),
        securityHub.stop(),
      ]);
      await dynamo.close();
    },
  };
  return deployed;
}
