// Where sign-ins come from, and the first anomaly signals on it (issue 33, docs/geolocation.md). Inside the
// transaction that opens a session: a sign-in from a country the account has used before is ordinary; from
// one it never used (not on its first located sign-in) it is marked `newCountry` and counts as a new device
// for the alert; from another country than one used within IMPOSSIBLE_TRAVEL_WINDOW seconds it is logged as
// `login.impossible_travel`. Only country codes are remembered per account (KnownCountry), never addresses.
import { auditEntry } from './audit';
import type { Clock, IpLocator, Repositories } from './ports';
import type { IpLocation, RequestContext } from './types';

/** config.geo (GEO_NEW_COUNTRY_REQUIRES_2FA, IMPOSSIBLE_TRAVEL_WINDOW). */
export interface GeoSettings {
  requireSecondFactorNewCountry: boolean;
  /** Seconds; 0 = off. */
  impossibleTravelWindow: number;
}

export interface SignInPlace {
  location: IpLocation | null;
  /** The account has signed in from other countries, never this one. */
  newCountry: boolean;
  /** Another country was used within IMPOSSIBLE_TRAVEL_WINDOW (logged as `login.impossible_travel`; mailed). */
  impossibleTravel: { previousCountry: string; previousSeenAt: Date } | null;
}

/** A sign-in with no place (no locator, unlocated address, a code exchange). */
export const NOWHERE: SignInPlace = { location: null, newCountry: false, impossibleTravel: null };

export class SignInLocations {
  constructor(
    private readonly locator: IpLocator,
    private readonly clock: Clock,
    private readonly settings: GeoSettings,
  ) {}

  locate(ipAddress: string | null): IpLocation | null {
    return this.locator.locate(ipAddress);
  }

  /**
   * Whether a remembered device must still prove the second factor: GEO_NEW_COUNTRY_REQUIRES_2FA is on and
   * this sign-in comes from a country the account has never used (an unlocated sign-in never does).
   */
  async requiresSecondFactor(r: Repositories, userId: string, ctx: RequestContext): Promise<boolean> {
    if (!this.settings.requireSecondFactorNewCountry) return false;
    const location = this.locate(ctx.ipAddress);
    if (!location) return false;
    const known = await r.knownCountries.list(userId);
    return known.length > 0 && !known.some((k) => k.countryCode === location.countryCode);
  }

  /** Records the sign-in's country for the account; logs impossible travel. Call in the sign-in transaction. */
  async onSignIn(r: Repositories, userId: string, sessionId: string, location: IpLocation | null, ctx: RequestContext): Promise<SignInPlace> {
    if (!location) return NOWHERE;
    const now = this.clock.now();
    const known = await r.knownCountries.list(userId);
    const windowMs = this.settings.impossibleTravelWindow * 1000;
    // list() is most recent first: the first other country is the latest one used.
    const previous = known.find((k) => k.countryCode !== location.countryCode);
    let impossibleTravel: SignInPlace['impossibleTravel'] = null;
    if (windowMs > 0 && previous && now.getTime() - previous.lastSeenAt.getTime() <= windowMs) {
      impossibleTravel = { previousCountry: previous.countryCode, previousSeenAt: previous.lastSeenAt };
      await r.audit.record(auditEntry(userId, 'login.impossible_travel', ctx, {
        sessionId,
        country: location.countryCode,
        previousCountry: previous.countryCode,
        previousSeenAt: previous.lastSeenAt.toISOString(),
        windowSeconds: this.settings.impossibleTravelWindow,
      }));
    }
    // Whether the country is new comes from the atomic insert, not from the list read above: two parallel
    // first sign-ins from one country would both have read it as unknown.
    const newCountry = (await r.knownCountries.remember(userId, location.countryCode, now)) === 'new';
    return { location, newCountry, impossibleTravel };
  }
}
