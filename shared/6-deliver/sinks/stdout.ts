import * as z from 'zod';
import type { DigestNotice, Notice } from '../../model/notice.ts';
import type { SinkDeps } from './deps.ts';
import { buildChangeRecord } from './format/change-record.ts';
import { noticeKey } from './format/digest.ts';
import { headline, noticeSummary } from './format/headline.ts';
import type { Sink } from './sink.ts';

/**
 * Standard output: one line per notice. `json` writes the change record (pipe it to `jq`, or let CloudWatch Logs
 * index it in Lambda); `text` writes one human line for a terminal.
 */
export const stdoutSettingsSchema = z.strictObject({
  type: z.literal('stdout'),
  format: z.enum(['json', 'text']).default('json'),
});

export type StdoutSettings = z.output<typeof stdoutSettingsSchema>;

/** `[HIGH] title: sg-… (acct/region) — summary [UNAPPROVED] fp …`. */
export function textLine(notice: Notice | DigestNotice): string {
  const approval = notice.kind === 'finding' ? ` [${notice.approval.state.toUpperCase()}]` : '';
  const summary = notice.kind === 'finding' ? ` — ${noticeSummary(notice)}` : '';
  return `${headline(notice)}${summary}${approval} ${noticeKey(notice)}`.replace(/[\r\n]+/g, ' ');
}

export class StdoutSink implements Sink {
  readonly kind = 'stdout';
  constructor(
    readonly name: string,
    private readonly settings: StdoutSettings,
    private readonly deps: Pick<SinkDeps, 'stdout' | 'now'> = {},
  ) {}

  async deliver(notice: Notice | DigestNotice): Promise<void> {
    const out = this.deps.stdout ?? process.stdout;
    const line =
      this.settings.format === 'text'
        ? textLine(notice)
        : JSON.stringify(buildChangeRecord(notice, (this.deps.now ?? (() => new Date()))()));
    out.write(`${line}\n`);
  }
}

export function createStdoutSink(name: string, settings: StdoutSettings, deps: SinkDeps): StdoutSink {
  return new StdoutSink(name, settings, deps);
}
