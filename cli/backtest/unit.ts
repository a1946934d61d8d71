import { createReadStream } from 'node:fs';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ByteChunks } from '../../shared/1-ingest/envelope/decode-stream.ts';

/**
 * One piece of backtest input, described as plain data so it can be posted to a worker thread and opened there:
 * a local file, or an S3 object. (LookupEvents history arrives as records, not files; see lookup-source.ts.)
 */
export type BacktestUnit =
  | { kind: 'file'; path: string; size: number }
  | { kind: 's3'; bucket: string; key: string; size: number };

/** The name a person reads in errors and in the report: the path, or `s3://bucket/key`. */
export function unitName(unit: BacktestUnit): string {
  return unit.kind === 'file' ? unit.path : `s3://${unit.bucket}/${unit.key}`;
}

/**
 * An S3 client for backtests. `AWS_ENDPOINT_URL_S3` points it at an emulator (tests use fauxqs), with path-style
 * addressing since emulators rarely resolve `bucket.host` names. The SDK is loaded only when S3 is used, so local
 * backtests (and each worker thread) start without it.
 */
export async function backtestS3Client(): Promise<S3Client> {
  const { S3Client } = await import('@aws-sdk/client-s3');
  const endpoint = process.env['AWS_ENDPOINT_URL_S3'];
  return new S3Client(endpoint ? { endpoint, forcePathStyle: true } : {});
}

let s3: S3Client | undefined;

/** Open a unit as a byte stream: read in chunks, never whole, so gzip + line splitting stream through it. */
export async function openUnit(unit: BacktestUnit): Promise<ByteChunks> {
  if (unit.kind === 'file') return createReadStream(unit.path, { highWaterMark: 1 << 20 });
  s3 ??= await backtestS3Client();
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  const object = await s3.send(new GetObjectCommand({ Bucket: unit.bucket, Key: unit.key }));
  const body = object.Body as (ByteChunks & object) | undefined;
  if (body === undefined || !(Symbol.asyncIterator in body))
    throw new Error(`GetObject returned no readable body for s3://${unit.bucket}/${unit.key}`);
  return body;
}
