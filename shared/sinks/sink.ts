import type { Finding } from '../model/finding.ts';

/**
 * One delivery target. Each sink does its own formatting; the engine only hands it findings. `deliver` either
 * resolves (delivered) or throws a {@link DeliveryError} (the record fails and is retried; nothing is dropped).
 */
export interface Sink {
  /** Instance name routes refer to (`paging`, `change-log`, …). */
  readonly name: string;
  /** Adapter kind (`file`, `stdout`, `sns`, …). */
  readonly kind: string;
  deliver(finding: Finding): Promise<void>;
  /** Flush buffered output (file sinks). */
  close?(): Promise<void>;
}
