import { APPROVALS_INDEX, APPROVALS_TABLE } from '../../shared/5-decide/approvals/table.ts';
import { DELIVERY_TABLE } from '../../shared/6-deliver/ledger/table.ts';
import { STATE_OPEN_INDEX, STATE_TABLE } from '../../shared/3-state/table.ts';
import { type TableShape, tableKeys } from '../../shared/platform/aws/table.ts';
import { type CfnResource, type CfnTemplate, type Json, ref, sub } from './cfn.ts';

/**
 * The stack's DynamoDB tables, each built from the table shape its store uses (shared/…/table.ts: key schema, GSIs,
 * TTL attribute), so the stack creates exactly the keys and indexes the code queries. All on-demand, with
 * point-in-time recovery, encrypted with the stack key.
 */

/** The tables: logical id, name suffix (`<service>-<stage>-<suffix>`), shape, what it holds (the output's text). */
const TABLES = {
  DeliveryTable: { suffix: 'delivery', shape: DELIVERY_TABLE, holds: 'Delivery ledger, dedup and storm windows' },
  // The kept network state (issue 14): rebuildable from AWS Config, so not retained with the stack.
  StateTable: {
    suffix: 'state',
    shape: STATE_TABLE,
    holds: 'Kept network state and exposure episodes (netwatch exposures --table)',
  },
  // Approvals are the change-management system's records: kept when the stack is removed.
  ApprovalsTable: {
    suffix: 'approvals',
    shape: APPROVALS_TABLE,
    holds: 'Approvals table the change-management system writes',
    retained: true,
  },
} as const satisfies Record<string, { suffix: string; shape: TableShape; holds: string; retained?: boolean }>;

/** A table's logical id. */
export type TableId = keyof typeof TABLES;

/** A table's deployed name; the functions' environment (`NETWATCH_*_TABLE`) names the same. */
export function tableName(prefix: string, id: TableId): string {
  return `${prefix}-${TABLES[id].suffix}`;
}

/** ARN (`Fn::Sub`) of the GSI the functions query on each table that has one. */
export const INDEX_ARN = {
  approvalsByAccount: sub(`\${ApprovalsTable.Arn}/index/${APPROVALS_INDEX}`),
  stateOpen: sub(`\${StateTable.Arn}/index/${STATE_OPEN_INDEX}`),
} as const;

/** The three tables and their name outputs. */
export function buildTables(prefix: string, keyArn: Json): CfnTemplate {
  const Resources: Record<string, CfnResource> = {};
  const Outputs: NonNullable<CfnTemplate['Outputs']> = {};
  for (const [id, table] of Object.entries(TABLES) as [TableId, (typeof TABLES)[TableId]][]) {
    const shape: TableShape = table.shape;
    Resources[id] = {
      Type: 'AWS::DynamoDB::Table',
      ...('retained' in table ? { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' } : {}),
      Properties: {
        TableName: tableName(prefix, id),
        BillingMode: 'PAY_PER_REQUEST',
        ...(shape.ttlAttribute !== undefined
          ? { TimeToLiveSpecification: { AttributeName: shape.ttlAttribute, Enabled: true } }
          : {}),
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn },
        ...('retained' in table ? { DeletionProtectionEnabled: true } : {}),
        ...(tableKeys(shape) as unknown as Record<string, Json>),
      },
    };
    Outputs[`${id}Name`] = { Description: table.holds, Value: ref(id) };
  }
  return { Resources, Outputs };
}
