import type { Finding } from '../model/finding.ts';
import type { Sink } from './sink.ts';

/** Keeps delivered findings in memory: for tests and dry runs. */
export class MemorySink implements Sink {
  readonly kind = 'memory';
  readonly delivered: Finding[] = [];
  constructor(readonly name: string) {}
  async deliver(finding: Finding): Promise<void> {
    this.delivered.push(finding);
  }
}
