// The real services the suite runs against, and a fail-fast probe for each: a test whose service is down
// fails within a second with a message naming it, instead of hanging on a client that retries for ever
// (ioredis and nats reconnect silently by default).
import { connect } from 'node:net';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';
export const TEST_NATS_URL = process.env.TEST_NATS_URL || 'nats://127.0.0.1:4222';

export type ServiceName = 'PostgreSQL' | 'Redis' | 'NATS';

const ENV_OF: Record<ServiceName, string> = { PostgreSQL: 'TEST_DATABASE_URL', Redis: 'TEST_REDIS_URL', NATS: 'TEST_NATS_URL' };
const DEFAULT_PORT: Record<ServiceName, number> = { PostgreSQL: 5432, Redis: 6379, NATS: 4222 };
const checked = new Map<string, Promise<void>>();

/** The message a test fails with when `service` does not answer at `url`. */
export function unreachable(service: ServiceName, url: string, why: string): Error {
  const safe = url.replace(/\/\/[^@/]*@/, '//');
  return new Error(`${service} is not reachable at ${safe} (${why}). The tests need it running; set ${ENV_OF[service]} to point elsewhere.`);
}

/**
 * Resolves once a TCP connection to the service's host:port succeeds; rejects within `timeoutMs` with a
 * message naming the service otherwise. Probed once per URL and process.
 */
export function requireService(service: ServiceName, url: string, timeoutMs = 1500): Promise<void> {
  const key = `${service} ${url}`;
  let probe = checked.get(key);
  if (!probe) {
    probe = tcpProbe(service, url, timeoutMs);
    checked.set(key, probe);
    // A failed probe is retried by the next caller (the service may have come up meanwhile).
    probe.catch(() => checked.delete(key));
  }
  return probe;
}

function tcpProbe(service: ServiceName, url: string, timeoutMs: number): Promise<void> {
  const parsed = new URL(url);
  const host = parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = Number(parsed.port) || DEFAULT_PORT[service];
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(unreachable(service, url, `no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      // destroy, not end: end() half-closes and keeps the socket (and so the test process) alive until the peer
      // closes its side, which a server that is stopped and restarted under the test may never do.
      socket.destroy();
      resolve();
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(unreachable(service, url, err.code ?? err.message));
    });
  });
}
