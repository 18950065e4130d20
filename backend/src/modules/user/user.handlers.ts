// /api/user handlers: parse, call the service, map, respond.
import type { Request, Response } from 'express';
import type { AccountDeletion } from '../../domain/account-deletion';
import type { AuthService } from '../../domain/auth.service';
import type { SessionService } from '../../domain/session.service';
import type { UserService } from '../../domain/user.service';
import { Errors } from '../../domain/errors';
import { authenticateRequest, claimsOf } from '../../http/authenticate';
import { sendJson, type LeanHandler } from '../../http/lean-route';
import { requestContext } from '../../http/context';
import { profile, securityEvent, sessionView } from '../../http/mappers';

export class UserHandlers {
  constructor(
    private readonly users: UserService,
    private readonly auth: AuthService,
    private readonly sessions: SessionService,
    private readonly deletion: AccountDeletion,
  ) {}

  /** On the lean chain (user.routes.ts leanUserRoutes): authenticates itself. */
  me: LeanHandler = async (req, res) => {
    const user = await this.users.getProfile(authenticateRequest(this.auth, req).sub);
    sendJson(req, res, 200, { user: profile(user) });
  };

  changePassword = async (req: Request, res: Response) => {
    const { currentPassword, newPassword } = req.body;
    const revokedSessions = await this.auth.changePassword(claimsOf(req), { currentPassword, newPassword }, requestContext(req));
    res.json({ revokedSessions });
  };

  /** On the lean chain (user.routes.ts leanUserRoutes): authenticates itself. */
  listSessions: LeanHandler = async (req, res) => {
    const { sub, sid } = authenticateRequest(this.auth, req);
    const sessions = await this.sessions.listActive(sub);
    sendJson(req, res, 200, { sessions: sessions.map((s) => sessionView(s, sid)) });
  };

  renameSession = async (req: Request, res: Response) => {
    const { sub, sid } = claimsOf(req);
    const session = await this.sessions.rename(sub, String(req.params.sessionId), req.body.name as string | null);
    res.json({ session: sessionView(session, sid) });
  };

  /** Ends every session at once; the page then shows the sign-in screen. */
  deleteAccount = async (req: Request, res: Response) => {
    const { password, code } = req.body as { password: string; code?: string | null };
    const revokedSessions = await this.deletion.delete(claimsOf(req).sub, { password, code }, requestContext(req));
    res.json({ deleted: true, revokedSessions });
  };

  revokeSession = async (req: Request, res: Response) => {
    await this.sessions.revokeOne(claimsOf(req).sub, String(req.params.sessionId), requestContext(req));
    res.status(204).end();
  };

  revokeOtherSessions = async (req: Request, res: Response) => {
    const { sub, sid } = claimsOf(req);
    const revoked = await this.sessions.revokeAll(sub, 'revoked_by_user', { type: 'session.revoked', ctx: requestContext(req) }, sid);
    res.json({ revoked });
  };

  /** Keyset pagination: `?limit=50&before=<cursor from nextCursor>`. */
  securityEvents = async (req: Request, res: Response) => {
    const limit = Number(req.query.limit ?? 50);
    const before = typeof req.query.before === 'string' ? decodeCursor(req.query.before) : undefined;
    const events = await this.users.securityEvents(claimsOf(req).sub, { limit: limit + 1, before });
    const page = events.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor = events.length > limit && last ? encodeCursor(last.createdAt, last.id) : null;
    res.json({ events: page.map(securityEvent), nextCursor });
  };
}

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso ?? '');
  // Only what encodeCursor produces: a JS date outside PostgreSQL's range (e.g. year -271821) would be a 500.
  const wellFormed = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(iso ?? '');
  if (!id || !wellFormed || Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/i.test(id)) {
    throw Errors.validation([{ field: 'before', message: 'Invalid cursor' }]);
  }
  return { createdAt, id };
}
