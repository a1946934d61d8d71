import * as z from 'zod';
import type { SecretRef, SecretResolver } from '../../platform/aws/secrets.ts';
import type { Finding } from '../../model/finding.ts';
import { jiraSecretRefs } from '../change-systems/jira.ts';
import { serviceNowSecretRefs } from '../change-systems/servicenow.ts';
import type { SinkDeps } from './deps.ts';
import { createEventBridgeSink, eventBridgeSettingsSchema } from './eventbridge.ts';
import { createFileSink, fileSettingsSchema } from './file.ts';
import { createLogSink, logSettingsSchema } from './log.ts';
import { MemorySink, memorySettingsSchema } from './memory.ts';
import { createPagerDutySink, pagerDutySettingsSchema } from './pagerduty.ts';
import { createS3Sink, s3SettingsSchema } from './s3.ts';
import type { Sink } from './sink.ts';
import { createJiraSink, jiraSettingsSchema } from './jira.ts';
import { createSecurityHubSink, securityHubSettingsSchema } from './securityhub.ts';
import { createServiceNowSink, serviceNowSettingsSchema } from './servicenow.ts';
import { createSlackSink, slackSettingsSchema } from './slack.ts';
import { createSnsSink, snsSettingsSchema } from './sns.ts';
import { createSqsSink, sqsSettingsSchema } from './sqs.ts';
import { createStdoutSink, stdoutSettingsSchema } from './stdout.ts';
import { createWebhookSink, webhookSettingsSchema } from './webhook.ts';

/**
 * Every sink kind: its settings schema and factory, listed explicitly (no side-effect registration). A config loader
 * validates `sinks: { <name>: { type: 'sns', topicArn: … } }` with {@link sinksConfigSchema}, then builds each with
 * {@link createSink}. Settings schemas are strict: a misspelt key is a config error, not a silently ignored option.
 */
export interface SinkKind<S extends z.ZodType> {
  settings: S;
  create(name: string, settings: z.output<S>, deps: SinkDeps): Sink;
}

function kind<S extends z.ZodType>(
  settings: S,
  create: (name: string, settings: z.output<S>, deps: SinkDeps) => Sink,
): SinkKind<S> {
  return { settings, create };
}

export const SINK_KINDS = {
  sns: kind(snsSettingsSchema, createSnsSink),
  pagerduty: kind(pagerDutySettingsSchema, createPagerDutySink),
  slack: kind(slackSettingsSchema, createSlackSink),
  webhook: kind(webhookSettingsSchema, createWebhookSink),
  servicenow: kind(serviceNowSettingsSchema, createServiceNowSink),
  jira: kind(jiraSettingsSchema, createJiraSink),
  securityhub: kind(securityHubSettingsSchema, createSecurityHubSink),
  sqs: kind(sqsSettingsSchema, createSqsSink),
  eventbridge: kind(eventBridgeSettingsSchema, createEventBridgeSink),
  s3: kind(s3SettingsSchema, createS3Sink),
  stdout: kind(stdoutSettingsSchema, createStdoutSink),
  file: kind(fileSettingsSchema, (name, settings) => createFileSink(name, settings)),
  log: kind(logSettingsSchema, createLogSink),
  memory: kind(memorySettingsSchema, (name) => new MemorySink(name)),
} as const;

export type SinkKindName = keyof typeof SINK_KINDS;

/** One sink's config: discriminated on `type`. */
export const sinkSpecSchema = z.discriminatedUnion(
  'type',
  [
    snsSettingsSchema,
    pagerDutySettingsSchema,
    slackSettingsSchema,
    webhookSettingsSchema,
    serviceNowSettingsSchema,
    jiraSettingsSchema,
    securityHubSettingsSchema,
    sqsSettingsSchema,
    eventBridgeSettingsSchema,
    s3SettingsSchema,
    stdoutSettingsSchema,
    fileSettingsSchema,
    logSettingsSchema,
    memorySettingsSchema,
  ],
  {
    // zod's default ("Invalid discriminator value") does not say what was wrong or what is allowed.
    error: (issue) => {
      if (issue.code !== 'invalid_union') return undefined;
      const type =
        typeof issue.input === 'object' && issue.input !== null
          ? (issue.input as Record<string, unknown>)['type']
          : undefined;
      const known = Object.keys(SINK_KINDS).join(', ');
      return type === undefined
        ? `a sink needs a "type" (one of ${known})`
        : `unknown sink type ${JSON.stringify(type)} (known: ${known})`;
    },
  },
);

export type SinkSpec = z.output<typeof sinkSpecSchema>;
/** What a config file may contain (before defaults). */
export type SinkSpecInput = z.input<typeof sinkSpecSchema>;

/** The rule for sink and route names, as the config error and the README say it (one rule: issue 18). */
export const NAME_RULE = '1-64 letters, digits, . _ - (starting with a letter or digit)';

/**
 * Names of sinks and routes: used in keys, logs and the ledger (`SINK#<name>`), so no spaces or `#`. The config's
 * `sinks:` and `routes[].name` use this one schema.
 */
export const nameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, `must be ${NAME_RULE}`);

/** `sinks:` section: sink name (what routes refer to) → spec. */
export const sinksConfigSchema = z.record(nameSchema, sinkSpecSchema);

/** Build one sink from a validated spec. */
export function createSink(name: string, spec: SinkSpec, deps: SinkDeps): Sink {
  switch (spec.type) {
    case 'sns':
      return SINK_KINDS.sns.create(name, spec, deps);
    case 'pagerduty':
      return SINK_KINDS.pagerduty.create(name, spec, deps);
    case 'slack':
      return SINK_KINDS.slack.create(name, spec, deps);
    case 'webhook':
      return SINK_KINDS.webhook.create(name, spec, deps);
    case 'servicenow':
      return SINK_KINDS.servicenow.create(name, spec, deps);
    case 'jira':
      return SINK_KINDS.jira.create(name, spec, deps);
    case 'securityhub':
      return SINK_KINDS.securityhub.create(name, spec, deps);
    case 'sqs':
      return SINK_KINDS.sqs.create(name, spec, deps);
    case 'eventbridge':
      return SINK_KINDS.eventbridge.create(name, spec, deps);
    case 's3':
      return SINK_KINDS.s3.create(name, spec, deps);
    case 'stdout':
      return SINK_KINDS.stdout.create(name, spec, deps);
    case 'file':
      return SINK_KINDS.file.create(name, spec, deps);
    case 'log':
      return SINK_KINDS.log.create(name, spec, deps);
    case 'memory':
      return SINK_KINDS.memory.create(name, spec, deps);
  }
}

/** Build every configured sink, keyed by name (the map the delivery engine takes). */
export function createSinks(config: Readonly<Record<string, SinkSpec>>, deps: SinkDeps): Map<string, Sink> {
  return new Map(Object.entries(config).map(([name, spec]) => [name, createSink(name, spec, deps)]));
}

/** The secret references a spec needs. */
export function secretRefsOf(spec: SinkSpec): SecretRef[] {
  switch (spec.type) {
    case 'pagerduty':
      return [spec.routingKey];
    case 'slack':
      return [spec.webhookUrl];
    case 'webhook':
      return [spec.signingSecret, ...Object.values(spec.secretHeaders)];
    case 'servicenow':
      return serviceNowSecretRefs(spec.auth);
    case 'jira':
      return jiraSecretRefs(spec.auth);
    default:
      return [];
  }
}

/**
 * Resolve every secret the configured sinks need, at cold start: the first page does not wait on SSM, and a missing
 * or misnamed secret fails the deployment's first invocation loudly instead of the first 3 a.m. page.
 */
export async function prefetchSinkSecrets(
  config: Readonly<Record<string, SinkSpec>>,
  secrets: SecretResolver,
): Promise<void> {
  await secrets.prefetch(Object.values(config).flatMap(secretRefsOf));
}

/**
 * What a sink would do with a finding, in one line, for the `netwatch route` dry run — the ticket it would open or
 * update (and by which key it finds it again), or how it would write it. Undefined for sinks that just send it.
 */
export function sinkAction(spec: SinkSpec, finding: Finding): string | undefined {
  const key = finding.episode?.id ?? finding.fingerprint;
  const closed = finding.episode?.state === 'closed';
  switch (spec.type) {
    case 'servicenow':
      return closed
        ? `resolve the ServiceNow ${spec.table} with correlation_id netwatch:${key} (if one was opened)`
        : `ServiceNow ${spec.table} with correlation_id netwatch:${key}: created, or a work note on it`;
    case 'jira':
      return closed
        ? `comment on and transition to done the Jira ${spec.project} issue labelled netwatch-${key} (if one was opened)`
        : `Jira ${spec.project} ${spec.issueType} labelled netwatch-${key}: created, or a comment on it`;
    case 'securityhub':
      return `Security Hub finding netwatch/${finding.region}/${finding.account}/${key}${closed ? ' archived (workflow RESOLVED)' : ' imported or updated'}`;
    case 's3':
      return spec.format === 'ocsf'
        ? `OCSF 1.1.0 Detection Finding${finding.source === 'cloudtrail' && !closed ? ' + API Activity' : ''} to s3://${spec.bucket}/${spec.prefix}`
        : undefined;
    default:
      return undefined;
  }
}
