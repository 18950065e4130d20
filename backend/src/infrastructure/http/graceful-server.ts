// HTTP server with a graceful stop: stop accepting connections, answer requests already in flight (with
// `Connection: close`, so keep-alive clients move on instead of sending more), then close what is left.
// Only then may the caller close the database and worker pools those requests still use.
import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export class GracefulServer {
  private readonly server: Server;
  private readonly inFlight = new Set<ServerResponse>();
  private draining = false;
  private drained: (() => void) | null = null;

  constructor(handler: RequestListener) {
    this.server = createServer((req, res) => {
      this.inFlight.add(res);
      if (this.draining) res.setHeader('Connection', 'close');
      res.once('close', () => {
        this.inFlight.delete(res);
        if (this.draining && this.inFlight.size === 0) this.drained?.();
      });
      handler(req, res);
    });
    // Longer than the usual 60 s idle timeout of load balancers, so they close first.
    this.server.keepAliveTimeout = 65_000;
  }

  /** Requests received and not yet answered. */
  get activeRequests(): number {
    return this.inFlight.size;
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, () => resolve((this.server.address() as AddressInfo).port));
    });
  }

  async stop(graceMs = 10_000): Promise<void> {
    this.draining = true;
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    if (this.inFlight.size > 0) {
      await Promise.race([new Promise<void>((r) => (this.drained = r)), new Promise((r) => setTimeout(r, graceMs).unref())]);
    }
    this.server.closeAllConnections();
    await closed;
  }
}
