import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sdk } from './sdk.ts';

/**
 * The DynamoDB document client all stores share. `AWS_ENDPOINT_URL_DYNAMODB` (the SDK's service-specific endpoint
 * variable) points it at dynalite in tests and at a local endpoint from the CLI; `removeUndefinedValues` lets items
 * carry optional fields without stripping them by hand.
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
export function documentClient(endpoint = process.env['AWS_ENDPOINT_URL_DYNAMODB']): DynamoDBDocumentClient {
  const client = new (sdk.dynamodb().DynamoDBClient)(endpoint ? { endpoint } : {});
  return sdk
    .dynamodbDocument()
    .DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * {@link documentClient}, built on first use. A Lambda function's stores are built at cold start, but loading the
 * DynamoDB client and document client (the SDK the Lambda runtime provides, read from its node_modules) costs more than
 * the rest of the cold start together; a batch that yields no finding never touches the ledger. The proxy creates the
 * real client the first time any member is read, then forwards everything to it (methods bound to it).
 */
export function lazyDocumentClient(
  create: () => DynamoDBDocumentClient = () => documentClient(),
): DynamoDBDocumentClient {
  let real: DynamoDBDocumentClient | undefined;
  return new Proxy({} as DynamoDBDocumentClient, {
    get(_target, property) {
      real ??= create();
      const value: unknown = Reflect.get(real, property, real);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(real) : value;
    },
  });
}

/** One page of a Query or Scan: its items and where the next page starts. */
export interface ItemPage {
  Items?: Record<string, unknown>[];
  LastEvaluatedKey?: Record<string, unknown>;
}

/**
 * Every item of a paginated Query or Scan: `page(start)` sends the request with `ExclusiveStartKey: start`, and pages
 * are read until DynamoDB returns no `LastEvaluatedKey` (a page stops at 1 MB, so one request may not hold them all).
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html
 */
export async function allItems(
  page: (start: Record<string, unknown> | undefined) => Promise<ItemPage>,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const next = await page(start);
    items.push(...(next.Items ?? []));
    start = next.LastEvaluatedKey;
  } while (start);
  return items;
}

/** True for the error DynamoDB returns when a ConditionExpression is false (the write did not happen). */
export function isConditionFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * Whether a conditional write happened: resolves true when DynamoDB applied it, false when its ConditionExpression
 * was false (another writer got there first); any other error is thrown.
 */
export async function wroteIf(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}
