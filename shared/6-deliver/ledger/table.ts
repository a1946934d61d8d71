import type { TableShape } from '../../platform/aws/table.ts';

/**
 * The delivery table (`NETWATCH_DEDUP_TABLE`; the grouping table has the same shape and is by default the same
 * table): delivery ledger rows, cross-source aliases, storm windows, pending digests, episode pages — all under a
 * string `pk` + `sk` (items in shared/6-deliver/ledger/dynamodb-store.ts). Every item expires: `expiresAt`, epoch
 * seconds, is the TTL attribute. The store, the tests' tables and the deploy stack's `DeliveryTable` use this.
 */
export const DELIVERY_TABLE = {
  key: { partition: 'pk', sort: 'sk' },
  ttlAttribute: 'expiresAt',
} as const satisfies TableShape;
