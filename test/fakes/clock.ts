// The suite's one fake clock. Unit tests use it frozen (`new FakeClock()`, a fixed instant, moves only when
// told); tests of the running app use it ticking (`FakeClock.ticking()`, real time plus whatever the test
// advanced), because PostgreSQL's now() and the network keep real time alongside it.
import type { Clock } from '../../backend/src/domain/ports';

export class FakeClock implements Clock {
  private ms: number;

  /** Frozen at `start` until set or advanced. */
  constructor(
    start: Date | string | number = '2026-01-01T00:00:00.000Z',
    private readonly ticks = false,
  ) {
    this.ms = ticks ? 0 : new Date(start).getTime();
  }

  /** Follows real time, shifted by every advance(). */
  static ticking(): FakeClock {
    return new FakeClock(0, true);
  }

  now(): Date {
    return new Date(this.ticks ? Date.now() + this.ms : this.ms);
  }

  /** Jumps to `to` (a ticking clock keeps ticking from there). */
  set(to: Date | string | number): void {
    this.ms = new Date(to).getTime() - (this.ticks ? Date.now() : 0);
  }

  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }

  advanceMs(ms: number): void {
    this.ms += ms;
  }
}
