import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DescribeTableCommand, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { documentClient } from '../../shared/platform/aws/dynamodb.ts';

/** Dummy credentials and region: dynalite accepts any signature, the SDK needs something to sign with. */
export function dummyAwsEnv(): void {
  process.env['AWS_ACCESS_KEY_ID'] ??= 'AKIAIOSFODNN7EXAMPLE';
  process.env['AWS_SECRET_ACCESS_KEY'] ??= 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  process.env['AWS_REGION'] ??= 'eu-west-1';
}

/** An in-process DynamoDB (dynalite, in memory) on 127.0.0.1 and a random port. */
export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBDocumentClient;
  createTable(input: CreateTableCommandInput): Promise<void>;
  close(): Promise<void>;
}

export async function startDynalite(): Promise<LocalDynamo> {
  dummyAwsEnv();
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = documentClient(endpoint);
  return {
    endpoint,
    client,
    async createTable(input) {
      await client.send(new CreateTableCommand(input));
      for (let i = 0; i < 50; i += 1) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: input.TableName }));
        if (Table?.TableStatus === 'ACTIVE') return;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`table ${input.TableName} did not become ACTIVE`);
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
