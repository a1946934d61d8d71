import { paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { wantedLogPath, type DayWindow } from './layout.ts';
import { backtestS3Client, type BacktestUnit } from './unit.ts';

/**
 * An S3 prefix as backtest input (`s3://trail-bucket/AWSLogs/111122223333/`): listed with ListObjectsV2 (paginated,
 * 1,000 keys a page), digest files and days outside the window dropped from the listing. Objects are fetched later,
 * streamed, by whichever worker takes them (bounded by the pool's concurrency).
 */

/** `s3://bucket/prefix` → bucket and prefix, or undefined for anything else. */
export function parseS3Url(url: string): { bucket: string; prefix: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  return m ? { bucket: m[1]!, prefix: m[2]! } : undefined;
}

/** List the log objects under an `s3://` URL. */
export async function s3Units(url: string, window: DayWindow = {}, s3?: S3Client): Promise<BacktestUnit[]> {
  const client = s3 ?? (await backtestS3Client());
  const where = parseS3Url(url);
  if (where === undefined) throw new Error(`not an S3 URL: ${url} (expected s3://bucket/prefix)`);
  const units: BacktestUnit[] = [];
  for await (const page of paginateListObjectsV2(
    { client, pageSize: 1000 },
    { Bucket: where.bucket, Prefix: where.prefix },
  )) {
    for (const object of page.Contents ?? []) {
      if (object.Key === undefined || object.Key.endsWith('/') || !wantedLogPath(`/${object.Key}`, window)) continue;
      units.push({ kind: 's3', bucket: where.bucket, key: object.Key, size: object.Size ?? 0 });
    }
  }
  return units;
}
