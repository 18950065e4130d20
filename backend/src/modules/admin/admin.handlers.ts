// /api/admin handlers: thin calls into UserService and TwoFactorService (the admin CLI calls the same services).
import type { Request, Response } from 'express';
import type { TwoFactorService } from '../../domain/two-factor.service';
import type { UserService } from '../../domain/user.service';
import { claimsOf } from '../../http/authenticate';
import { requestContext } from '../../http/context';
import { profile, publicUser } from '../../http/mappers';

export class AdminHandlers {
  constructor(
    private readonly users: UserService,
    private readonly twoFactor: TwoFactorService,
  ) {}

  listRegistrations = async (req: Request, res: Response) => {
    const status = (req.query.status as 'pending' | 'active' | 'disabled' | undefined) ?? 'pending';
    const list = await this.users.listRegistrations(status);
    res.json({
      registrations: list.map((u) => ({ userId: u.id, email: u.email, username: u.username, status: u.status, createdAt: u.createdAt.toISOString() })),
    });
  };

  /** "Find a user" for the admin page (added to the contract): part of an email or username, or an id. */
  findUsers = async (req: Request, res: Response) => {
    const list = await this.users.findUsers(String(req.query.query));
    res.json({ users: list.map(profile) });
  };

  approveRegistration = async (req: Request, res: Response) => {
    const user = await this.users.approveRegistration(claimsOf(req).sub, String(req.params.userId), requestContext(req));
    res.json({ user: publicUser(user) });
  };

  rejectRegistration = async (req: Request, res: Response) => {
    const user = await this.users.rejectRegistration(claimsOf(req).sub, String(req.params.userId), requestContext(req));
    res.json({ user: publicUser(user) });
  };

  /** Account recovery when a user lost authenticator and backup codes (added to the contract). */
  resetTwoFactor = async (req: Request, res: Response) => {
    await this.twoFactor.adminReset(claimsOf(req).sub, String(req.params.userId), requestContext(req));
    res.json({ enabled: false });
  };

  revokeUserSessions = async (req: Request, res: Response) => {
    const revoked = await this.users.revokeUserSessions(claimsOf(req).sub, String(req.params.userId), requestContext(req));
    res.json({ revoked });
  };
}
