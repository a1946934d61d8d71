import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sdk } from '../../platform/aws/sdk.ts';
import * as z from 'zod';
import { allItems, isConditionFailed, wroteIf } from '../../platform/aws/dynamodb.ts';
import { createTableInput } from '../../platform/aws/table.ts';
import type { Finding } from '../../model/finding.ts';
import type { ApprovalVerdict } from '../../model/notice.ts';
import {
  aliasSortKey,
  digestKey,
  eventIdsOf,
  type ClaimResult,
  type Clock,
  type DeliveryStore,
  type DigestMember,
  type DigestRun,
  type LedgerEntry,
  type LedgerStatus,
  type StormWindow,
  EPISODE_PAGE_TTL_MS,
  episodeKey,
  newStormWindow,
} from './store.ts';
import { DELIVERY_TABLE } from './table.ts';

/**
 * The delivery store on DynamoDB: every write that decides something is a conditional write, so concurrent
 * invocations agree without transactions, and every condition also treats an item whose `expiresAt` has passed as
 * absent, because TTL deletion is lazy (expired items stay readable until DynamoDB gets round to deleting them,
 * typically within a few days).
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
 *
 * Key schema ({@link DELIVERY_TABLE}: string `pk` + `sk`; TTL attribute `expiresAt`, epoch seconds):
 * | item | pk | sk | attributes |
 * |---|---|---|---|
 * | ledger row | `FP#<fingerprint>` or `DIGEST#<account>#<ruleId>#<windowStart>` | `SINK#<sink>` | status (pending/delivered/digested), at, token, leaseUntil (ms), digest |
 * | cross-source alias | `EVT#<CloudTrail eventID>` | `ALIAS#<ruleId>#<resourceId>` | fingerprint |
 * | storm window | `STORM#<account>#<ruleId>` | `WINDOW` | windowStart, windowEnd, endMs, opener |
 * | digest member | `DIGEST#<account>#<ruleId>#<windowStart>` | `F#<fingerprint>` | finding (JSON), approval (JSON), routes, sinks; no TTL until the digest is delivered |
 * | window state | `DIGEST#<account>#<ruleId>#<windowStart>` | `STATE` | state (open → closing → closed), fps (SS: committed members), generation, version; TTL only once closed |
 * | due marker | `DIGESTS` | `<windowEnd>#<account>#<ruleId>#<windowStart>` | window fields; no TTL (deleted when the digest is closed) |
 * | page of an episode | `EP#<episode id>` | `PAGE#<sink>#<fingerprint>` | sink, fingerprint, at (kept 90 days: its close resolves it) |
 * Ledger and aliases live in the dedup table; windows, members and pending digests in the grouping table (the same
 * table by default). Append and close are mutually exclusive through the window state (see {@link appendToDigest}
 * and {@link beginDigest}); a digest's per-sink ledger key carries the state's generation. The `DIGESTS` partition
 * holds one small item per stormy window, so the scheduled digest reads due windows with one Query (`sk < now`)
 * instead of a Scan.
 */
export class DynamoDeliveryStore implements DeliveryStore {
  private readonly groupingTable: string;
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly dedupTable: string,
    groupingTable?: string,
  ) {
    this.groupingTable = groupingTable ?? dedupTable;
  }

  async canonicalFingerprint(finding: Finding, clock: Clock): Promise<string> {
    const sk = aliasSortKey(finding.ruleId, finding.resource.id);
    const existing: string[] = [];
    const written: string[] = [];
    for (const id of eventIdsOf(finding)) {
      const pk = `EVT#${id}`;
      if (
        await this.putIfAbsent(
          this.dedupTable,
          {
            pk,
            sk,
            fingerprint: finding.fingerprint,
            source: finding.source,
            expiresAt: seconds(clock.now.getTime() + clock.ttlMs),
          },
          clock.now,
        )
      ) {
        written.push(pk);
      } else {
        // Only the other source's alias merges: several findings of one event (same rule and resource, different
        // peers) are distinct changes, not duplicates.
        const item = await this.get(this.dedupTable, pk, sk);
        const fp = item?.['fingerprint'];
        if (typeof fp === 'string' && item?.['source'] !== finding.source) existing.push(fp);
      }
    }
    const canonical = existing[0] ?? finding.fingerprint;
    // Aliases this call created point at its own fingerprint; re-point them when another source got there first.
    if (canonical !== finding.fingerprint) {
      for (const pk of written)
        await this.client.send(
          new (sdk.dynamodbDocument().PutCommand)({
            TableName: this.dedupTable,
            Item: {
              pk,
              sk,
              fingerprint: canonical,
              source: finding.source,
              expiresAt: seconds(clock.now.getTime() + clock.ttlMs),
            },
          }),
        );
    }
    return canonical;
  }

  async recordEpisodePage(episodeId: string, sink: string, fingerprint: string, now: Date): Promise<void> {
    await this.client.send(
      new (sdk.dynamodbDocument().PutCommand)({
        TableName: this.dedupTable,
        Item: {
          pk: episodeKey(episodeId),
          sk: `PAGE#${sink}#${fingerprint}`,
          sink,
          fingerprint,
          at: now.toISOString(),
          expiresAt: seconds(now.getTime() + EPISODE_PAGE_TTL_MS),
        },
      }),
    );
  }

  async episodePages(episodeId: string): Promise<{ sink: string; fingerprint: string }[]> {
    const nowSec = seconds(Date.now());
    return (await this.itemsUnder(this.dedupTable, episodeKey(episodeId), 'PAGE#')).flatMap((item) => {
      const row = pageRow.safeParse(item);
      return row.success && row.data.expiresAt > nowSec
        ? [{ sink: row.data.sink, fingerprint: row.data.fingerprint }]
        : [];
    });
  }

  async claim(key: string, sink: string, clock: Clock & { leaseMs: number }): Promise<ClaimResult> {
    const token = randomUUID();
    const nowMs = clock.now.getTime();
    try {
      await this.client.send(
        new (sdk.dynamodbDocument().PutCommand)({
          TableName: this.dedupTable,
          Item: ledgerItem(key, sink, 'pending', clock, { token, leaseUntil: nowMs + clock.leaseMs }),
          ConditionExpression:
            'attribute_not_exists(pk) OR expiresAt < :nowSec OR (#status = :pending AND leaseUntil < :nowMs)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':nowSec': seconds(nowMs), ':nowMs': nowMs, ':pending': 'pending' },
        }),
      );
      return { state: 'claimed', token };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    const row = ledgerRow.safeParse(await this.get(this.dedupTable, key, `SINK#${sink}`));
    if (!row.success || row.data.status === 'pending') return { state: 'busy' };
    return { state: 'done', entry: toEntry(row.data) };
  }

  async complete(
    key: string,
    sink: string,
    status: Exclude<LedgerStatus, 'pending'>,
    clock: Clock,
    digest?: string,
  ): Promise<void> {
    await this.client.send(
      new (sdk.dynamodbDocument().PutCommand)({
        TableName: this.dedupTable,
        Item: ledgerItem(key, sink, status, clock, { digest }),
      }),
    );
  }

  async release(key: string, sink: string, token: string): Promise<void> {
    try {
      await this.client.send(
        new (sdk.dynamodbDocument().DeleteCommand)({
          TableName: this.dedupTable,
          Key: { pk: key, sk: `SINK#${sink}` },
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: { ':token': token },
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error; // someone else holds or completed it now
    }
  }

  async ledger(key: string): Promise<LedgerEntry[]> {
    return (await this.itemsUnder(this.dedupTable, key, 'SINK#')).flatMap((i) => {
      const row = ledgerRow.safeParse(i);
      return row.success ? [toEntry(row.data)] : [];
    });
  }

  async openWindow(
    account: string,
    ruleId: string,
    fingerprint: string,
    windowMs: number,
    clock: Clock,
  ): Promise<StormWindow & { opener: boolean }> {
    const nowMs = clock.now.getTime();
    const pk = `STORM#${account}#${ruleId}`;
    const window = newStormWindow(account, ruleId, clock.now, windowMs);
    try {
      await this.client.send(
        new (sdk.dynamodbDocument().PutCommand)({
          TableName: this.groupingTable,
          Item: {
            pk,
            sk: 'WINDOW',
            ...window,
            endMs: nowMs + windowMs,
            opener: fingerprint,
            expiresAt: seconds(nowMs + clock.ttlMs),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR endMs < :nowMs',
          ExpressionAttributeValues: { ':nowMs': nowMs },
        }),
      );
      return { ...window, opener: true };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    const open = windowRow.parse(await this.get(this.groupingTable, pk, 'WINDOW'));
    return {
      account,
      ruleId,
      windowStart: open.windowStart,
      windowEnd: open.windowEnd,
      opener: open.opener === fingerprint,
    };
  }

  async appendToDigest(window: StormWindow, member: DigestMember, clock: Clock): Promise<boolean> {
    const key = digestKey(window);
    // 1. The member item, without a TTL: nothing undelivered may expire. Written before the commit (3), so the closer
    //    finds every committed member's item.
    await this.client.send(
      new (sdk.dynamodbDocument().PutCommand)({
        TableName: this.groupingTable,
        Item: {
          pk: key,
          sk: `F#${member.fingerprint}`,
          fingerprint: member.fingerprint,
          finding: JSON.stringify(member.finding),
          approval: JSON.stringify(member.approval),
          routes: member.routes,
          sinks: member.sinks,
        },
      }),
    );
    // 2. The due marker, also before the commit: a crash between commit and marker would leave a committed finding
    //    no digest run ever finds. A marker without a commit is cleaned up by the run that finds the window closed.
    await this.client.send(
      new (sdk.dynamodbDocument().PutCommand)({
        TableName: this.groupingTable,
        Item: { pk: 'DIGESTS', sk: markerSortKey(window), ...pick(window) },
      }),
    );
    // 3. The commit: add the fingerprint to the window's member set while the window is open (or it is in the set
    //    already: a retry). Atomic against beginDigest's open → closing, so the finding is in the frozen set or refused.
    const committed = await wroteIf(
      this.client.send(
        new (sdk.dynamodbDocument().UpdateCommand)({
          TableName: this.groupingTable,
          Key: { pk: key, sk: 'STATE' },
          UpdateExpression: `SET #state = if_not_exists(#state, :open), ${WINDOW_STATE_SET} ADD fps :fps, version :one`,
          ConditionExpression: 'attribute_not_exists(pk) OR #state = :open OR contains(fps, :fp)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':open': 'open',
            ...windowStateValues(window),
            ':fps': new Set([member.fingerprint]),
            ':fp': member.fingerprint,
            ':one': 1,
          },
        }),
      ),
    );
    if (committed) return true;
    // Refused: the caller pages directly. The member item is not part of any digest; mark it so and let it expire.
    await this.client.send(
      new (sdk.dynamodbDocument().UpdateCommand)({
        TableName: this.groupingTable,
        Key: { pk: key, sk: `F#${member.fingerprint}` },
        UpdateExpression: 'SET expiresAt = :exp, refused = :yes',
        ExpressionAttributeValues: { ':exp': seconds(clock.now.getTime() + clock.ttlMs), ':yes': true },
      }),
    );
    return false;
  }

  async dueDigests(now: Date): Promise<StormWindow[]> {
    const items = await allItems((start) =>
      this.client.send(
        new (sdk.dynamodbDocument().QueryCommand)({
          TableName: this.groupingTable,
          KeyConditionExpression: 'pk = :pk AND sk < :now',
          ExpressionAttributeValues: { ':pk': 'DIGESTS', ':now': now.toISOString() },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      ),
    );
    const windows: StormWindow[] = [];
    for (const item of items) {
      const w = markerRow.safeParse(item);
      if (w.success) windows.push(pick(w.data));
    }
    return windows;
  }

  async beginDigest(window: StormWindow): Promise<DigestRun | undefined> {
    const key = digestKey(window);
    try {
      // open → closing (or closing again: a resumed run). A window with no state yet (a marker whose appender has not
      // committed) is created closing, so that appender is refused and pages directly.
      const { Attributes } = await this.client.send(
        new (sdk.dynamodbDocument().UpdateCommand)({
          TableName: this.groupingTable,
          Key: { pk: key, sk: 'STATE' },
          UpdateExpression: `SET #state = :closing, ${WINDOW_STATE_SET} ADD version :one`,
          ConditionExpression: 'attribute_not_exists(pk) OR #state IN (:open, :closing)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':closing': 'closing',
            ':open': 'open',
            ...windowStateValues(window),
            ':one': 1,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { ledgerKey: `${key}#${String(Attributes?.['generation'])}` };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    // Closed already (another run finished it): the marker is a leftover of a refused or repeated append.
    await this.deleteMarker(window);
    return undefined;
  }

  async digestMembers(window: StormWindow): Promise<DigestMember[]> {
    const committed = await this.committed(window);
    const items = await this.itemsUnder(this.groupingTable, digestKey(window), 'F#');
    const members: DigestMember[] = [];
    for (const item of items) {
      const m = memberRow.parse(item);
      // Committed, or written by the version before the window state (a TTL from the start, never refused): a window
      // open during the upgrade still sends what it held. A refused member paged directly.
      const legacy = typeof item['expiresAt'] === 'number' && item['refused'] !== true;
      if (!committed.has(m.fingerprint) && !legacy) continue;
      members.push({
        fingerprint: m.fingerprint,
        finding: m.finding,
        approval: m.approval,
        routes: m.routes,
        sinks: m.sinks,
      });
    }
    const missing = [...committed].filter((fp) => !members.some((m) => m.fingerprint === fp));
    if (missing.length > 0)
      throw new Error(
        `${digestKey(window)}: committed members without an item (written before the commit, so this cannot happen): ${missing.join(', ')}`,
      );
    return members;
  }

  async finishDigest(window: StormWindow, clock: Clock): Promise<void> {
    const key = digestKey(window);
    const expiresAt = seconds(clock.now.getTime() + clock.ttlMs);
    // Delivered: only now may the members expire. Then closed (later appends are refused), then the marker goes.
    for (const fingerprint of await this.committed(window))
      await this.client.send(
        new (sdk.dynamodbDocument().UpdateCommand)({
          TableName: this.groupingTable,
          Key: { pk: key, sk: `F#${fingerprint}` },
          UpdateExpression: 'SET expiresAt = :exp',
          ExpressionAttributeValues: { ':exp': expiresAt },
        }),
      );
    // Not applied when another run closed it first.
    await wroteIf(
      this.client.send(
        new (sdk.dynamodbDocument().UpdateCommand)({
          TableName: this.groupingTable,
          Key: { pk: key, sk: 'STATE' },
          UpdateExpression: 'SET #state = :closed, expiresAt = :exp ADD version :one',
          ConditionExpression: '#state = :closing',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':closed': 'closed', ':closing': 'closing', ':exp': expiresAt, ':one': 1 },
        }),
      ),
    );
    await this.deleteMarker(window);
  }

  /** The committed fingerprints of a window (consistent read of its state). */
  private async committed(window: StormWindow): Promise<Set<string>> {
    const state = await this.get(this.groupingTable, digestKey(window), 'STATE');
    const fps = state?.['fps'];
    return new Set(fps instanceof Set ? [...fps].map(String) : []);
  }

  private async deleteMarker(window: StormWindow): Promise<void> {
    await this.client.send(
      new (sdk.dynamodbDocument().DeleteCommand)({
        TableName: this.groupingTable,
        Key: { pk: 'DIGESTS', sk: markerSortKey(window) },
      }),
    );
  }

  private async putIfAbsent(table: string, item: Record<string, unknown>, now: Date): Promise<boolean> {
    return wroteIf(
      this.client.send(
        new (sdk.dynamodbDocument().PutCommand)({
          TableName: table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :nowSec',
          ExpressionAttributeValues: { ':nowSec': seconds(now.getTime()) },
        }),
      ),
    );
  }

  /** Every item of partition `pk` whose sort key starts with `prefix`, all pages, read consistently. */
  private itemsUnder(table: string, pk: string, prefix: string): Promise<Record<string, unknown>[]> {
    return allItems((start) =>
      this.client.send(
        new (sdk.dynamodbDocument().QueryCommand)({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      ),
    );
  }

  private async get(table: string, pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.client.send(
      new (sdk.dynamodbDocument().GetCommand)({ TableName: table, Key: { pk, sk }, ConsistentRead: true }),
    );
    return Item;
  }
}

const seconds = (ms: number): number => Math.floor(ms / 1000);
const markerSortKey = (w: StormWindow): string => `${w.windowEnd}#${w.account}#${w.ruleId}#${w.windowStart}`;
/**
 * What every write of a window's state item sets besides its state: the window it stands for, and its generation
 * (kept once set: the ledger key of its digest run). {@link windowStateValues} gives the values.
 */
const WINDOW_STATE_SET =
  'generation = if_not_exists(generation, :gen), account = :account, ruleId = :ruleId, windowStart = :start, windowEnd = :end';
const windowStateValues = (w: StormWindow): Record<string, string> => ({
  ':gen': randomUUID(),
  ':account': w.account,
  ':ruleId': w.ruleId,
  ':start': w.windowStart,
  ':end': w.windowEnd,
});
const pick = (w: StormWindow): StormWindow => ({
  account: w.account,
  ruleId: w.ruleId,
  windowStart: w.windowStart,
  windowEnd: w.windowEnd,
});

/** A ledger row (see the table above) as claim and complete write it: `extra` is the lease or the digest. */
const ledgerItem = (
  key: string,
  sink: string,
  status: LedgerStatus,
  clock: Clock,
  extra: Record<string, unknown>,
): Record<string, unknown> => ({
  pk: key,
  sk: `SINK#${sink}`,
  status,
  at: clock.now.toISOString(),
  ...extra,
  expiresAt: seconds(clock.now.getTime() + clock.ttlMs),
});

const ledgerRow = z.lazy(() =>
  z.object({
    pk: z.string(),
    sk: z.string().startsWith('SINK#'),
    status: z.enum(['pending', 'delivered', 'digested']),
    at: z.string(),
    digest: z.string().optional(),
  }),
);
const pageRow = z.lazy(() => z.object({ sink: z.string(), fingerprint: z.string(), expiresAt: z.number() }));
const windowRow = z.lazy(() => z.object({ windowStart: z.string(), windowEnd: z.string(), opener: z.string() }));
const markerRow = z.lazy(() =>
  z.object({ account: z.string(), ruleId: z.string(), windowStart: z.string(), windowEnd: z.string() }),
);

/**
 * Members hold the finding as JSON text this store wrote itself; the check is structural (the fields the digest and
 * sinks read), not a re-validation of every delta.
 */
const findingJson = z.lazy(() =>
  z
    .string()
    .transform((text) => JSON.parse(text) as unknown)
    .pipe(
      z.looseObject({
        fingerprint: z.string(),
        ruleId: z.string(),
        account: z.string(),
        at: z.string(),
        severity: z.string(),
        category: z.string(),
      }),
    ),
);
const verdictJson = z.lazy(() =>
  z
    .string()
    .transform((text) => JSON.parse(text) as unknown)
    .pipe(z.looseObject({ state: z.enum(['approved', 'unapproved', 'expired', 'allowlisted']), reason: z.string() })),
);
const memberRow = z.lazy(() =>
  z.object({
    fingerprint: z.string(),
    finding: findingJson.transform((f) => f as unknown as Finding),
    approval: verdictJson.transform((v) => v as unknown as ApprovalVerdict),
    routes: z.array(z.string()),
    sinks: z.array(z.string()),
  }),
);

function toEntry(row: z.infer<typeof ledgerRow>): LedgerEntry {
  return {
    key: row.pk,
    sink: row.sk.slice('SINK#'.length),
    status: row.status,
    at: row.at,
    ...(row.digest ? { digest: row.digest } : {}),
  };
}

/** The CreateTable input for the delivery (dedup + grouping) table, from {@link DELIVERY_TABLE} (as the deploy stack's). */
export function deliveryTableDefinition(tableName: string) {
  return createTableInput(DELIVERY_TABLE, tableName);
}
