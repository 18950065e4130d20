// The Device Authorization Grant's records (RFC 8628): plain data (table oauth_device_authorizations).

/** pending → approved | denied (the user on /device) → consumed (the client's token request, once). */
export type DeviceStatus = 'pending' | 'approved' | 'denied' | 'consumed';

export interface DeviceAuthorization {
  id: string;
  clientId: string;
  scope: string[];
  /** RFC 8707: the registered resource the request named (the tokens' `aud`); null = none. */
  resource: string | null;
  status: DeviceStatus;
  /** Seconds the client must wait between polls; grows by 5 on each slow_down (RFC 8628 §3.5). */
  interval: number;
  lastPolledAt: Date | null;
  createdAt: Date;
  expiresAt: Date;
  /** Set by the user's decision: who, from which browser session (the client's session's parent). */
  userId: string | null;
  browserSessionId: string | null;
  decidedAt: Date | null;
  /** The session the device code's tokens live in (revoked when the code is presented again). */
  issuedSessionId: string | null;
}

/** Both codes are stored as SHA-256 only: a database read gives neither. */
export type NewDeviceAuthorization = Pick<DeviceAuthorization, 'id' | 'clientId' | 'scope' | 'resource' | 'interval' | 'createdAt' | 'expiresAt'> & {
  deviceCodeHash: string;
  userCodeHash: string;
};
