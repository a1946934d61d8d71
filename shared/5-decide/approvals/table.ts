import type { TableShape } from '../../platform/aws/table.ts';

/** The approvals table's GSI: an account's approvals by window end (config `approvals.dynamodb.indexName`). */
export const APPROVALS_INDEX = 'byAccount';

/**
 * The approvals table, written by the change-management system: one item per ticket per account (`pk`
 * `APPROVAL#<ticket>`, `sk` `ACCOUNT#<account>`), GSI {@link APPROVALS_INDEX} (`account`, `windowEnd`), TTL on
 * `expiresAt` (windowEnd + 30 days). The inbound endpoint's replay items (`pk` `INBOUND#<id>`, no `account`) live
 * here too, outside the index. Items: shared/5-decide/approvals/dynamodb-store.ts. The store, the tests' tables
 * and the deploy stack's `ApprovalsTable` use this.
 */
export const APPROVALS_TABLE = {
  key: { partition: 'pk', sort: 'sk' },
  indexes: { [APPROVALS_INDEX]: { partition: 'account', sort: 'windowEnd' } },
  ttlAttribute: 'expiresAt',
} as const satisfies TableShape;
