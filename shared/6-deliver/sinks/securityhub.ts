import * as z from 'zod';
import { sdk } from '../../platform/aws/sdk.ts';
import { TokenBuckets } from '../../platform/aws/rate-limit.ts';
import { accountIdSchema } from '../../model/fields.ts';
import { DeliveryError } from '../../platform/errors.ts';
import type { DigestNotice, Notice } from '../../model/notice.ts';
import { awsDeliveryError } from './aws-error.ts';
import type { SinkDeps } from './deps.ts';
import { asffFindings, defaultProductArn, partitionOf } from './format/asff.ts';
import { utf8Bytes } from './format/truncate.ts';
import type { Sink } from './sink.ts';

/**
 * Security Hub sink: `BatchImportFindings` in ASFF (shared/6-deliver/sinks/format/asff.ts) as a custom integration —
 * the calling account's default product. Findings are imported for the calling account (`accountId`): Security Hub
 * accepts a default-product finding only for the account that sends it, so in an organization the finding's own
 * account is in its resource ARN and `ProductFields`, and Security Hub's cross-account aggregation is done by the
 * administrator account, not by the import.
 *
 * Limits respected: at most 100 findings per request and 240 KB per finding (a finding over it is refused here, with
 * a clear error, instead of by the API), a token bucket of 10 requests per second with a burst of 30 per sink, and
 * BatchImportFindings' partial failures (`FailedCount` in a *successful* response) turned into a failed delivery.
 * @see https://docs.aws.amazon.com/securityhub/latest/partnerguide/guidelines-batchimportfindings.html
 */
export const securityHubSettingsSchema = z.strictObject({
  type: z.literal('securityhub'),
  /** The account the functions run in: BatchImportFindings' caller and every finding's `AwsAccountId`. */
  accountId: accountIdSchema,
  /** The Region Security Hub is called in (default: the function's own, `AWS_REGION`). */
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'an AWS region')
    .optional(),
  companyName: z.string().min(1).max(128).default('Netwatch'),
  productName: z.string().min(1).max(128).default('Netwatch'),
});

export type SecurityHubSettings = z.output<typeof securityHubSettingsSchema>;

/** Per request and per finding. */
export const SECURITY_HUB_BATCH = 100;
export const SECURITY_HUB_FINDING_BYTES = 240 * 1024;

/** One bucket per process and account: every sink instance shares Security Hub's per-account rate. */
const buckets = new TokenBuckets(10, { burst: 30 });

export class SecurityHubSink implements Sink {
  readonly kind = 'securityhub';
  readonly resolvesEpisodes = true;

  constructor(
    readonly name: string,
    private readonly settings: SecurityHubSettings,
    private readonly deps: Pick<SinkDeps, 'clients'> & { buckets?: TokenBuckets },
  ) {}

  async #region(): Promise<string> {
    if (this.settings.region) return this.settings.region;
    const client = this.deps.clients.securityHub;
    return typeof client.config.region === 'function' ? await client.config.region() : String(client.config.region);
  }

  async deliver(notice: Notice | DigestNotice): Promise<void> {
    const region = await this.#region();
    const findings = asffFindings(notice, {
      accountId: this.settings.accountId,
      region,
      productArn: defaultProductArn(partitionOf(region), region, this.settings.accountId),
      companyName: this.settings.companyName,
      productName: this.settings.productName,
    });
    for (const f of findings) {
      const size = utf8Bytes(JSON.stringify(f));
      if (size > SECURITY_HUB_FINDING_BYTES)
        throw new DeliveryError(this.name, `finding ${String(f['Id'])} is ${size} bytes, over Security Hub's 240 KB`, {
          retryable: false,
        });
    }
    for (let i = 0; i < findings.length; i += SECURITY_HUB_BATCH)
      await this.#import(findings.slice(i, i + SECURITY_HUB_BATCH));
  }

  async #import(batch: Record<string, unknown>[]): Promise<void> {
    await (this.deps.buckets ?? buckets).take(this.settings.accountId);
    let out: { FailedCount?: number; FailedFindings?: { Id?: string; ErrorCode?: string; ErrorMessage?: string }[] };
    try {
      out = await this.deps.clients.securityHub.send(
        new (sdk.securityHub().BatchImportFindingsCommand)({ Findings: batch as never }),
      );
    } catch (cause) {
      throw awsDeliveryError(this.name, 'Security Hub BatchImportFindings', cause);
    }
    if ((out.FailedCount ?? 0) > 0) {
      const failed = out.FailedFindings ?? [];
      throw new DeliveryError(
        this.name,
        `Security Hub refused ${out.FailedCount} of ${batch.length} finding(s): ${failed
          .slice(0, 3)
          .map((f) => `${f.Id}: ${f.ErrorCode} ${f.ErrorMessage}`)
          .join('; ')}`,
        // Throttling and internal errors per finding are worth a retry; validation errors are not.
        { retryable: failed.some((f) => /throttl|internal/i.test(String(f.ErrorCode))) },
      );
    }
  }
}

export function createSecurityHubSink(name: string, settings: SecurityHubSettings, deps: SinkDeps): SecurityHubSink {
  return new SecurityHubSink(name, settings, deps);
}
