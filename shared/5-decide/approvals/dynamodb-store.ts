import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sdk } from '../../platform/aws/sdk.ts';
import * as z from 'zod';
import { allItems, isConditionFailed } from '../../platform/aws/dynamodb.ts';
import { createTableInput } from '../../platform/aws/table.ts';
import { accountIdSchema } from '../../model/fields.ts';
import { NetwatchError } from '../../platform/errors.ts';
import { APPROVALS_INDEX, APPROVALS_TABLE } from './table.ts';
import {
  approvalFields,
  approvalProblems,
  DEFAULT_MAX_WINDOW_DAYS,
  toApproval,
  type Approval,
  type ApprovalSource,
} from './model.ts';

/**
 * The approvals table, written by the change-management system (or `netwatch approvals add`).
 *
 * Key schema ({@link APPROVALS_TABLE}; one item per ticket per account, so one query finds an account's approvals):
 * | attribute | type | meaning |
 * |---|---|---|
 * | `pk` | S | `APPROVAL#<ticket>` (table partition key) |
 * | `sk` | S | `ACCOUNT#<account id>`, or `ACCOUNT#*` for an approval valid in every account (table sort key) |
 * | `account` | S | the account id or `*` — partition key of GSI `byAccount` |
 * | `windowEnd` | S | ISO-8601 UTC, e.g. `2026-11-20T12:00:00.000Z` — sort key of GSI `byAccount` (ISO text sorts as time) |
 * | `ticket`, `windowStart`, `description?` | S | |
 * | `regions?`, `resourceIds?`, `categories?`, `actorArnPatterns?` | L of S | scopes (absent = not restricted) |
 * | `resourceTags?` | M of S → L of S | each key must have one of the values; `*` = any |
 * | `expiresAt` | N | epoch seconds, TTL attribute: windowEnd + 30 days |
 * | `syncedBy?`, `syncedAt?` | S | rows a change system wrote (approvals sync, inbound endpoint): only it rewrites them |
 *
 * The inbound endpoint's replay guard shares the table: `pk` `INBOUND#<request id>`, `sk` `REQUEST`, `expiresAt`
 * (no `account`, so outside the `byAccount` index and never read as an approval).
 *
 * Lookup for account A: `Query byAccount WHERE account = A AND windowEnd >= now − lookback`, and the same for `*`:
 * active, upcoming and recently expired approvals only, never a scan. An item that does not parse is skipped and
 * reported (through `onInvalid`), so one bad row written by another system cannot fail every record.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html
 */
export class DynamoApprovalStore implements ApprovalSource {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
    private readonly options: {
      indexName?: string;
      expiredLookbackDays?: number;
      /** Items whose window is longer are skipped and reported (config `approvals.maxWindowDays`). */
      maxWindowDays?: number;
      now?: () => Date;
      onInvalid?: (problem: string) => void;
    } = {},
  ) {}

  private get indexName(): string {
    return this.options.indexName ?? APPROVALS_INDEX;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  async forAccount(account: string): Promise<Approval[]> {
    const since = new Date(this.now().getTime() - (this.options.expiredLookbackDays ?? 7) * 86_400_000).toISOString();
    const items = (await Promise.all([account, '*'].map((a) => this.queryAll(a, since)))).flat();
    return this.merge(items);
  }

  /** Every approval in the table (CLI `list`). */
  async list(): Promise<Approval[]> {
    const items = await allItems((start) =>
      this.client.send(
        new (sdk.dynamodbDocument().ScanCommand)({
          TableName: this.tableName,
          FilterExpression: 'begins_with(pk, :p)',
          ExpressionAttributeValues: { ':p': 'APPROVAL#' },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      ),
    );
    return this.merge(items).sort(
      (a, b) => a.windowStart.localeCompare(b.windowStart) || a.ticket.localeCompare(b.ticket),
    );
  }

  /** Write an approval (one item per account). Refuses to overwrite an existing ticket. */
  async add(approval: Approval, meta: { createdBy?: string } = {}): Promise<void> {
    const accounts = !approval.accounts || approval.accounts.includes('*') ? ['*'] : approval.accounts;
    const createdAt = this.now().toISOString();
    for (const account of accounts) {
      try {
        await this.client.send(
          new (sdk.dynamodbDocument().PutCommand)({
            TableName: this.tableName,
            Item: approvalItem(approval, account, { createdAt, ...meta }),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if (isConditionFailed(error))
          throw new ApprovalStoreError(
            `approval ${approval.ticket} already exists for account ${account}; expire it or use another ticket`,
          );
        throw error;
      }
    }
  }

  /**
   * End a ticket's window now: changes after this moment are no longer approved (and say "expired"), changes made
   * before it stay approved. Returns the number of items updated; throws when the ticket is unknown.
   */
  async expire(ticket: string): Promise<number> {
    const now = this.now().toISOString();
    const Items = await this.ticketRows(ticket);
    if (Items.length === 0) throw new ApprovalStoreError(`no approval with ticket ${ticket} in ${this.tableName}`);
    let updated = 0;
    for (const item of Items) {
      try {
        await this.client.send(
          new (sdk.dynamodbDocument().UpdateCommand)({
            TableName: this.tableName,
            Key: { pk: item['pk'], sk: item['sk'] },
            UpdateExpression: 'SET windowEnd = :now, expiredAt = :now',
            ConditionExpression: 'attribute_exists(pk) AND windowEnd > :now',
            ExpressionAttributeValues: { ':now': now },
          }),
        );
        updated += 1;
      } catch (error) {
        if (!isConditionFailed(error)) throw error; // already ended: nothing to do
      }
    }
    return updated;
  }

  /** Every row of one ticket (one per account), as stored. */
  async ticketRows(ticket: string): Promise<Record<string, unknown>[]> {
    return allItems((start) =>
      this.client.send(
        new (sdk.dynamodbDocument().QueryCommand)({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `APPROVAL#${ticket}` },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      ),
    );
  }

  /**
   * Write one account's row of an approval on behalf of a change system (`source`: an approvals sync or the inbound
   * endpoint), marked `syncedBy`. Never overwrites a row someone else wrote (a `netwatch approvals add`, another
   * source): that is refused with an {@link ApprovalStoreError}.
   */
  async putSynced(
    approval: Approval,
    account: string,
    source: string,
    meta: Record<string, string> = {},
  ): Promise<void> {
    try {
      await this.client.send(
        new (sdk.dynamodbDocument().PutCommand)({
          TableName: this.tableName,
          Item: { ...approvalItem(approval, account), ...meta, syncedBy: source, syncedAt: this.now().toISOString() },
          ConditionExpression: 'attribute_not_exists(pk) OR syncedBy = :source',
          ExpressionAttributeValues: { ':source': source },
        }),
      );
    } catch (error) {
      if (isConditionFailed(error))
        throw new ApprovalStoreError(
          `approval ${approval.ticket} for account ${account} was written by someone else; ${source} leaves it alone`,
        );
      throw error;
    }
  }

  /** Delete one row a change system wrote (only if `source` wrote it). Returns false when it was not there / not its. */
  async deleteSynced(ticket: string, sk: string, source: string): Promise<boolean> {
    try {
      await this.client.send(
        new (sdk.dynamodbDocument().DeleteCommand)({
          TableName: this.tableName,
          Key: { pk: `APPROVAL#${ticket}`, sk },
          ConditionExpression: 'syncedBy = :source',
          ExpressionAttributeValues: { ':source': source },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /**
   * Remember a signed inbound request (its signature's hash) until `expiresAt`: false when it was seen already — a
   * replayed request is refused even inside its timestamp window.
   */
  async rememberRequest(id: string, expiresAt: Date): Promise<boolean> {
    try {
      await this.client.send(
        new (sdk.dynamodbDocument().PutCommand)({
          TableName: this.tableName,
          Item: { pk: `INBOUND#${id}`, sk: 'REQUEST', expiresAt: Math.floor(expiresAt.getTime() / 1000) },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': Math.floor(this.now().getTime() / 1000) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  private queryAll(account: string, since: string): Promise<Record<string, unknown>[]> {
    return allItems((start) =>
      this.client.send(
        new (sdk.dynamodbDocument().QueryCommand)({
          TableName: this.tableName,
          IndexName: this.indexName,
          KeyConditionExpression: 'account = :a AND windowEnd >= :since',
          ExpressionAttributeValues: { ':a': account, ':since': since },
          ExclusiveStartKey: start,
        }),
      ),
    );
  }

  /** Parse items and fold the per-account rows of one ticket into one approval. */
  private merge(items: readonly Record<string, unknown>[]): Approval[] {
    const byTicket = new Map<string, Approval>();
    for (const raw of items) {
      const parsed = approvalItemSchema.safeParse(raw);
      // Exactly the checks of a config approval (approvalProblems), with this deployment's window cap.
      const problems = parsed.success
        ? approvalProblems(parsed.data, this.options.maxWindowDays ?? DEFAULT_MAX_WINDOW_DAYS)
        : parsed.error.issues;
      if (!parsed.success || problems.length > 0) {
        this.options.onInvalid?.(
          `${this.tableName} item ${String(raw['pk'])}/${String(raw['sk'])} skipped: ${problems.map((i) => `${i.path.join('.') || '(item)'}: ${i.message}`).join('; ')}`,
        );
        continue;
      }
      const { account, ...fields } = parsed.data;
      const existing = byTicket.get(fields.ticket);
      if (existing) {
        if (existing.accounts && account !== '*' && !existing.accounts.includes(account))
          existing.accounts.push(account);
        if (account === '*') delete existing.accounts;
        continue;
      }
      const approval = toApproval({ ...fields, ...(account === '*' ? {} : { accounts: [account] }) }, 'dynamodb');
      byTicket.set(approval.ticket, approval);
    }
    return [...byTicket.values()];
  }
}

/** Errors of the approvals store a CLI user can act on (unknown ticket, duplicate ticket). */
export class ApprovalStoreError extends NetwatchError {
  readonly code = 'APPROVALS';
}

/**
 * One approvals-table item, as the change-management system writes it: the config approval's fields, then the same
 * {@link approvalProblems} (scope, window order and length) in `merge`. Not strict: key attributes, `expiresAt` and
 * the writer's own attributes (createdBy, state, …) are dropped; `accounts` is ignored (the row's `account` rules).
 */
export const approvalItemSchema = z.lazy(() =>
  z.object({ ...approvalFields, account: z.union([accountIdSchema, z.literal('*')]) }).omit({ accounts: true }),
);

/** The item written for one account of an approval. */
export function approvalItem(
  approval: Approval,
  account: string,
  meta: { createdAt?: string; createdBy?: string } = {},
): Record<string, unknown> {
  const { source: _source, accounts: _accounts, ...fields } = approval;
  return {
    pk: `APPROVAL#${approval.ticket}`,
    sk: `ACCOUNT#${account}`,
    account,
    ...fields,
    ...meta,
    expiresAt: Math.floor(Date.parse(approval.windowEnd) / 1000) + 30 * 86_400,
  };
}

/**
 * The CreateTable input for the approvals table, from {@link APPROVALS_TABLE} (as the deploy stack's); `indexName`
 * for a table whose GSI has another name (config `approvals.dynamodb.indexName`).
 */
export function approvalsTableDefinition(tableName: string, indexName: string = APPROVALS_INDEX) {
  return createTableInput(
    { ...APPROVALS_TABLE, indexes: { [indexName]: APPROVALS_TABLE.indexes[APPROVALS_INDEX] } },
    tableName,
  );
}
