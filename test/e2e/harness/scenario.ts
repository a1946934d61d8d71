import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PublishCommand } from '@aws-sdk/client-sns';
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { deliveryTableDefinition } from '../../../shared/6-deliver/ledger/dynamodb-store.ts';
import { stateTableDefinition } from '../../../shared/3-state/dynamodb-store.ts';
import { approvalsTableDefinition } from '../../../shared/5-decide/approvals/dynamodb-store.ts';
import { REGION } from './aws-env.ts';
import { SECRETS, type Emulators } from './emulators.ts';

/** A queue as tests and the poller address it. */
export interface QueueRef {
  name: string;
  url: string;
  arn: string;
}

export interface ScenarioOptions {
  /** Receives before SQS moves a message to the DLQ (the queue's RedrivePolicy). Default 5. */
  maxReceiveCount?: number;
  /** The source queues' visibility timeout, seconds. Default 1. */
  visibilityTimeoutSeconds?: number;
  /** Storm window (`grouping.windowMinutes`). Default 5 (no window closes during a test). */
  groupingWindowMinutes?: number;
  /** `dedup.claimLeaseSeconds` (minimum 5). Default 5. */
  claimLeaseSeconds?: number;
  /** `approvals.static` entries. */
  approvals?: Record<string, unknown>[];
  /** In-sink HTTP attempts (`retry.attempts`). Default 1: SQS redelivery is the outer loop (the delivery layer sends
   * once per sink and invocation) — one attempt per delivery try keeps the counts readable. */
  httpAttempts?: number;
  /** Keep the network state in a state table (`NETWATCH_STATE_TABLE`), as the deployed stack does. Default true. */
  state?: boolean;
  /** An approvals table (`approvals.dynamodb.tableName`), as the deployed stack has. Default false. */
  approvalsTable?: boolean;
  /** Change the config before it is written (more sinks, routes, sync sources). */
  configure?: (config: Record<string, unknown>) => Record<string, unknown>;
  /** More function environment (endpoints of further emulated services). */
  env?: Record<string, string>;
}

/** One page as the paging inbox (an SQS queue subscribed to the paging topic) received it. */
export interface Page {
  subject: string;
  /** The finding fingerprint from the email text, or `digest` for a storm digest. */
  key: string;
  email: string;
}

let counter = 0;

/**
 * One deployment's worth of resources, fresh per test (unique names; the emulators are shared by a test file):
 * - the Config SNS topic with the Config queue subscribed (not raw: bodies are SNS envelopes, as AWS Config delivers);
 * - the CloudTrail queue (what an EventBridge rule's SQS target fills);
 * - a DLQ per source queue, wired with a RedrivePolicy;
 * - the paging SNS topic with an inbox queue subscribed, standing in for the on-call's email/SMS;
 * - the delivery and state tables (dynalite), and a config file naming real sinks: SNS paging, PagerDuty, Slack and the
 *   change-management webhook on the local receivers, secrets by SSM reference.
 */
export class Scenario {
  readonly id: string;
  readonly table: string;
  /** The state table (issue 14), when the scenario keeps state. */
  readonly stateTable: string | undefined;
  /** The approvals table, when the scenario has one. */
  readonly approvalsTable: string | undefined;
  readonly configPath: string;
  readonly configQueue: QueueRef;
  readonly cloudtrailQueue: QueueRef;
  readonly configDlq: QueueRef;
  readonly cloudtrailDlq: QueueRef;
  readonly configTopicArn: string;
  readonly pagingTopic: { name: string; arn: string };
  readonly inbox: QueueRef;
  readonly visibilityTimeoutSeconds: number;
  /** Every page read from the inbox so far. */
  readonly pages: Page[] = [];

  private constructor(
    readonly emulators: Emulators,
    readonly options: ScenarioOptions,
  ) {
    counter += 1;
    this.id = `${process.pid}-${counter}`;
    const fauxqs = emulators.fauxqs;
    this.visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? 1;
    const queue = (name: string, attributes: Record<string, string> = {}): QueueRef => {
      const q = fauxqs.createQueue(name, { region: REGION, attributes });
      return { name, url: q.queueUrl, arn: q.queueArn };
    };
    const redrive = (dlq: QueueRef) => ({
      VisibilityTimeout: String(this.visibilityTimeoutSeconds),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: options.maxReceiveCount ?? 5 }),
    });
    this.configDlq = queue(`netwatch-config-dlq-${this.id}`);
    this.cloudtrailDlq = queue(`netwatch-cloudtrail-dlq-${this.id}`);
    this.configQueue = queue(`netwatch-config-${this.id}`, redrive(this.configDlq));
    this.cloudtrailQueue = queue(`netwatch-cloudtrail-${this.id}`, redrive(this.cloudtrailDlq));
    const configTopic = `config-topic-${this.id}`;
    this.configTopicArn = fauxqs.createTopic(configTopic, { region: REGION }).topicArn;
    fauxqs.subscribe({ topic: configTopic, queue: this.configQueue.name, region: REGION });
    this.inbox = queue(`paging-inbox-${this.id}`);
    const pagingName = `netwatch-paging-${this.id}`;
    this.pagingTopic = { name: pagingName, arn: fauxqs.createTopic(pagingName, { region: REGION }).topicArn };
    fauxqs.subscribe({ topic: pagingName, queue: this.inbox.name, region: REGION });
    this.table = `netwatch-delivery-${this.id}`;
    this.stateTable = options.state === false ? undefined : `netwatch-state-${this.id}`;
    this.approvalsTable = options.approvalsTable ? `netwatch-approvals-${this.id}` : undefined;
    this.configPath = join(mkdtempSync(join(tmpdir(), 'netwatch-e2e-')), 'netwatch.config.json');
    const config = this.config();
    writeFileSync(this.configPath, JSON.stringify(options.configure ? options.configure(config) : config, null, 2));
  }

  static async create(emulators: Emulators, options: ScenarioOptions = {}): Promise<Scenario> {
    const scenario = new Scenario(emulators, options);
    await emulators.dynamo.createTable(deliveryTableDefinition(scenario.table));
    if (scenario.stateTable) await emulators.dynamo.createTable(stateTableDefinition(scenario.stateTable));
    if (scenario.approvalsTable) await emulators.dynamo.createTable(approvalsTableDefinition(scenario.approvalsTable));
    emulators.receivers.reset();
    return scenario;
  }

  /** The function environment: emulator endpoints, the config file, the table. */
  get env(): Record<string, string> {
    return {
      ...this.emulators.env,
      NETWATCH_CONFIG_PATH: this.configPath,
      NETWATCH_DEDUP_TABLE: this.table,
      ...(this.stateTable ? { NETWATCH_STATE_TABLE: this.stateTable } : {}),
      ...(this.approvalsTable ? { NETWATCH_APPROVALS_TABLE: this.approvalsTable } : {}),
      ...this.options.env,
    };
  }

  /** The Netwatch config under test: real sinks only. */
  config(): Record<string, unknown> {
    const { webhook, pagerduty } = this.emulators.receivers;
    const retry = { attempts: this.options.httpAttempts ?? 1, baseDelayMs: 20, maxDelayMs: 100, maxRetryAfterMs: 1000 };
    return {
      version: 1,
      sinks: {
        paging: { type: 'sns', topicArn: this.pagingTopic.arn },
        pagerduty: {
          type: 'pagerduty',
          routingKey: { ssm: SECRETS.pagerDutyRoutingKey },
          url: `${pagerduty.url}/v2/enqueue`,
          timeoutMs: 3000,
          retry,
        },
        slack: { type: 'slack', webhookUrl: { ssm: SECRETS.slackWebhook }, timeoutMs: 3000, retry },
        'change-log': {
          type: 'webhook',
          url: `${webhook.url}/api/now/import/u_netwatch`,
          signingSecret: { ssm: SECRETS.webhookSigning },
          timeoutMs: 3000,
          retry,
        },
      },
      routes: [
        {
          name: 'page-risky',
          kind: 'paging',
          match: { minSeverity: 'medium', approval: ['unapproved', 'expired'] },
          sinks: ['paging', 'pagerduty', 'slack'],
        },
        { name: 'change-management', kind: 'record', sinks: ['change-log'] },
      ],
      approvals: {
        static: this.options.approvals ?? [],
        ...(this.approvalsTable ? { dynamodb: { tableName: this.approvalsTable } } : {}),
      },
      dedup: { tableName: this.table, claimLeaseSeconds: this.options.claimLeaseSeconds ?? 5 },
      grouping: { windowMinutes: this.options.groupingWindowMinutes ?? 5 },
    };
  }

  /** AWS Config publishing a notification to its SNS topic (the message is the notification as JSON text). */
  async publishConfig(notification: Record<string, unknown>): Promise<void> {
    const item = notification['configurationItem'] as
      | { resourceType?: string; resourceId?: string; awsAccountId?: string }
      | undefined;
    await this.emulators.clients.sns.send(
      new PublishCommand({
        TopicArn: this.configTopicArn,
        Subject:
          `[AWS Config:${REGION}] ${item?.resourceType ?? 'resource'} ${item?.resourceId ?? ''} Updated in Account ${item?.awsAccountId ?? ''}`.slice(
            0,
            99,
          ),
        Message: JSON.stringify(notification),
      }),
    );
  }

  /** An EventBridge rule's SQS target delivering one event (EventBridge → SQS bodies are the event JSON). */
  async sendEvent(event: Record<string, unknown>): Promise<void> {
    await this.sendRaw(this.cloudtrailQueue, JSON.stringify(event));
  }

  /** Any body, as is (poison records). */
  async sendRaw(queue: QueueRef, body: string): Promise<void> {
    await this.emulators.clients.sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));
  }

  /** Read (and delete) everything in the paging inbox; returns the pages read by this call, also kept in `pages`. */
  async readInbox(): Promise<Page[]> {
    const read: Page[] = [];
    for (const m of await this.drainQueue(this.inbox)) {
      const envelope = JSON.parse(m.Body ?? '{}') as { Subject?: string; Message?: string };
      const texts = JSON.parse(envelope.Message ?? '{}') as { email?: string };
      const email = texts.email ?? '';
      const fingerprint = /Fingerprint: ([0-9a-f]+)/.exec(email)?.[1];
      read.push({ subject: envelope.Subject ?? '', key: fingerprint ?? 'digest', email });
    }
    this.pages.push(...read);
    return read;
  }

  /** Message bodies sitting in a queue (received and deleted: used for DLQs and inboxes after the run). */
  async drainQueue(queue: QueueRef): Promise<Message[]> {
    const sqs = this.emulators.clients.sqs;
    const all: Message[] = [];
    for (;;) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          VisibilityTimeout: 30,
        }),
      );
      const messages = out.Messages ?? [];
      if (messages.length === 0) return all;
      all.push(...messages);
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
        }),
      );
    }
  }

  /** Delete the paging topic (and its subscription): SNS Publish now fails with NotFound. */
  breakPagingTopic(): void {
    this.emulators.fauxqs.deleteTopic(this.pagingTopic.name, { region: REGION });
  }

  /** Recreate the paging topic under the same ARN and resubscribe the inbox. */
  restorePagingTopic(): void {
    this.emulators.fauxqs.createTopic(this.pagingTopic.name, { region: REGION });
    this.emulators.fauxqs.subscribe({ topic: this.pagingTopic.name, queue: this.inbox.name, region: REGION });
  }
}
