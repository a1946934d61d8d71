import { DynamoApprovalStore, approvalsTableDefinition } from '../../shared/5-decide/approvals/dynamodb-store.ts';
import { InvocationApprovalCache } from '../../shared/5-decide/approvals/providers.ts';
import { loadConfigText } from '../../shared/config/load.ts';
import type { NetwatchConfig } from '../../shared/config/schema.ts';
import {
  approvalSourceFromConfig,
  deliveryDepsFromConfig,
  sinksFromConfig,
} from '../../shared/config/build-delivery.ts';
import { DynamoDeliveryStore, deliveryTableDefinition } from '../../shared/6-deliver/ledger/dynamodb-store.ts';
import type { DeliveryDeps } from '../../shared/6-deliver/orchestrate.ts';
import type { MemorySink } from '../../shared/6-deliver/sinks/memory.ts';
import type { Sink } from '../../shared/6-deliver/sinks/sink.ts';
import type { LocalDynamo } from '../support/dynalite.ts';

/** The routing under test: the default's meaning with memory sinks, plus an approvals table and the CI allowlist. */
export function configText(extra = '', staticApprovals = ''): string {
  return `
version: 1
sinks:
  paging: { type: memory }
  change-log: { type: memory }
routes:
  - name: page-risky
    kind: paging
    match: { minSeverity: medium, approval: [unapproved, expired] }
    sinks: [paging]
  - name: change-management
    kind: record
    sinks: [change-log]
allowlists:
  - name: ci-deployer
    actorArnPatterns: ['arn:aws:iam::111122223333:role/ci-deploy']
    categories: [sg-widened]
    reason: CI/CD pipeline deploys application security groups
approvals:
  dynamodb: { tableName: approvals }
${staticApprovals ? `  static:\n${staticApprovals}` : ''}
dedup: { tableName: delivery }
${extra}`;
}

let tables = 0;

/** A fresh pair of tables, the config's sinks (memory), a controllable clock, and deps wired like Lambda's. */
export async function harness(
  dynamo: LocalDynamo,
  extraConfig = '',
  start = '2026-11-20T09:16:00Z',
  staticApprovals = '',
) {
  const suffix = String((tables += 1));
  const config: NetwatchConfig = loadConfigText(configText(extraConfig, staticApprovals), 'test.config.yml');
  const approvalsTable = `approvals-${suffix}`;
  const deliveryTable = `delivery-${suffix}`;
  await dynamo.createTable(approvalsTableDefinition(approvalsTable));
  await dynamo.createTable(deliveryTableDefinition(deliveryTable));
  const clock = { now: new Date(start) };
  const tuned: NetwatchConfig = {
    ...config,
    approvals: {
      ...config.approvals,
      dynamodb: { tableName: approvalsTable, indexName: 'byAccount', expiredLookbackDays: 7 },
    },
  };
  const sinks = (await sinksFromConfig(tuned)) as Map<string, Sink>;
  const store = new DynamoDeliveryStore(dynamo.client, deliveryTable);
  const deps: DeliveryDeps = deliveryDepsFromConfig(tuned, {
    store,
    sinks,
    now: () => clock.now,
  });
  const approvalsTableStore = new DynamoApprovalStore(dynamo.client, approvalsTable, { now: () => clock.now });
  return {
    config: tuned,
    deps,
    store,
    clock,
    approvalsTable: approvalsTableStore,
    paging: sinks.get('paging') as MemorySink,
    changeLog: sinks.get('change-log') as MemorySink,
    /** A new per-invocation approvals view (as each Lambda invocation gets). */
    approvals: () =>
      new InvocationApprovalCache(approvalSourceFromConfig(tuned, { client: dynamo.client, now: () => clock.now })),
    advance(ms: number) {
      clock.now = new Date(clock.now.getTime() + ms);
    },
  };
}
