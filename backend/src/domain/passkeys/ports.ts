// Ports of passkeys: storage of credentials and challenges, and the WebAuthn ceremony checks, implemented in
// infrastructure/ (Prisma; @simplewebauthn/server). The domain never parses WebAuthn data itself.
import type { NewPasskey, NewWebAuthnChallenge, Passkey, PasskeyDeviceType, WebAuthnChallenge, WebAuthnPurpose } from './types';

export interface PasskeyRepository {
  /** Stores a credential; false when its credential id is registered already (to anyone). */
  create(passkey: NewPasskey): Promise<boolean>;
  findByCredentialId(credentialId: string): Promise<Passkey | null>;
  /** The user's passkeys, oldest first. */
  listForUser(userId: string): Promise<Passkey[]>;
  countForUser(userId: string): Promise<number>;
  /** Renames one of the user's passkeys; null when the user has none with that id. */
  rename(userId: string, id: string, name: string): Promise<Passkey | null>;
  /** Deletes one of the user's passkeys; false when the user has none with that id. */
  delete(userId: string, id: string): Promise<boolean>;
  /** Deletes every passkey of the user; returns how many. */
  deleteAll(userId: string): Promise<number>;
  /** A successful assertion: the new counter, backup state and time of use. */
  recordUse(id: string, counter: number, backedUp: boolean, now: Date): Promise<void>;
}

export interface WebAuthnChallengeRepository {
  create(challenge: NewWebAuthnChallenge): Promise<void>;
  /**
   * Atomically marks the unconsumed, unexpired challenge with this hash and purpose consumed and returns it;
   * null when there is none (unknown, used already, expired, or issued for something else).
   */
  consume(challengeHash: string, purpose: WebAuthnPurpose, now: Date): Promise<WebAuthnChallenge | null>;
}

/** A credential as the ceremonies name it (for excludeCredentials / allowCredentials). */
export interface CredentialDescriptor {
  id: string;
  transports: string[];
}

/** Options for navigator.credentials.create/get in their JSON form, and the challenge they carry. */
export interface CeremonyOptions {
  options: Record<string, unknown>;
  challenge: string;
}

export interface VerifiedRegistration {
  credentialId: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
  deviceType: PasskeyDeviceType;
  backedUp: boolean;
  aaguid: string | null;
}

export interface VerifiedAssertion {
  /** The counter the authenticator signed (0 = it keeps none). */
  counter: number;
  userVerified: boolean;
  deviceType: PasskeyDeviceType;
  backedUp: boolean;
}

/**
 * The WebAuthn relying party (RP ID, name and accepted origins come from configuration): builds ceremony
 * options and checks responses (type, challenge, origin, RP ID hash, flags, attestation `none`, signature).
 * verify* throw PASSKEY_INVALID (never anything else for a bad response); they do not compare signature
 * counters (the domain does, to tell a cloned authenticator from a bad response).
 */
export interface WebAuthnRelyingParty {
  registrationOptions(input: { userId: string; userName: string; displayName: string; exclude: CredentialDescriptor[] }): Promise<CeremonyOptions>;
  authenticationOptions(input: { allow: CredentialDescriptor[]; userVerification: 'required' | 'preferred' }): Promise<CeremonyOptions>;
  /** The challenge a response signed (from its clientDataJSON), or null when the response is malformed. */
  challengeOf(response: unknown): string | null;
  /** The credential id an assertion names, and the user handle it returned (discoverable credentials). */
  credentialOf(response: unknown): { credentialId: string; userHandle: string | null } | null;
  verifyRegistration(response: unknown, expectedChallenge: string): Promise<VerifiedRegistration>;
  verifyAuthentication(
    response: unknown,
    expectedChallenge: string,
    credential: Pick<Passkey, 'credentialId' | 'publicKey' | 'transports'>,
    requireUserVerification: boolean,
  ): Promise<VerifiedAssertion>;
}
