// The WebAuthn relying party on @simplewebauthn/server: ceremony options and response verification
// (clientDataJSON, CBOR attestation and authenticator data, COSE keys, signatures are all the library's).
// RP ID, name and the accepted origins come from configuration (config.passkeys, docs/passkeys.md).
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { decodeClientDataJSON, isoBase64URL, isoUint8Array } from '@simplewebauthn/server/helpers';
import { Errors } from '../../domain/errors';
import type { CeremonyOptions, CredentialDescriptor, VerifiedAssertion, VerifiedRegistration, WebAuthnRelyingParty } from '../../domain/passkeys/ports';
import type { Passkey } from '../../domain/passkeys/types';

export interface RelyingPartyConfig {
  rpName: string;
  rpId: string;
  /** Origins a response may come from; read per ceremony (in development it follows the port listened on). */
  origins: () => string[];
  /** Milliseconds the browser gives the user (the challenge lives config.passkeys.challengeTtl on the server). */
  timeoutMs: number;
}

/** The logger gets why a response failed; the client only PASSKEY_INVALID. */
export type VerificationLog = (message: string, meta: Record<string, unknown>) => void;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function descriptors(list: CredentialDescriptor[]) {
  return list.map((c) => ({ id: c.id, transports: c.transports as AuthenticatorTransport[] }));
}

export class SimpleWebAuthnRelyingParty implements WebAuthnRelyingParty {
  constructor(
    private readonly config: RelyingPartyConfig,
    private readonly log: VerificationLog = () => undefined,
  ) {}

  async registrationOptions(input: { userId: string; userName: string; displayName: string; exclude: CredentialDescriptor[] }): Promise<CeremonyOptions> {
    const options = await generateRegistrationOptions({
      rpName: this.config.rpName,
      rpID: this.config.rpId,
      userName: input.userName,
      userDisplayName: input.displayName,
      // The user handle is the account id: a discoverable credential then names its account at sign-in.
      userID: isoUint8Array.fromUTF8String(input.userId),
      attestationType: 'none',
      excludeCredentials: descriptors(input.exclude),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      timeout: this.config.timeoutMs,
    });
    return { options: options as unknown as Record<string, unknown>, challenge: options.challenge };
  }

  async authenticationOptions(input: { allow: CredentialDescriptor[]; userVerification: 'required' | 'preferred' }): Promise<CeremonyOptions> {
    const options = await generateAuthenticationOptions({
      rpID: this.config.rpId,
      allowCredentials: descriptors(input.allow),
      userVerification: input.userVerification,
      timeout: this.config.timeoutMs,
    });
    return { options: options as unknown as Record<string, unknown>, challenge: options.challenge };
  }

  challengeOf(response: unknown): string | null {
    const data = isObject(response) && isObject(response.response) ? response.response.clientDataJSON : null;
    if (typeof data !== 'string' || data.length > 8192) return null;
    try {
      const challenge = decodeClientDataJSON(data).challenge;
      return typeof challenge === 'string' && challenge.length > 0 && challenge.length <= 512 ? challenge : null;
    } catch {
      return null;
    }
  }

  credentialOf(response: unknown): { credentialId: string; userHandle: string | null } | null {
    if (!isObject(response) || typeof response.id !== 'string' || !response.id || response.id.length > 1024) return null;
    const handle = isObject(response.response) ? response.response.userHandle : undefined;
    if (handle === undefined || handle === null || handle === '') return { credentialId: response.id, userHandle: null };
    if (typeof handle !== 'string' || !isoBase64URL.isBase64URL(handle)) return null;
    return { credentialId: response.id, userHandle: isoBase64URL.toUTF8String(handle) };
  }

  async verifyRegistration(response: unknown, expectedChallenge: string): Promise<VerifiedRegistration> {
    try {
      const result = await verifyRegistrationResponse({
        response: response as RegistrationResponseJSON,
        expectedChallenge,
        expectedOrigin: this.config.origins(),
        expectedRPID: this.config.rpId,
        requireUserVerification: true,
      });
      if (!result.verified) throw new Error('registration not verified');
      const info = result.registrationInfo;
      return {
        credentialId: info.credential.id,
        publicKey: new Uint8Array(info.credential.publicKey),
        counter: info.credential.counter,
        transports: info.credential.transports ?? [],
        deviceType: info.credentialDeviceType,
        backedUp: info.credentialBackedUp,
        aaguid: info.aaguid || null,
      };
    } catch (err) {
      this.log('passkey registration refused', { reason: (err as Error).message });
      throw Errors.passkeyInvalid();
    }
  }

  async verifyAuthentication(
    response: unknown,
    expectedChallenge: string,
    credential: Pick<Passkey, 'credentialId' | 'publicKey' | 'transports'>,
    requireUserVerification: boolean,
  ): Promise<VerifiedAssertion> {
    try {
      const result = await verifyAuthenticationResponse({
        response: response as AuthenticationResponseJSON,
        expectedChallenge,
        expectedOrigin: this.config.origins(),
        expectedRPID: this.config.rpId,
        // Counter 0 here: the domain compares counters itself, to tell a cloned authenticator from a bad response.
        credential: { id: credential.credentialId, publicKey: new Uint8Array(credential.publicKey), counter: 0, transports: credential.transports },
        requireUserVerification,
      });
      if (!result.verified) throw new Error('assertion not verified');
      const info = result.authenticationInfo;
      return { counter: info.newCounter, userVerified: info.userVerified, deviceType: info.credentialDeviceType, backedUp: info.credentialBackedUp };
    } catch (err) {
      this.log('passkey assertion refused', { reason: (err as Error).message });
      throw Errors.passkeyInvalid();
    }
  }
}
