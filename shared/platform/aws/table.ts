/**
 * A DynamoDB table's shape, written once per table (next to the store that reads and writes it): the store's index
 * names, the tests' and the CLI's `CreateTable` input and the deploy stack's `AWS::DynamoDB::Table` all come from it,
 * so the key schema the code queries and the one CloudFormation creates cannot drift apart. Plain data: the deploy
 * stack imports it without loading the SDK.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-dynamodb-table.html
 */
export interface TableShape {
  /** Partition key and optional sort key of the table (string attributes). */
  key: KeyShape;
  /** Global secondary indexes by name (string keys, every attribute projected). */
  indexes?: Readonly<Record<string, KeyShape>>;
  /**
   * The attribute DynamoDB's time to live deletes items by (epoch seconds). The stack enables TTL on it; an item
   * without the attribute never expires.
   * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html
   */
  ttlAttribute?: string;
}

/** A key: partition (HASH) attribute and optional sort (RANGE) attribute, both strings. */
export interface KeyShape {
  partition: string;
  sort?: string;
}

/** The key part of a table definition, spelled as both CreateTable and CloudFormation spell it (same property names). */
export interface TableKeys {
  AttributeDefinitions: { AttributeName: string; AttributeType: 'S' }[];
  KeySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
  GlobalSecondaryIndexes?: {
    IndexName: string;
    KeySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
    Projection: { ProjectionType: 'ALL' };
  }[];
}

/** Attribute definitions (each key attribute once, table key first), key schema and GSIs of a table shape. */
export function tableKeys(shape: TableShape): TableKeys {
  const keySchema = (key: KeyShape): TableKeys['KeySchema'] => [
    { AttributeName: key.partition, KeyType: 'HASH' },
    ...(key.sort !== undefined ? [{ AttributeName: key.sort, KeyType: 'RANGE' as const }] : []),
  ];
  const indexes = Object.entries(shape.indexes ?? {});
  const attributes = [shape.key, ...indexes.map(([, key]) => key)].flatMap((k) =>
    k.sort !== undefined ? [k.partition, k.sort] : [k.partition],
  );
  return {
    AttributeDefinitions: [...new Set(attributes)].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
    KeySchema: keySchema(shape.key),
    ...(indexes.length > 0
      ? {
          GlobalSecondaryIndexes: indexes.map(([IndexName, key]) => ({
            IndexName,
            KeySchema: keySchema(key),
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
  };
}

/** The CreateTable input of an on-demand table of this shape (tests, dynalite, local tables). */
export function createTableInput(
  shape: TableShape,
  tableName: string,
): TableKeys & {
  TableName: string;
  BillingMode: 'PAY_PER_REQUEST';
} {
  return { TableName: tableName, BillingMode: 'PAY_PER_REQUEST', ...tableKeys(shape) };
}
