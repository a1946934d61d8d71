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
  return sdk.dynamodbDocument().DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** True for the error DynamoDB returns when a ConditionExpression is false (the write did not happen). */
export function isConditionFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
