import type { DigestNotice, Notice } from '../../model/notice.ts';

/**
 * One delivery target. Each sink does its own formatting; the engine hands it notices (a finding plus its approval
 * verdict and routes). `deliver` either resolves (delivered) or throws a {@link DeliveryError}: the record then fails
 * and is retried, so nothing is dropped silently.
 */
export interface Sink {
  /** Instance name routes refer to (`paging`, `change-log`, …). */
  readonly name: string;
  /** Adapter kind (`file`, `stdout`, `sns`, …). */
  readonly kind: string;
  /**
   * Tickets and incidents this sink opens are closed by the exposure's close (PagerDuty incidents, ServiceNow / Jira
   * tickets, Security Hub findings): the ledger remembers which episodes it heard about, and the episode's close
   * reaches it whatever its routes match (shared/6-deliver/orchestrate.ts).
   */
  readonly resolvesEpisodes?: boolean;
  deliver(notice: Notice | DigestNotice): Promise<void>;
  /** Flush buffered output (file sinks). */
  close?(): Promise<void>;
}
