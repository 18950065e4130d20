// Safe reads (GET handlers) are tried once more when the database connection failed under them: a pooled
// connection cut by a PostgreSQL restart, a failover or an idle-connection reaper fails the first query on
// it, and a second try on a fresh connection usually succeeds. Only handlers that read are wrapped (GET has
// no side effects to repeat); writes are never retried here, and a second failure still answers 503
// SERVICE_UNAVAILABLE through the error handler.
import { isDatabaseUnreachable } from './errors';

/** Long enough for the pool to drop the broken connection, short enough to stay inside a client's patience. */
const RETRY_DELAY_MS = 100;

export function retryReadOnce<Req, Res extends { headersSent: boolean }>(handler: (req: Req, res: Res) => unknown): (req: Req, res: Res) => Promise<void> {
  return async (req, res) => {
    try {
      await handler(req, res);
    } catch (err) {
      if (!isDatabaseUnreachable(err) || res.headersSent) throw err;
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
      await handler(req, res);
    }
  };
}
