import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { allItems, isConditionFailed } from '../platform/aws/dynamodb.ts';
import { sdk } from '../platform/aws/sdk.ts';
import { createTableInput } from '../platform/aws/table.ts';
import { STATEFUL_KINDS, type ResourceId, type StatefulKind } from '../model/state.ts';
import { STATE_OPEN_INDEX, STATE_TABLE } from './table.ts';
import {
  resourceKey,
  type InventoryMarker,
  type OpenEpisode,
  type ResourceSummary,
  type StateStore,
  type StoredResource,
} from './store.ts';

/**
 * The state store on DynamoDB (the functions' state table, `NETWATCH_STATE_TABLE`): on-demand, point-in-time
 * recovery, encrypted with the stack's KMS key (deploy/stack/tables.ts).
 *
 * | item | pk | sk | attributes |
 * |---|---|---|---|
 * | resource state | `RES#<region>\|<resource id>` | `STATE` | version (N), kind, id, region, account, data (JSON: kept state, exposures, open and recently closed episodes, recent outcomes, referenced prefix lists), updatedAt; `openIndex` = `OPEN` and `openSince` while an episode is open |
 * | reverse index | `REF#<region>\|<id>` | `<kind>\|<resource id>` | region, kind, id |
 * | inventory marker | `INV#<region>\|<account>` | `INVENTORY` | region, account, firstAt, at, counts (JSON) |
 * | resolution note | `MEMO#<region>\|<key>` | `MEMO` | value, expiresAt (TTL, 30 days) |
 *
 * Saves are conditional on `version` (`attribute_not_exists(pk)` for a first write), so concurrent writers never
 * overwrite each other: the loser re-reads and re-applies. The sparse GSI `open` (hash `openIndex`, range
 * `openSince`) holds only resources with an open episode: `netwatch exposures --table` reads open episodes with one
 * Query instead of a Scan. State items never expire (no TTL): the state is the network as it is now.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-indexes-general-sparse-indexes.html
 */
export class DynamoStateStore implements StateStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly openIndex = STATE_OPEN_INDEX,
  ) {}

  async load(region: string, ids: readonly ResourceId[]): Promise<Map<string, StoredResource>> {
    const out = new Map<string, StoredResource>();
    const unique = [...new Map(ids.map((r) => [r.id, r])).values()];
    if (unique.length === 1) {
      const { Item } = await this.client.send(
        new (sdk.dynamodbDocument().GetCommand)({
          TableName: this.table,
          Key: { pk: statePk(region, unique[0]!.id), sk: 'STATE' },
          ConsistentRead: true,
        }),
      );
      if (Item !== undefined) out.set(unique[0]!.id, itemToResource(Item));
      return out;
    }
    for (let i = 0; i < unique.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = unique
        .slice(i, i + 100)
        .map((r) => ({ pk: statePk(region, r.id), sk: 'STATE' }));
      for (let attempt = 0; keys !== undefined && keys.length > 0 && attempt < 8; attempt++) {
        const answer = await this.client.send(
          new (sdk.dynamodbDocument().BatchGetCommand)({
            RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true } },
          }),
        );
        for (const item of answer.Responses?.[this.table] ?? []) {
          const stored = itemToResource(item);
          out.set(stored.record.resource.id, stored);
        }
        keys = answer.UnprocessedKeys?.[this.table]?.Keys as Record<string, unknown>[] | undefined;
      }
      if (keys !== undefined && keys.length > 0)
        throw new Error(`state table ${this.table}: BatchGetItem left ${keys.length} keys unprocessed`);
    }
    return out;
  }

  async save(item: StoredResource, expectedVersion: number): Promise<boolean> {
    const data = fitItem(item);
    const firstOpen = item.episodes.map((e) => e.opened.at).sort()[0];
    try {
      await this.client.send(
        new (sdk.dynamodbDocument().PutCommand)({
          TableName: this.table,
          Item: {
            pk: statePk(item.region, item.record.resource.id),
            sk: 'STATE',
            kind: item.record.resource.kind,
            id: item.record.resource.id,
            region: item.region,
            account: item.account,
            version: item.version,
            updatedAt: item.updatedAt,
            data,
            ...(firstOpen !== undefined
              ? { openIndex: 'OPEN', openSince: `${firstOpen}#${item.record.resource.id}` }
              : {}),
          },
          ...(expectedVersion === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: '#version = :expected',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expected': expectedVersion },
              }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  async referencing(region: string, id: string, kind?: StatefulKind): Promise<ResourceId[]> {
    const out: ResourceId[] = [];
    const items = await allItems((start) =>
      this.client.send(
        new (sdk.dynamodbDocument().QueryCommand)({
          TableName: this.table,
          KeyConditionExpression: kind === undefined ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :kind)',
          ExpressionAttributeValues: {
            ':pk': refPk(region, id),
            ...(kind !== undefined ? { ':kind': `${kind}|` } : {}),
          },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      ),
    );
    for (const item of items) {
      const row = refRow.safeParse(item);
      if (row.success) out.push({ kind: row.data.kind, id: row.data.id });
    }
    return out;
  }

  async setReference(region: string, id: string, referrer: ResourceId, present: boolean): Promise<void> {
    const key = { pk: refPk(region, id), sk: `${referrer.kind}|${referrer.id}` };
    if (present)
      await this.client.send(
        new (sdk.dynamodbDocument().PutCommand)({
          TableName: this.table,
          Item: { ...key, region, kind: referrer.kind, id: referrer.id },
        }),
      );
    else await this.client.send(new (sdk.dynamodbDocument().DeleteCommand)({ TableName: this.table, Key: key }));
  }

  async inventory(region: string, account: string): Promise<InventoryMarker | undefined> {
    const { Item } = await this.client.send(
      new (sdk.dynamodbDocument().GetCommand)({
        TableName: this.table,
        Key: { pk: inventoryPk(region, account), sk: 'INVENTORY' },
        ConsistentRead: true,
      }),
    );
    if (Item === undefined) return undefined;
    const row = markerRow.safeParse(Item);
    if (!row.success) return undefined;
    return { ...row.data, counts: JSON.parse(row.data.counts) as InventoryMarker['counts'] };
  }

  async setInventory(marker: InventoryMarker): Promise<void> {
    await this.client.send(
      new (sdk.dynamodbDocument().PutCommand)({
        TableName: this.table,
        Item: {
          pk: inventoryPk(marker.region, marker.account),
          sk: 'INVENTORY',
          region: marker.region,
          account: marker.account,
          firstAt: marker.firstAt,
          at: marker.at,
          counts: JSON.stringify(marker.counts),
        },
      }),
    );
  }

  async remember(region: string, key: string, value: string): Promise<void> {
    try {
      await this.client.send(
        new (sdk.dynamodbDocument().PutCommand)({
          TableName: this.table,
          Item: {
            pk: `MEMO#${region}|${key}`,
            sk: 'MEMO',
            value,
            expiresAt: Math.floor(Date.now() / 1000) + MEMO_TTL_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }

  async recall(region: string, key: string): Promise<string | undefined> {
    const { Item } = await this.client.send(
      new (sdk.dynamodbDocument().GetCommand)({
        TableName: this.table,
        Key: { pk: `MEMO#${region}|${key}`, sk: 'MEMO' },
        ConsistentRead: true,
      }),
    );
    return typeof Item?.['value'] === 'string' ? Item['value'] : undefined;
  }

  /**
   * Every resource item, read with a paginated Scan of the keys and names only (once per reconciliation run: a Scan
   * reads — and is billed for — whole items, which for 10,000 resources of a few KB each is about 10,000 read units).
   * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Scan.html
   */
  async listResources(): Promise<ResourceSummary[]> {
    const out: ResourceSummary[] = [];
    const items = await allItems((start) =>
      this.client.send(
        new (sdk.dynamodbDocument().ScanCommand)({
          TableName: this.table,
          FilterExpression: 'sk = :state',
          ProjectionExpression: '#region, account, kind, id',
          ExpressionAttributeNames: { '#region': 'region' },
          ExpressionAttributeValues: { ':state': 'STATE' },
          ExclusiveStartKey: start,
        }),
      ),
    );
    for (const item of items) {
      const row = summaryRow.safeParse(item);
      if (row.success) out.push(row.data);
    }
    return out;
  }

  async openEpisodes(): Promise<OpenEpisode[]> {
    const out: OpenEpisode[] = [];
    const items = await allItems((start) =>
      this.client.send(
        new (sdk.dynamodbDocument().QueryCommand)({
          TableName: this.table,
          IndexName: this.openIndex,
          KeyConditionExpression: 'openIndex = :open',
          ExpressionAttributeValues: { ':open': 'OPEN' },
          ExclusiveStartKey: start,
        }),
      ),
    );
    for (const item of items) {
      const stored = itemToResource(item);
      for (const episode of stored.episodes) out.push({ region: stored.region, account: stored.account, episode });
    }
    return out.sort((a, b) => (a.episode.opened.at < b.episode.opened.at ? -1 : 1));
  }
}

/**
 * DynamoDB items hold at most 400 KB. A group with hundreds of rules keeps a large state, and every kept outcome holds
 * it twice (before and after): outcomes are dropped oldest first, then closed episodes, until the item fits; the state,
 * exposures and open episodes always stay. (An older redelivery then re-applies instead of replaying — a no-op on the
 * state.)
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items
 */
export const MAX_DATA_BYTES = 350_000;

function fitItem(item: StoredResource): string {
  let outcomes = item.outcomes;
  let closed = item.closed;
  for (;;) {
    const data = JSON.stringify({
      record: item.record,
      exposures: item.exposures,
      episodes: item.episodes,
      closed,
      outcomes,
      refs: item.refs,
    } satisfies StoredData);
    if (Buffer.byteLength(data) <= MAX_DATA_BYTES) return data;
    if (outcomes.length > 1) outcomes = outcomes.slice(0, Math.floor(outcomes.length / 2));
    else if (closed.length > 0) closed = [];
    else if (outcomes.length > 0) outcomes = [];
    else return data; // the state alone is this large: DynamoDB refuses it and the record fails, visibly
  }
}

/** Resolution notes outlive any redelivery (SQS keeps a message at most 14 days). */
const MEMO_TTL_SECONDS = 30 * 86_400;

const statePk = (region: string, id: string): string => `RES#${resourceKey(region, id)}`;
const refPk = (region: string, id: string): string => `REF#${resourceKey(region, id)}`;
const inventoryPk = (region: string, account: string): string => `INV#${region}|${account}`;

interface StoredData {
  record: StoredResource['record'];
  exposures: StoredResource['exposures'];
  episodes: StoredResource['episodes'];
  closed: StoredResource['closed'];
  outcomes: StoredResource['outcomes'];
  refs: StoredResource['refs'];
}

/** The item's envelope is checked; `data` is JSON this store wrote itself (structure, not every field, is checked). */
const stateRow = z.lazy(() =>
  z.object({
    region: z.string(),
    account: z.string(),
    version: z.number().int().min(1),
    updatedAt: z.string(),
    data: z
      .string()
      .transform((text) => JSON.parse(text) as unknown)
      .pipe(
        z.looseObject({
          record: z.looseObject({
            resource: z.object({ kind: z.enum(STATEFUL_KINDS), id: z.string() }),
            ops: z.record(z.string(), z.unknown()),
          }),
          exposures: z.array(z.unknown()),
          episodes: z.array(z.unknown()),
          closed: z.array(z.unknown()),
          outcomes: z.array(z.unknown()),
          refs: z.array(z.string()),
        }),
      ),
  }),
);
const refRow = z.lazy(() => z.object({ kind: z.enum(STATEFUL_KINDS), id: z.string() }));
const markerRow = z.lazy(() =>
  z.object({ region: z.string(), account: z.string(), firstAt: z.string(), at: z.string(), counts: z.string() }),
);
const summaryRow = z.lazy(() =>
  z.object({ region: z.string(), account: z.string(), kind: z.enum(STATEFUL_KINDS), id: z.string() }),
);

function itemToResource(item: Record<string, unknown>): StoredResource {
  const row = stateRow.parse(item);
  const data = row.data as unknown as StoredData;
  return {
    region: row.region,
    account: row.account,
    version: row.version,
    updatedAt: row.updatedAt,
    record: data.record,
    exposures: data.exposures,
    episodes: data.episodes,
    closed: data.closed,
    outcomes: data.outcomes,
    refs: data.refs,
  };
}

/** The CreateTable input of the state table (tests, local tables); the deploy stack builds `StateTable` from the same {@link STATE_TABLE}. */
export function stateTableDefinition(tableName: string) {
  return createTableInput(STATE_TABLE, tableName);
}
