import { sdk } from '../../platform/aws/sdk.ts';
import * as z from 'zod';
import type { DigestNotice, Notice } from '../../model/notice.ts';
import { awsDeliveryError } from './aws-error.ts';
import type { SinkDeps } from './deps.ts';
import { buildChangeRecord } from './format/change-record.ts';
import { ocsfEvents } from './format/ocsf.ts';
import { noticeKey } from './format/digest.ts';
import type { Sink } from './sink.ts';

/**
 * S3 audit archive: change records as JSON Lines under Hive-style partitions of the *finding's* time
 * (`year=/month=/day=/hour=`), so Athena / Glue can query "all findings of March" with partition pruning, and a
 * replayed old event lands in its own hour, not in today's.
 * Key: `<prefix>/year=YYYY/month=MM/day=DD/hour=HH/<fingerprint>-<epochms>.jsonl`.
 * Unbatched (default) writes one object per notice — durable when `deliver` resolves. With `batch: true` records are
 * buffered and written on `close()` (or every `maxBatch`), one object per partition named after its first fingerprint:
 * fewer PUTs for replays, but the caller must call `close()`.
 * @see https://docs.aws.amazon.com/athena/latest/ug/partitions.html
 */
export const s3SettingsSchema = z.strictObject({
  type: z.literal('s3'),
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name'),
  prefix: z
    .string()
    .default('netwatch/findings')
    .transform((p) => p.replace(/^\/+|\/+$/g, '')),
  batch: z.boolean().default(false),
  maxBatch: z.number().int().min(1).max(10_000).default(500),
  /**
   * `change-record` (default): one change record per line. `ocsf`: OCSF 1.1.0 events (a Detection Finding per
   * finding, an API Activity per CloudTrail change; shared/6-deliver/sinks/format/ocsf.ts) under Security Lake's
   * partition layout `region=<region>/accountId=<account>/eventDay=<YYYYMMDD>/`.
   */
  format: z.enum(['change-record', 'ocsf']).default('change-record'),
});

export type S3Settings = z.output<typeof s3SettingsSchema>;

const pad = (n: number) => String(n).padStart(2, '0');

/** Partition path of a time (UTC). */
export function partitionOf(at: Date): string {
  return `year=${at.getUTCFullYear()}/month=${pad(at.getUTCMonth() + 1)}/day=${pad(at.getUTCDate())}/hour=${pad(at.getUTCHours())}`;
}

/** The object key for a notice written at `now`. An unparseable finding time falls back to `now`. */
export function archiveKey(
  prefix: string,
  notice: Notice | DigestNotice,
  now: Date,
  format: S3Settings['format'] = 'change-record',
): string {
  const parsed = new Date(notice.kind === 'finding' ? notice.finding.at : notice.windowStart);
  const at = Number.isNaN(parsed.getTime()) ? now : parsed;
  const base = prefix ? `${prefix}/` : '';
  if (format === 'ocsf') {
    // Security Lake's custom-source layout: region, account, day of the event.
    // https://docs.aws.amazon.com/security-lake/latest/userguide/custom-sources.html
    const region = notice.kind === 'finding' ? notice.finding.region : (notice.findings[0]?.region ?? 'unknown');
    const day = `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}`;
    return `${base}region=${region}/accountId=${notice.kind === 'finding' ? notice.finding.account : notice.account}/eventDay=${day}/${noticeKey(notice)}-${now.getTime()}.ocsf.jsonl`;
  }
  return `${base}${partitionOf(at)}/${noticeKey(notice)}-${now.getTime()}.jsonl`;
}

export class S3Sink implements Sink {
  readonly kind = 's3';
  /** Batched lines by partition directory → { first key, lines }. */
  private pending = new Map<string, { key: string; lines: string[] }>();
  private count = 0;
  constructor(
    readonly name: string,
    private readonly settings: S3Settings,
    private readonly deps: Pick<SinkDeps, 'clients' | 'now'>,
  ) {}

  async deliver(notice: Notice | DigestNotice): Promise<void> {
    const now = (this.deps.now ?? (() => new Date()))();
    const line =
      this.settings.format === 'ocsf'
        ? ocsfEvents(notice)
            .map((e) => JSON.stringify(e))
            .join('\n')
        : JSON.stringify(buildChangeRecord(notice, now));
    const key = archiveKey(this.settings.prefix, notice, now, this.settings.format);
    if (!this.settings.batch) {
      await this.put(key, `${line}\n`);
      return;
    }
    const dir = key.slice(0, key.lastIndexOf('/'));
    const group = this.pending.get(dir) ?? { key, lines: [] };
    group.lines.push(line);
    this.pending.set(dir, group);
    if (++this.count >= this.settings.maxBatch) await this.flush();
  }

  async close(): Promise<void> {
    await this.flush();
  }

  private async flush(): Promise<void> {
    const groups = [...this.pending.values()];
    this.pending = new Map();
    this.count = 0;
    for (const group of groups) await this.put(group.key, `${group.lines.join('\n')}\n`);
  }

  private async put(key: string, body: string): Promise<void> {
    try {
      await this.deps.clients.s3.send(
        new (sdk.s3().PutObjectCommand)({
          Bucket: this.settings.bucket,
          Key: key,
          Body: body,
          ContentType: 'application/x-ndjson',
        }),
      );
    } catch (cause) {
      throw awsDeliveryError(this.name, `S3 PutObject s3://${this.settings.bucket}/${key}`, cause);
    }
  }
}

export function createS3Sink(name: string, settings: S3Settings, deps: SinkDeps): S3Sink {
  return new S3Sink(name, settings, deps);
}
