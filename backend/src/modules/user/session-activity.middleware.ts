// Stamps a session's "last seen" (time and client IP) after the response of an authenticated request has
// been sent: the request itself pays one Map lookup, and the write (at most one per session a minute, see
// SessionActivity) never delays it. recordSessionActivity serves the ordinary chain, withSessionActivity
// the lean hot routes (GET /api/user/me and /sessions, http/hot-route.ts), which have answered by the time
// their handler's promise settles.
import type { RequestHandler } from 'express';
import type { SessionActivity } from '../../domain/session-activity';
import { isClientToken } from '../../domain/types';
import type { Logger } from '../../infrastructure/logger';
import { clientIp } from '../../http/context';
import type { HotRequest, HotHandler } from '../../http/hot-route';

function note(activity: SessionActivity, logger: Logger, req: Pick<HotRequest, 'auth' | 'ip'>, res: { statusCode: number }): void {
  const claims = req.auth;
  // Only a request that the bearer token got through (a failed one says nothing about the session).
  if (!claims || isClientToken(claims) || res.statusCode === 401 || !activity.due(claims.sid)) return;
  activity.record(claims.sid, clientIp(req)).catch((err: unknown) => logger.warn('could not record session activity', { error: String(err) }));
}

export function recordSessionActivity(activity: SessionActivity, logger: Logger): RequestHandler {
  return (req, res, next) => {
    res.once('finish', () => note(activity, logger, req, res));
    next();
  };
}

export function withSessionActivity(activity: SessionActivity, logger: Logger): (handler: HotHandler) => HotHandler {
  return (handler) => async (req, res) => {
    await handler(req, res);
    note(activity, logger, req, res);
  };
}
