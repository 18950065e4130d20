// Passkeys (WebAuthn credentials) as the domain sees them. Only public keys are stored; the credential id and
// key bytes are opaque here (the WebAuthn adapter, @simplewebauthn/server, reads and checks them).

/** singleDevice: bound to one authenticator; multiDevice: backup-eligible, synced by a platform (a "synced passkey"). */
export type PasskeyDeviceType = 'singleDevice' | 'multiDevice';

export interface Passkey {
  id: string;
  userId: string;
  /** base64url, as the authenticator reports it (unique). */
  credentialId: string;
  /** COSE public key. */
  publicKey: Uint8Array;
  /** Last signature counter seen (0 for authenticators that keep none). */
  counter: number;
  transports: string[];
  deviceType: PasskeyDeviceType;
  /** Whether the credential is currently backed up (synced). */
  backedUp: boolean;
  aaguid: string | null;
  name: string;
  lastUsedAt: Date | null;
  createdAt: Date;
}

export type NewPasskey = Omit<Passkey, 'lastUsedAt' | 'createdAt'>;

/**
 * What a challenge was issued for. registration: bound to the user and session that asked; sign_in: to no
 * account (discoverable credentials: the authenticator says whose it is); second_factor: to one MFA challenge.
 */
export type WebAuthnPurpose = 'registration' | 'sign_in' | 'second_factor';

export interface WebAuthnChallenge {
  id: string;
  /** SHA-256 of the challenge (the challenge itself is only in the options sent to the client). */
  challengeHash: string;
  purpose: WebAuthnPurpose;
  userId: string | null;
  sessionId: string | null;
  mfaChallengeId: string | null;
  expiresAt: Date;
  consumedAt: Date | null;
}

export type NewWebAuthnChallenge = Omit<WebAuthnChallenge, 'consumedAt'>;

/** RFC 8176 authentication method references of a passkey: hwk for device-bound keys, swk for synced ones. */
export type PasskeyAmr = 'hwk' | 'swk';

export function amrOf(passkey: Pick<Passkey, 'deviceType'>): PasskeyAmr {
  return passkey.deviceType === 'multiDevice' ? 'swk' : 'hwk';
}
