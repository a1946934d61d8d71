import type { Finding } from '../../model/finding.ts';
import type { DigestNotice, Notice } from '../../model/notice.ts';
import type { Sink } from './sink.ts';
import * as z from 'zod';

/** `type: memory` — keeps notices in the process (tests, dry runs); nothing leaves the machine. */
export const memorySettingsSchema = z.strictObject({ type: z.literal('memory') });

/** Keeps delivered notices in memory: for tests and dry runs. */
export class MemorySink implements Sink {
  readonly kind = 'memory';
  readonly notices: Array<Notice | DigestNotice> = [];
  constructor(readonly name: string) {}
  async deliver(notice: Notice | DigestNotice): Promise<void> {
    this.notices.push(notice);
  }
  /** The findings of the single-finding notices delivered so far (traffic follow-ups not included). */
  get delivered(): Finding[] {
    return this.notices.flatMap((n) => (n.kind === 'finding' && !n.traffic ? [n.finding] : []));
  }
  /** Traffic follow-ups delivered so far. */
  get followUps(): Notice[] {
    return this.notices.flatMap((n) => (n.kind === 'finding' && n.traffic ? [n] : []));
  }
}
