/**
 * A progress bar on stderr with records/s, shown only when stderr is a terminal and the input is large enough for a
 * person to wait on (so pipes, CI logs and tests stay clean).
 */
export class Progress {
  private records = 0;
  private bytesDone = 0;
  private lastDraw = 0;
  private readonly started = performance.now();
  private readonly enabled: boolean;

  constructor(
    private readonly totalBytes: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    minBytes = 1_000_000,
  ) {
    this.enabled = Boolean(stream.isTTY) && totalBytes >= minBytes;
  }

  /** Count records; redraw at most 10 times a second. */
  tick(records = 1): void {
    this.records += records;
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.draw(now);
  }

  /** A whole file finished: advance the byte position. */
  fileDone(bytes: number): void {
    this.bytesDone += bytes;
    if (this.enabled) this.draw(performance.now());
  }

  /** Part of a file read (streamed inputs): advance the byte position, which drives the percentage and ETA. */
  advance(bytes: number): void {
    this.bytesDone += bytes;
  }

  /** Records per second so far. */
  rate(): number {
    const seconds = (performance.now() - this.started) / 1000;
    return seconds > 0 ? this.records / seconds : 0;
  }

  /** Erase the bar. */
  done(): void {
    if (this.enabled) this.stream.write('\r\x1b[K');
  }

  private draw(now: number): void {
    const width = 30;
    const fraction = this.totalBytes > 0 ? Math.min(1, this.bytesDone / this.totalBytes) : 0;
    const filled = Math.round(fraction * width);
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(this.records / seconds) : 0;
    const eta = fraction > 0.01 && fraction < 1 ? ` ETA ${clock((seconds * (1 - fraction)) / fraction)}` : '';
    this.stream.write(
      `\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${Math.round(fraction * 100)}% ${this.records.toLocaleString('en-US')} records ${rate.toLocaleString('en-US')} records/s${eta}\x1b[K`,
    );
  }
}

/** `m:ss` (or `h:mm:ss`) for an ETA. */
function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}
