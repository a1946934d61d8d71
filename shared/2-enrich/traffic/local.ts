import { headerFields, isHeaderLine, parseFlowLogRecord } from '../../1-ingest/flow-logs/record.ts';
import { type FlowLogFormat, formatFromFields } from '../../1-ingest/flow-logs/format.ts';
import { MalformedInputError } from '../../platform/errors.ts';
import type { TrafficEvidence } from '../../model/traffic.ts';
import { matchesScope, type TrafficScope } from './scope.ts';
import { type FlowRow, summarizeRows } from './summarize.ts';

/**
 * Traffic evidence from flow-log files, offline (`netwatch evidence --files`): the records are parsed in their format
 * and aggregated into the same rows the Logs Insights query returns (source, protocol, port, action → flows, packets,
 * bytes), so the evidence from files and from the deployed step read alike. Files as S3 delivery writes them start
 * with a header line naming the fields: that header picks the format of its file; otherwise the given format applies.
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3.html (log file format)
 */
export class FlowRowAggregator {
  readonly #rows = new Map<string, FlowRow>();
  readonly #interfaces: ReadonlySet<string>;
  /** Records read / matching the scope / malformed lines. */
  records = 0;
  matched = 0;
  readonly errors: MalformedInputError[] = [];
  /** Interfaces seen in the files (when the scope names none, every interface counts). */
  readonly seenInterfaces = new Set<string>();

  constructor(
    readonly scope: TrafficScope,
    readonly format: FlowLogFormat,
  ) {
    this.#interfaces = new Set(scope.interfaces);
  }

  /** Feed the lines of one file (header lines switch the format for the rest of that file). */
  addLines(lines: Iterable<string>, file: string): void {
    let format = this.format;
    let n = 0;
    for (const line of lines) {
      n += 1;
      if (line.trim() === '') continue;
      const header = headerFields(line);
      if (header) {
        if (!isHeaderLine(line, format)) {
          try {
            format = formatFromFields(header);
          } catch (error) {
            this.errors.push(new MalformedInputError((error as Error).message, { file, line: n }, { cause: error }));
          }
        }
        continue;
      }
      this.addLine(line, format, file, n);
    }
  }

  /** One record line. */
  addLine(line: string, format: FlowLogFormat, file: string, lineNumber: number): void {
    let record: ReturnType<typeof parseFlowLogRecord>;
    try {
      record = parseFlowLogRecord(line, format, { file, line: lineNumber });
    } catch (error) {
      if (!(error instanceof MalformedInputError)) throw error;
      this.errors.push(error);
      return;
    }
    this.records += 1;
    if (record.interfaceId) this.seenInterfaces.add(record.interfaceId);
    const interfaces =
      this.#interfaces.size > 0
        ? this.#interfaces
        : record.interfaceId
          ? new Set([record.interfaceId])
          : this.#interfaces;
    if (!matchesScope(record, this.scope, interfaces)) return;
    if (!record.srcAddr || !record.action) return;
    this.matched += 1;
    const key = `${record.srcAddr} ${record.protocol ?? '-'} ${record.dstPort ?? '-'} ${record.action}`;
    const row = this.#rows.get(key) ?? {
      srcAddr: record.srcAddr,
      ...(record.protocol !== undefined ? { protocol: record.protocol } : {}),
      ...(record.dstPort !== undefined ? { dstPort: record.dstPort } : {}),
      action: record.action,
      flows: 0,
      packets: 0,
      bytes: 0,
    };
    row.flows += 1;
    row.packets += record.packets ?? 0;
    row.bytes += record.bytes ?? 0;
    this.#rows.set(key, row);
  }

  rows(): FlowRow[] {
    return [...this.#rows.values()];
  }

  /** The evidence over everything fed so far. */
  evidence(files: readonly string[], now: Date, notes: string[] = []): TrafficEvidence {
    const interfaces = this.scope.interfaces.length ? [...this.scope.interfaces] : [...this.seenInterfaces].sort();
    const allNotes = [...notes];
    if (this.scope.interfaces.length === 0)
      allNotes.push(`no interfaces named: every interface in the files counted (${interfaces.length})`);
    if (this.errors.length) allNotes.push(`${this.errors.length} malformed line(s) skipped`);
    const evidence = summarizeRows(this.rows(), {
      scope: { ...this.scope, interfaces },
      interfaceCount: interfaces.length,
      truncated: false,
      notes: allNotes,
      now,
    });
    evidence.query = {
      text: `local files (${this.records} records read, ${this.matched} matched)`,
      logGroups: [...files],
    };
    return evidence;
  }
}
