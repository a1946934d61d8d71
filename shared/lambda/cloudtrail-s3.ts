import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { sdk } from '../platform/aws/sdk.ts';
import type { SQSRecord } from 'aws-lambda';
import type { ApprovalSource } from '../5-decide/approvals/model.ts';
import { deliverFindings } from '../6-deliver/orchestrate.ts';
import { decodeText, isGzip } from '../1-ingest/envelope/decode.ts';
import { parseDeliveryNotice } from '../1-ingest/envelope/cloudtrail-delivery.ts';
import {
  classifyValueAsync,
  emptyClassified,
  judgeInOrder,
  mergeClassified,
  type Classified,
} from '../4-classify/classify.ts';
import type { PipelineDeps, RecordResult } from './process-record.ts';
import { MalformedInputError } from '../platform/errors.ts';

/**
 * Org-trail S3 mode: an SQS record holds CloudTrail's delivery notification; each named log object is streamed from
 * S3 (gunzipped while it downloads, size-capped), and its `{"Records":[…]}` goes through the same classify + delivery
 * path as EventBridge events. A missing object, access denied, a damaged file or a failed sink fails the SQS record,
 * so SQS retries and finally dead-letters it; a retry re-sends only what the delivery ledger has not recorded.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 */

/** Largest decompressed log object read (CloudTrail files are a few MB; this bounds memory on a hostile object). */
export const MAX_LOG_BYTES = 256 * 1024 * 1024;

/** What the S3 reader needs besides the pipeline. */
export interface S3LogDeps extends PipelineDeps {
  s3: S3Client;
  maxLogBytes?: number;
}

/** Process one SQS record of the CloudTrail-S3 queue. */
export async function processCloudTrailDeliveryRecord(
  record: SQSRecord,
  deps: S3LogDeps,
  approvals: ApprovalSource = deps.approvals,
): Promise<RecordResult> {
  const notice = parseDeliveryNotice(record.body, { file: `sqs:${record.messageId}` });
  const classified = emptyClassified();
  if (notice.kind === 'ignored') {
    classified.ignored.push({ reason: notice.reason, where: { file: `sqs:${record.messageId}` } });
    return { classified, outcomes: [] };
  }
  // With kept state, the files' changes are judged together in event-time order once all are read.
  const reading: S3LogDeps = deps.state !== undefined ? { ...deps, defer: true } : deps;
  for (const delivery of notice.deliveries) {
    for (const key of delivery.keys)
      mergeClassified(classified, await classifyLogObject(reading, delivery.bucket, key));
  }
  if (deps.state !== undefined) await judgeInOrder(classified.pending, deps, classified);
  const outcomes = await deliverFindings(classified.findings, approvals, deps.delivery);
  const failures = [...classified.errors, ...outcomes.flatMap((o) => o.failed)];
  if (failures.length > 0) throw new AggregateError(failures, failures.map((f) => f.describe()).join('; '));
  return { classified, outcomes };
}

/** Stream one log object and classify every value in it (`s3://bucket/key` names the input in errors). */
export async function classifyLogObject(deps: S3LogDeps, bucket: string, key: string): Promise<Classified> {
  const file = `s3://${bucket}/${key}`;
  const text = await readLogObject(deps.s3, bucket, key, deps.maxLogBytes ?? MAX_LOG_BYTES);
  const result = emptyClassified();
  for (const decoded of decodeText(text, file)) {
    if (decoded.kind === 'error') result.errors.push(decoded.error);
    // With enrichment on (NETWATCH_ENRICH), as in EventBridge mode: an internet gateway attached to an internal-only
    // VPC is graded by the VPC's tags whichever way the CloudTrail record arrived.
    else
      mergeClassified(
        result,
        await classifyValueAsync(
          decoded.value,
          { file, ...(decoded.line !== undefined ? { line: decoded.line } : {}) },
          deps,
        ),
      );
  }
  return result;
}

/**
 * GetObject and read the body as text, gunzipping when it starts with the gzip magic bytes (CloudTrail writes
 * `.json.gz`; detection by content, as everywhere in Netwatch). Fails past `limit` decompressed bytes.
 */
export async function readLogObject(s3: S3Client, bucket: string, key: string, limit: number): Promise<string> {
  const file = `s3://${bucket}/${key}`;
  const out = await s3.send(new (sdk.s3().GetObjectCommand)({ Bucket: bucket, Key: key }));
  const body = out.Body;
  if (!(body instanceof Readable)) throw new MalformedInputError('S3 GetObject returned no readable body', { file });
  const iterator = (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const head = await iterator.next();
  if (head.done) return '';
  const chunks = (async function* () {
    yield head.value;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  })();
  const collected: Buffer[] = [];
  let size = 0;
  const collect = async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) {
      size += chunk.length;
      if (size > limit) throw new MalformedInputError(`log object larger than ${limit} bytes decompressed`, { file });
      collected.push(chunk);
    }
  };
  try {
    if (isGzip(head.value)) await pipeline(Readable.from(chunks), createGunzip(), collect);
    else await pipeline(Readable.from(chunks), collect);
  } catch (cause) {
    if (cause instanceof MalformedInputError) throw cause;
    throw new MalformedInputError(`could not read log object: ${(cause as Error).message}`, { file }, { cause });
  }
  return Buffer.concat(collected).toString('utf8');
}
