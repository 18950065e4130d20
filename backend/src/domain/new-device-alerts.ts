// New-device alerts: on every successful sign-in, inside the transaction that opens the session, the device
// (browser family + OS family + coarse network, see DeviceIdentifier) is remembered for the account. A device
// the account has not used before — not on its very first sign-in, which has nothing to compare with — is
// recorded as `login.new_device` and mailed to the owner with a "this wasn't me" link: a single-use token
// (SHA-256 at rest, SIGN_IN_REPORT_TTL) that ends exactly that session (AccountRecoveryService.reportSignIn).
import { issueAccountToken } from './account-tokens';
import { auditEntry } from './audit';
import type { Clock, DeviceIdentifier, Repositories, TokenGenerator } from './ports';
import { countryName, describeLocation } from './location';
import type { SignInPlace } from './sign-in-locations';
import type { RequestContext, User } from './types';

export interface NewDeviceSettings {
  /** NEW_DEVICE_ALERTS. */
  newDeviceAlerts: boolean;
  /** SIGN_IN_REPORT_TTL, seconds. */
  signInReportTtl: number;
}

export class NewDeviceAlerts {
  constructor(
    private readonly devices: DeviceIdentifier,
    private readonly tokens: TokenGenerator,
    private readonly clock: Clock,
    private readonly settings: NewDeviceSettings,
  ) {}

  /**
   * True when the sign-in came from a new device (recorded as `login.new_device`). place: where the sign-in
   * came from; a country the account never used makes any device new, and impossible travel (issue 33) mails
   * the owner even from a known device. One mail per sign-in: impossible travel says more than "new device",
   * so it replaces that mail, with the same "this wasn't me" link.
   */
  async onSignIn(r: Repositories, user: Pick<User, 'id' | 'email'>, sessionId: string, ctx: RequestContext, place?: SignInPlace): Promise<boolean> {
    if (!this.settings.newDeviceAlerts) return false;
    const now = this.clock.now();
    const device = this.devices.identify(ctx);
    const seen = await r.knownDevices.remember(user.id, device.key, now);
    const newDevice = seen === 'new' || (seen === 'known' && place?.newCountry === true);
    const travel = place?.impossibleTravel ?? null;
    if (!newDevice && !travel) return false;
    const country = place?.location?.country ?? null;
    const ttl = this.settings.signInReportTtl;
    const token = await issueAccountToken(r, this.tokens, { userId: user.id, purpose: 'sign_in_report', subject: sessionId, now, ttlSeconds: ttl, replaces: 'none' });
    if (newDevice) {
      await r.audit.record(auditEntry(user.id, 'login.new_device', ctx, { sessionId, device: device.description, ...(country ? { country: place?.location?.countryCode, newCountry: place?.newCountry === true } : {}) }));
    }
    const common = { device: device.description, ipAddress: ctx.ipAddress, time: now.toISOString(), token, expiresInMinutes: Math.round(ttl / 60) };
    if (travel && place?.location) {
      await r.mail.enqueue({
        template: 'impossible_travel',
        to: user.email,
        userId: user.id,
        params: {
          ...common,
          location: describeLocation(place.location),
          previousLocation: countryName(travel.previousCountry) ?? travel.previousCountry,
          previousSeenAt: travel.previousSeenAt.toISOString(),
        },
      });
    } else {
      await r.mail.enqueue({
        template: 'new_device',
        to: user.email,
        userId: user.id,
        params: { ...common, location: place?.location ? describeLocation(place.location) : null },
      });
    }
    return newDevice;
  }
}
