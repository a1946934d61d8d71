import { InvocationDeadline } from '../platform/deadline.ts';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { lazyDocumentClient } from '../platform/aws/dynamodb.ts';
import type { ApprovalSource } from '../5-decide/approvals/model.ts';
import { loadRuntimeConfig, type ConfigOrigin } from '../config/runtime-config.ts';
import type { NetwatchConfig } from '../config/schema.ts';
import { createTelemetry, type Telemetry } from './cold-start.ts';
import { ConfigError } from '../platform/errors.ts';
import {
  approvalSourceFromConfig,
  deliveryDepsFromConfig,
  runtimeSinkDeps,
  sinksFromConfig,
} from '../config/build-delivery.ts';
import { DynamoDeliveryStore } from '../6-deliver/ledger/dynamodb-store.ts';
import { MemoryDeliveryStore } from '../6-deliver/ledger/memory-store.ts';
import type { DeliveryDeps } from '../6-deliver/orchestrate.ts';

/** What every Lambda function that delivers needs, built once per cold start. */
export interface DeliveryRuntime {
  config: NetwatchConfig;
  origin: ConfigOrigin;
  delivery: DeliveryDeps;
  /** Approval sources; wrap in an InvocationApprovalCache per invocation. */
  approvals: ApprovalSource;
  logger: Logger;
  metrics: Metrics;
  /** Begun by each invocation's handler with the time Lambda gives it; the HTTP sinks' retries stop before it. */
  deadline: InvocationDeadline;
}

/**
 * Cold-start composition for delivery: config (fail fast with every problem), sinks, approvals, and the DynamoDB
 * delivery store. A config file without `dedup.tableName` is an error in Lambda (dedup and storm control would hold
 * only per container); the built-in default config (no config at all) runs with an in-memory store and says so.
 */
export async function buildDeliveryRuntime(
  serviceName: string,
  env: NodeJS.ProcessEnv = process.env,
  telemetry: Telemetry = createTelemetry(serviceName),
): Promise<DeliveryRuntime> {
  const { logger, metrics } = telemetry;
  const { config, origin } = await loadRuntimeConfig(env);
  const table = config.dedup.tableName;
  if (!table && origin.kind !== 'default') {
    throw new ConfigError(
      'dedup table missing',
      [
        'dedup.tableName: required in Lambda (or set NETWATCH_DEDUP_TABLE): the delivery ledger, dedup and storm control live there',
      ],
      origin.kind === 'file' ? { file: origin.path } : { file: `ssm:${origin.name}` },
    );
  }
  const client = table || config.approvals.dynamodb ? lazyDocumentClient() : undefined;
  const store =
    table && client ? new DynamoDeliveryStore(client, table, config.grouping.tableName) : new MemoryDeliveryStore();
  if (!table)
    logger.warn(
      'no dedup table configured: dedup, ledger and storm control are per container only (built-in default config)',
    );
  const deadline = new InvocationDeadline();
  const sinks = await sinksFromConfig(config, runtimeSinkDeps(logger, deadline));
  const approvals = approvalSourceFromConfig(config, {
    ...(client ? { client } : {}),
    onInvalid: (problem) => logger.warn('invalid approval item skipped', { problem }),
  });
  logger.info('config loaded', { origin, sinks: [...sinks.keys()], routes: config.routes.map((r) => r.name) });
  return {
    config,
    origin,
    delivery: deliveryDepsFromConfig(config, { store, sinks }),
    approvals,
    logger,
    metrics,
    deadline,
  };
}
