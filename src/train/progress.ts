/** Formats seconds as Keras does in its ETA: 1:02:03, 2:03 or 5s. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h}:${String(m).padStart(2, "0")}:${String(r).padStart(2, "0")}`;
  if (m > 0) return `${m}:${String(r).padStart(2, "0")}`;
  return `${r}s`;
}

/**
 * One epoch's progress: a redrawn bar on a terminal, and plain lines every few seconds when the
 * output is a file or a pipe (so logs stay readable).
 */
export class EpochProgress {
  private readonly total: number;
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private readonly started = performance.now();
  private lastPlain = 0;

  constructor(total: number, stream: NodeJS.WriteStream = process.stdout) {
    this.total = total;
    this.stream = stream;
    this.tty = Boolean(stream.isTTY);
  }

  private metrics = "";

  private line(done: number): string {
    const elapsed = (performance.now() - this.started) / 1000;
    const width = 30;
    const filled = Math.min(width, Math.floor((done / this.total) * width));
    const bar = `${"=".repeat(Math.max(0, filled - 1))}${filled > 0 ? (done >= this.total ? "=" : ">") : ""}`;
    const eta = done > 0 ? (elapsed / done) * (this.total - done) : Number.NaN;
    const digits = String(this.total).length;
    const time =
      done >= this.total
        ? formatDuration(elapsed)
        : `ETA: ${Number.isFinite(eta) ? formatDuration(eta) : "?"}`;
    return `${String(done).padStart(digits)}/${this.total} [${bar.padEnd(width, ".")}] - ${time}${this.metrics}`;
  }

  update(done: number, loss?: number, acc?: number): void {
    if (loss !== undefined && Number.isFinite(loss) && acc !== undefined) {
      this.metrics = ` - loss: ${loss.toFixed(4)} - acc: ${acc.toFixed(4)}`;
    }
    if (this.tty) {
      this.stream.write(`\r${this.line(done)}\u001b[K`);
    } else if (performance.now() - this.lastPlain > 5000 && done < this.total) {
      this.lastPlain = performance.now();
      this.stream.write(`${this.line(done)}\n`);
    }
  }

  /** Ends the bar; the epoch's summary line follows on its own line. */
  finish(): void {
    if (this.tty) this.stream.write(`\r${this.line(this.total)}\u001b[K\n`);
  }
}
