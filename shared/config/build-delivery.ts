import type { InvocationDeadline } from '../platform/deadline.ts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoApprovalStore } from '../5-decide/approvals/dynamodb-store.ts';
import type { ApprovalSource } from '../5-decide/approvals/model.ts';
import { CombinedApprovals, StaticApprovals } from '../5-decide/approvals/providers.ts';
import { allowlistsFromConfig, routesFromConfig, staticApprovalsFromConfig } from './routes.ts';
import type { NetwatchConfig } from './schema.ts';
import type { Logger } from '@aws-lambda-powertools/logger';
import { createAwsClients } from '../platform/aws/clients.ts';
import { ParametersSecretResolver } from '../platform/aws/secrets.ts';
import type { SinkDeps } from '../6-deliver/sinks/deps.ts';
import { createSinks, prefetchSinkSecrets } from '../6-deliver/sinks/registry.ts';
import type { Sink } from '../6-deliver/sinks/sink.ts';
import { defaultConfig } from './default.ts';
import { MemoryDeliveryStore } from '../6-deliver/ledger/memory-store.ts';
import type { DeliveryDeps } from '../6-deliver/orchestrate.ts';
import type { DeliveryStore } from '../6-deliver/ledger/store.ts';

/** What real sinks need outside tests: SDK clients from the environment and Powertools Parameters for secrets. */
export function runtimeSinkDeps(logger?: Logger, deadline?: InvocationDeadline): SinkDeps {
  const clients = createAwsClients();
  return {
    clients,
    secrets: new ParametersSecretResolver(clients),
    ...(logger ? { logger } : {}),
    ...(deadline ? { deadline } : {}),
  };
}

/**
 * Sink instances named in the config, with every secret they reference resolved up front (cold start): a missing
 * SSM parameter fails the start, not the first page.
 */
export async function sinksFromConfig(
  config: NetwatchConfig,
  deps: SinkDeps = runtimeSinkDeps(),
): Promise<Map<string, Sink>> {
  await prefetchSinkSecrets(config.sinks, deps.secrets);
  return createSinks(config.sinks, deps);
}

/**
 * The approval sources the config names: its static list, plus the approvals table when `approvals.dynamodb` is set
 * (and a DynamoDB client is given). Wrap the result in an InvocationApprovalCache per invocation.
 */
export function approvalSourceFromConfig(
  config: NetwatchConfig,
  options: { client?: DynamoDBDocumentClient; onInvalid?: (problem: string) => void; now?: () => Date } = {},
): ApprovalSource {
  const sources: ApprovalSource[] = [new StaticApprovals(staticApprovalsFromConfig(config))];
  const table = config.approvals.dynamodb;
  if (table && options.client) {
    sources.push(
      new DynamoApprovalStore(options.client, table.tableName, {
        indexName: table.indexName,
        expiredLookbackDays: table.expiredLookbackDays,
        maxWindowDays: config.approvals.maxWindowDays,
        ...(options.onInvalid ? { onInvalid: options.onInvalid } : {}),
        ...(options.now ? { now: options.now } : {}),
      }),
    );
  }
  return sources.length === 1 ? (sources[0] as ApprovalSource) : new CombinedApprovals(sources);
}

/** The delivery step's dependencies from a validated config. */
export function deliveryDepsFromConfig(
  config: NetwatchConfig,
  parts: { store: DeliveryStore; sinks: ReadonlyMap<string, Sink>; now?: () => Date },
): DeliveryDeps {
  return {
    routes: routesFromConfig(config),
    allowlists: allowlistsFromConfig(config),
    sinks: parts.sinks,
    store: parts.store,
    dedupWindowMs: config.dedup.windowHours * 3_600_000,
    groupingWindowMs: config.grouping.windowMinutes * 60_000,
    claimLeaseMs: config.dedup.claimLeaseSeconds * 1000,
    ...(parts.now ? { now: parts.now } : {}),
  };
}

/**
 * Delivery with the built-in routing (the default config's routes and windows) and an in-memory ledger: one process,
 * no tables — for tests and benchmarks that hand in their own sinks.
 */
export function inMemoryDelivery(sinks: ReadonlyMap<string, Sink>, parts: { now?: () => Date } = {}): DeliveryDeps {
  return deliveryDepsFromConfig(defaultConfig(), { store: new MemoryDeliveryStore(), sinks, ...parts });
}
