import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startFauxqs } from 'fauxqs';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanUnits } from '../../cli/backtest/pool.ts';
import { parseS3Url, s3Units } from '../../cli/backtest/s3-source.ts';
import { summarize } from '../../cli/backtest/summary.ts';
import { dayRecords } from './tree.ts';

type Server = Awaited<ReturnType<typeof startFauxqs>>;
let server: Server;
let previous: string | undefined;

beforeAll(async () => {
  server = await startFauxqs({ port: 0, logger: false });
  previous = process.env['AWS_ENDPOINT_URL_S3'];
  process.env['AWS_ENDPOINT_URL_S3'] = server.address;
  process.env['AWS_ACCESS_KEY_ID'] ??= 'test';
  process.env['AWS_SECRET_ACCESS_KEY'] ??= 'test';
  process.env['AWS_REGION'] ??= 'eu-west-1';
  server.createBucket('trail-bucket');
  const s3 = new S3Client({
    endpoint: server.address,
    forcePathStyle: true,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  // 1,005 keys: more than one ListObjectsV2 page. Five hold records; the rest are digests and other days.
  const base = 'org/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11';
  for (let i = 0; i < 5; i++) {
    await s3.send(
      new PutObjectCommand({
        Bucket: 'trail-bucket',
        Key: `${base}/0${2 + (i % 2)}/log-${i}.json.gz`,
        Body: gzipSync(
          JSON.stringify({
            Records: dayRecords(`2026-11-0${2 + (i % 2)}`).map((r) => ({
              ...r,
              eventID: `${String(r['eventID'])}-${i}`,
            })),
          }),
        ),
      }),
    );
  }
  await Promise.all(
    Array.from({ length: 1000 }, (_, i) =>
      s3.send(
        new PutObjectCommand({
          Bucket: 'trail-bucket',
          Key: `org/AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/11/02/d-${String(i).padStart(4, '0')}.json.gz`,
          Body: gzipSync('{}'),
        }),
      ),
    ),
  );
}, 60_000);

afterAll(async () => {
  if (previous === undefined) delete process.env['AWS_ENDPOINT_URL_S3'];
  else process.env['AWS_ENDPOINT_URL_S3'] = previous;
  await server?.stop();
});

describe('S3 source (fauxqs)', () => {
  it('parses s3:// URLs', () => {
    expect(parseS3Url('s3://b/AWSLogs/1/')).toEqual({ bucket: 'b', prefix: 'AWSLogs/1/' });
    expect(parseS3Url('s3://b')).toEqual({ bucket: 'b', prefix: '' });
    expect(parseS3Url('/tmp/x')).toBeUndefined();
  });

  it('lists a prefix across pages, without digests, and streams each object through the classifier', async () => {
    const units = await s3Units('s3://trail-bucket/org/AWSLogs/');
    expect(units.map((u) => (u.kind === 's3' ? u.key.split('/').pop() : '')).sort()).toEqual([
      'log-0.json.gz',
      'log-1.json.gz',
      'log-2.json.gz',
      'log-3.json.gz',
      'log-4.json.gz',
    ]);
    const scan = await scanUnits(units, { workers: 1, perWorker: 3 });
    expect(scan.errors).toEqual([]);
    expect(scan.records).toBe(5 * 22);
    const summary = summarize(scan, { sources: ['s3://trail-bucket/org/AWSLogs/'], seconds: 1, interrupted: false });
    expect(summary.totals).toMatchObject({ findings: 10, pages: 10 });
    const window = await s3Units('s3://trail-bucket/org/AWSLogs/', { from: '2026-11-03' });
    expect(window).toHaveLength(2);
  });

  it('reports a missing object as an error of that object', async () => {
    const scan = await scanUnits([{ kind: 's3', bucket: 'trail-bucket', key: 'nope.json.gz', size: 1 }], {
      workers: 1,
    });
    expect(scan.errors[0]).toMatch(/^s3:\/\/trail-bucket\/nope\.json\.gz: cannot read input/);
  });
});
