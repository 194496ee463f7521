import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from './types.js';

const HIGHEST_US = 60_000_000;

/** Latencies recorded in microseconds (1 µs .. 60 s, 3 significant digits), summarised in ms. */
export class LatencyRecorder {
  private readonly h = hdr.build({
    bitBucketSize: 32,
    autoResize: false,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
  });

  /** Records one latency given in milliseconds (clamped into the trackable range). */
  recordMs(ms: number): void {
    const us = Math.round(ms * 1000);
    this.h.recordValue(us < 1 ? 1 : us > HIGHEST_US ? HIGHEST_US : us);
  }

  summary(): LatencySummary {
    const count = this.h.totalCount;
    if (count === 0) return { p50: 0, p90: 0, p99: 0, max: 0, mean: 0, count: 0 };
    const ms = (us: number) => Math.round(us) / 1000;
    return {
      p50: ms(this.h.getValueAtPercentile(50)),
      p90: ms(this.h.getValueAtPercentile(90)),
      p99: ms(this.h.getValueAtPercentile(99)),
      max: ms(this.h.maxValue),
      mean: ms(this.h.mean),
      count,
    };
  }
}
