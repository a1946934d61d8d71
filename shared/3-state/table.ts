import type { TableShape } from '../platform/aws/table.ts';

/** The sparse GSI of resources with an open exposure episode (`openIndex` = `OPEN`, `openSince`). */
export const STATE_OPEN_INDEX = 'open';

/**
 * The state table (`NETWATCH_STATE_TABLE`): one item per resource and the prefix-list reverse index under `pk` +
 * `sk`, and the sparse GSI {@link STATE_OPEN_INDEX} (items: shared/3-state/dynamodb-store.ts). State items carry no
 * `expiresAt` — the state is the network as it is now —; the resolution notes (association and instance ids resolved
 * for redeliveries) do: TTL is enabled on it as on the other tables. The store, the tests' tables and the deploy
 * stack's `StateTable` use this.
 */
export const STATE_TABLE = {
  key: { partition: 'pk', sort: 'sk' },
  indexes: { [STATE_OPEN_INDEX]: { partition: 'openIndex', sort: 'openSince' } },
  ttlAttribute: 'expiresAt',
} as const satisfies TableShape;
