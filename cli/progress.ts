import type { Io } from './io.ts';

/**
 * Per-item progress on stderr. On a terminal, each item in flight has one line redrawn in place
 * and finished items scroll up above them (so the live region stays as small as the
 * concurrency, whatever the number of items); otherwise, plain lines: one when an item starts,
 * one when it ends.
 */
export interface ProgressBoard {
  /** An item starts (plain mode prints `line`). */
  start(key: string, line: string): void;
  /** An item's live line changed (terminal only). */
  update(key: string, line: string): void;
  /** An item is done: `line` is printed once, for good. */
  finish(key: string, line: string): void;
  /** Draws what is pending and stops redrawing. */
  close(): void;
}

export function progressBoard(io: Io, opts: { live?: boolean } = {}): ProgressBoard {
  const live = opts.live ?? (Boolean(io.errIsTty) && io.env.TERM !== 'dumb' && !io.env.CI);
  return live ? new LiveBoard(io) : new PlainBoard(io);
}

class PlainBoard implements ProgressBoard {
  constructor(private readonly io: Io) {}
  start(_key: string, line: string): void {
    this.io.err(`${line}\n`);
  }
  update(): void {}
  finish(_key: string, line: string): void {
    this.io.err(`${line}\n`);
  }
  close(): void {}
}

const CSI = '\u001b[';

export class LiveBoard implements ProgressBoard {
  private readonly active = new Map<string, string>();
  private finished: string[] = [];
  /** Lines of the live region currently on screen. */
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly io: Io,
    private readonly intervalMs = 80,
  ) {}

  start(key: string, line: string): void {
    this.active.set(key, line);
    this.schedule();
  }

  update(key: string, line: string): void {
    if (!this.active.has(key)) return;
    this.active.set(key, line);
    this.schedule();
  }

  finish(key: string, line: string): void {
    this.active.delete(key);
    this.finished.push(line);
    this.schedule();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.active.clear();
    this.render();
    this.closed = true;
  }

  private schedule(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.render();
    }, this.intervalMs);
    this.timer.unref?.();
  }

  /** Moves up over the live region, clears it, prints finished lines, then the live lines again. */
  render(): void {
    const columns = this.io.columns && this.io.columns >= 20 ? this.io.columns : 80;
    const width = columns - 1;
    const clip = (s: string) => (s.length > width ? `${s.slice(0, width - 1)}…` : s);
    let out = this.drawn > 0 ? `${CSI}${this.drawn}F${CSI}J` : '';
    for (const line of this.finished) out += `${line}\n`;
    for (const line of this.active.values()) out += `${clip(line)}\n`;
    this.finished = [];
    this.drawn = this.active.size;
    if (out) this.io.err(out);
  }
}

/** `[#######.....]` of `width` cells for `sent` of `total`. */
export function bar(sent: number, total: number, width = 20): string {
  const ratio = total > 0 ? Math.min(1, sent / total) : 1;
  const full = Math.round(ratio * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}]`;
}
