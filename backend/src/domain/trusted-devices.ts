// "Remember this device" at the 2FA step: a device-bound token (256 random bits, only its SHA-256 stored)
// that skips the second factor on that device only, for TRUSTED_DEVICE_TTL. The browser keeps it in an
// HttpOnly cookie, a native app in its own storage; it is useless without the password (it replaces only the
// code) and for any other account. Listed and revocable by the user; a password change, disabling 2FA and an
// administrator's 2FA reset forget every device of the account.
import { auditEntry } from './audit';
import { Errors } from './errors';
import type { Clock, Repositories, TokenGenerator, UnitOfWork, UserAgentParser } from './ports';
import type { RequestContext, TrustedDevice, User } from './types';

/** config.twoFactor.trustedDeviceTtl: TRUSTED_DEVICE_TTL seconds (0 = never remember). */
export interface TrustedDeviceSettings {
  trustedDeviceTtl: number;
}

/** Why every device of an account was forgotten (audit metadata). */
export type ForgetReason = 'revoked_by_user' | 'password_changed' | '2fa_disabled' | 'admin_2fa_reset' | 'email_change_reverted';

/** Inside another change's transaction: forgets every device of the user and records it when there were any. */
export async function forgetTrustedDevices(r: Repositories, userId: string, reason: ForgetReason, ctx: RequestContext): Promise<number> {
  const count = await r.trustedDevices.deleteAll(userId);
  if (count > 0) await r.audit.record(auditEntry(userId, '2fa.trusted_devices_forgotten', ctx, { reason, count }));
  return count;
}

export class TrustedDeviceService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly tokens: TokenGenerator,
    private readonly userAgents: UserAgentParser,
    private readonly clock: Clock,
    private readonly settings: TrustedDeviceSettings,
  ) {}

  /** After a successful second factor: a new device token, or null when remembering is turned off. */
  async remember(user: User, sessionId: string, deviceName: string | null, ctx: RequestContext): Promise<{ token: string; expiresAt: Date } | null> {
    if (this.settings.trustedDeviceTtl <= 0) return null;
    const token = this.tokens.opaqueToken();
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.settings.trustedDeviceTtl * 1000);
    const device = this.userAgents.parse(ctx.userAgent);
    await this.uow.run(async (r) => {
      const created = await r.trustedDevices.create({
        id: this.tokens.uuid(),
        userId: user.id,
        tokenHash: this.tokens.hashToken(token),
        deviceName,
        ...device,
        ipAddress: ctx.ipAddress,
        lastSessionId: sessionId,
        expiresAt,
      });
      await r.audit.record(auditEntry(user.id, '2fa.device_trusted', ctx, { deviceId: created.id, sessionId, expiresAt: expiresAt.toISOString() }));
    });
    return { token, expiresAt };
  }

  /** The live device of this user the token belongs to, or null (unknown, expired, forgotten, another account's). */
  async recognise(userId: string, token: string | null): Promise<TrustedDevice | null> {
    if (!token || token.length > 256) return null;
    return this.uow.direct.trustedDevices.findLive(userId, this.tokens.hashToken(token), this.clock.now());
  }

  /** Records the sign-in the device allowed (shown as "last used" and "this device"). */
  async used(device: TrustedDevice, sessionId: string): Promise<void> {
    await this.uow.direct.trustedDevices.touch(device.id, sessionId, this.clock.now());
  }

  async list(userId: string): Promise<TrustedDevice[]> {
    return this.uow.direct.trustedDevices.listLive(userId, this.clock.now());
  }

  /** Forgets one of the caller's devices; another user's or an unknown id is NOT_FOUND. */
  async forget(userId: string, deviceId: string, ctx: RequestContext): Promise<void> {
    await this.uow.run(async (r) => {
      if (!(await r.trustedDevices.delete(userId, deviceId))) throw Errors.notFound('Trusted device');
      await r.audit.record(auditEntry(userId, '2fa.trusted_devices_forgotten', ctx, { reason: 'revoked_by_user', count: 1, deviceId }));
    });
  }

  async forgetAll(userId: string, ctx: RequestContext): Promise<number> {
    return this.uow.run((r) => forgetTrustedDevices(r, userId, 'revoked_by_user', ctx));
  }
}
