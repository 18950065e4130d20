// The request-latency histogram, counted here and served through prom-client's registry in prom-client's own
// histogram format. prom-client's observe() copies, validates and hashes the label set on every call, even on a
// child from labels(), a visible share of a session-list request (docs/performance.md, "Figures cited by the
// code"). Here each label
// set (method, route, status) owns its bucket counts, found through nested Maps of constant strings, and an
// observation is a short loop over the bounds. test/unit/route-latency.test.ts holds the exposition to
// prom-client's Histogram for the same observations.
import { Histogram, type Registry } from 'prom-client';

type Labels = { method: string; route: string; status: string };

/** One label set's counts: per bucket (not cumulative; the last slot is above every bound), sum and count. */
class Series {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(
    readonly labels: Labels,
    buckets: number,
  ) {
    this.counts = new Array<number>(buckets + 1).fill(0);
  }
}

export class RouteLatencyHistogram {
  private readonly bounds: readonly number[];
  private readonly series = new Map<string, Map<string, Map<number, Series>>>();
  private readonly all: Series[] = [];

  constructor(
    registry: Registry,
    opts: { name: string; help: string; buckets: readonly number[] },
  ) {
    this.bounds = [...opts.buckets].sort((a, b) => a - b);
    const values = () => this.values(opts.name);
    const reset = () => this.reset();
    // A prom-client Histogram registered as usual (name, help, type, cluster aggregation), whose values come
    // from the counts here; it never observes anything itself.
    class Exported extends Histogram<keyof Labels> {
      getForPromString() {
        return Promise.resolve({ name: opts.name, help: opts.help, type: 'histogram', aggregator: 'sum', values: values() });
      }
      override reset(): void {
        reset();
      }
    }
    new Exported({ name: opts.name, help: opts.help, labelNames: ['method', 'route', 'status'], buckets: [...this.bounds], registers: [registry] });
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    const s = this.seriesOf(method, route, status);
    const b = this.bounds;
    let i = 0;
    while (i < b.length && seconds > b[i]) i++;
    s.counts[i]++;
    s.sum += seconds;
    s.count++;
  }

  private seriesOf(method: string, route: string, status: number): Series {
    let byRoute = this.series.get(method);
    if (!byRoute) this.series.set(method, (byRoute = new Map<string, Map<number, Series>>()));
    let byStatus = byRoute.get(route);
    if (!byStatus) byRoute.set(route, (byStatus = new Map<number, Series>()));
    let s = byStatus.get(status);
    if (!s) {
      byStatus.set(status, (s = new Series({ method, route, status: String(status) }, this.bounds.length)));
      this.all.push(s);
    }
    return s;
  }

  private reset(): void {
    this.series.clear();
    this.all.length = 0;
  }

  /** prom-client's getForPromString() values: cumulative buckets, +Inf, sum, count per label set. */
  private values(name: string) {
    // Same fields as prom-client's (exemplar included), so its JSON (cluster aggregation) reads alike too.
    const out: { labels: Record<string, string | number>; sharedLabels: Labels; value: number; metricName: string; exemplar: null | undefined }[] = [];
    for (const s of this.all) {
      let acc = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        acc += s.counts[i];
        out.push({ labels: { le: this.bounds[i] }, sharedLabels: s.labels, value: acc, metricName: `${name}_bucket`, exemplar: null });
      }
      out.push({ labels: { le: '+Inf' }, sharedLabels: s.labels, value: s.count, metricName: `${name}_bucket`, exemplar: null });
      out.push({ labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${name}_sum`, exemplar: undefined });
      out.push({ labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${name}_count`, exemplar: undefined });
    }
    return out;
  }
}
