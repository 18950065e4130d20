// HTTP server with a graceful stop. On stop(): the listening socket closes at once (new connections are
// refused), but connections that are already open stay open for a short idle grace: a keep-alive client
// that sends its next request on one of them during the drain gets an answer, with `Connection: close`,
// after which the socket closes. Closing idle keep-alive connections at once (what http.Server.close() does
// since Node 19) resets requests that were already on the wire. Requests in flight finish; connections that
// stay idle through the grace are closed; whatever is left at the deadline is cut. A request whose client hung
// up before the answer counts until its handler answers. Only then may the caller close the database and
// worker pools those requests still use.
import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer, type AddressInfo, type Socket } from 'node:net';

export interface DrainOptions {
  /** Longest the drain waits for requests in flight (ms). */
  graceMs?: number;
  /** How long an open connection with no request may stay open during the drain (ms). */
  idleGraceMs?: number;
}

export class GracefulServer {
  private readonly server: Server;
  private readonly inFlight = new Set<ServerResponse>();
  /** Open connections → number of requests on them not yet answered. */
  private readonly sockets = new Map<Socket, number>();
  private draining = false;
  private changed: (() => void) | null = null;

  constructor(handler: RequestListener) {
    // One 'close' listener for every response (no closure per request); `this` is the response.
    const inFlight = this.inFlight;
    const sockets = this.sockets;
    const settle = (res: ServerResponse): void => {
      inFlight.delete(res);
      const pending = sockets.get(res.req.socket);
      if (pending !== undefined) sockets.set(res.req.socket, Math.max(0, pending - 1));
      this.changed?.();
    };
    const onClose = function (this: ServerResponse): void {
      if (this.headersSent || this.writableEnded) return settle(this);
      // The client hung up before any answer, but the handler may still be working (a login in bcrypt, then
      // its transaction): it stays in flight until it answers (into the void) or the drain's grace ends, so
      // stop() does not close the database and worker pools under it.
      const end = this.end.bind(this) as (...a: unknown[]) => ServerResponse;
      this.end = function (this: ServerResponse, ...args: unknown[]) {
        settle(this);
        return end(...args);
      } as ServerResponse['end'];
    };
    this.server = createServer((req, res) => {
      inFlight.add(res);
      const socket = req.socket;
      sockets.set(socket, (sockets.get(socket) ?? 0) + 1);
      if (this.draining) res.setHeader('Connection', 'close');
      res.on('close', onClose);
      handler(req, res);
    });
    this.server.on('connection', (socket: Socket) => {
      this.sockets.set(socket, 0);
      socket.once('close', () => {
        this.sockets.delete(socket);
        this.changed?.();
      });
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

  async stop(opts: DrainOptions = {}): Promise<void> {
    const graceMs = opts.graceMs ?? 10_000;
    const idleGraceMs = opts.idleGraceMs ?? 1_000;
    this.draining = true;
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    // net.Server's close stops accepting without http.Server's closeIdleConnections().
    const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(this.server, () => resolve()));
    const started = Date.now();
    const idleSince = new Map<Socket, number>();
    // Open connections, and requests whose client has gone while their handler still runs (see above).
    while ((this.sockets.size > 0 || this.inFlight.size > 0) && Date.now() - started < graceMs) {
      const now = Date.now();
      for (const [socket, pending] of this.sockets) {
        if (pending > 0) {
          idleSince.delete(socket);
          continue;
        }
        const since = idleSince.get(socket) ?? now;
        idleSince.set(socket, since);
        if (now - since >= idleGraceMs) socket.destroy();
      }
      if (this.sockets.size === 0 && this.inFlight.size === 0) break;
      // Wake on the next answered request or closed socket, or after a short tick to re-check idle sockets.
      await new Promise<void>((resolve) => {
        const tick = setTimeout(resolve, 50);
        tick.unref();
        this.changed = () => {
          clearTimeout(tick);
          resolve();
        };
      });
      this.changed = null;
    }
    this.server.closeAllConnections();
    for (const socket of this.sockets.keys()) socket.destroy();
    await closed;
  }
}
