// A small software authenticator for HTTP tests (test code only): real WebAuthn responses for the server to
// verify, signed with a P-256 key from node:crypto. CBOR encoding is @simplewebauthn/server's own helper; the
// byte layout follows WebAuthn Level 3 §6.1 (authenticator data) and §8.7 (attestation "none").
// Options let a test forge what a hostile client would send: another origin, a stale counter, a user handle.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

const b64u = (b: Uint8Array | Buffer) => Buffer.from(b).toString('base64url');
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest();

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

export interface SoftCredential {
  id: string;
  rpId: string;
  userHandle: string;
  privateKey: KeyObject;
  cosePublicKey: Uint8Array;
  counter: number;
}

export interface AuthenticatorOptions {
  /** The origin the "browser" reports in clientDataJSON. */
  origin: string;
  /** Synced passkey (backup eligible and backed up): the server reports it as multiDevice / swk. */
  synced?: boolean;
  /** Whether the user was verified (UV flag). Default true. */
  userVerified?: boolean;
  /** Counter step per assertion; 0 = an authenticator without a counter. Default 1. */
  counterStep?: number;
}

type Json = Record<string, unknown>;

export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];

  constructor(readonly opts: AuthenticatorOptions) {}

  private flags(extra: number, uv = this.opts.userVerified ?? true): number {
    return FLAG_UP | (uv ? FLAG_UV : 0) | (this.opts.synced ? FLAG_BE | FLAG_BS : 0) | extra;
  }

  private clientData(type: string, challenge: string, origin = this.opts.origin): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** navigator.credentials.create() for the server's options; the credential is kept for later sign-ins. */
  create(options: Json, over: { origin?: string } = {}): Json {
    const rp = options.rp as { id: string };
    const user = options.user as { id: string };
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, new Uint8Array(Buffer.from(jwk.x!, 'base64url'))],
        [-3, new Uint8Array(Buffer.from(jwk.y!, 'base64url'))],
      ]),
    );
    const credId = randomBytes(16);
    const counter = this.opts.counterStep === 0 ? 0 : 1;
    const idLen = Buffer.alloc(2);
    idLen.writeUInt16BE(credId.length);
    const authData = Buffer.concat([sha256(rp.id), Buffer.from([this.flags(FLAG_AT)]), u32(counter), Buffer.alloc(16), idLen, credId, Buffer.from(cose)]);
    const attestationObject = isoCBOR.encode(new Map<string, unknown>([['fmt', 'none'], ['attStmt', new Map()], ['authData', new Uint8Array(authData)]]) as never);
    const cred: SoftCredential = { id: b64u(credId), rpId: rp.id, userHandle: user.id, privateKey, cosePublicKey: cose, counter };
    this.credentials.push(cred);
    return {
      id: cred.id,
      rawId: cred.id,
      type: 'public-key',
      response: { clientDataJSON: b64u(this.clientData('webauthn.create', options.challenge as string, over.origin)), attestationObject: b64u(attestationObject), transports: ['internal'] },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /**
   * navigator.credentials.get(): signs the options' challenge with `credential` (default: the newest).
   * `counter` forces the signed counter (a clone replaying an old state).
   */
  get(options: Json, over: { credential?: SoftCredential; origin?: string; counter?: number; userHandle?: string | null; challenge?: string } = {}): Json {
    const cred = over.credential ?? this.credentials.at(-1);
    if (!cred) throw new Error('SoftAuthenticator: no credential');
    if (over.counter !== undefined) cred.counter = over.counter;
    else if ((this.opts.counterStep ?? 1) > 0) cred.counter += this.opts.counterStep ?? 1;
    const rpId = (options.rpId as string | undefined) ?? cred.rpId;
    const authData = Buffer.concat([sha256(rpId), Buffer.from([this.flags(0)]), u32(cred.counter)]);
    const clientData = this.clientData('webauthn.get', over.challenge ?? (options.challenge as string), over.origin);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), cred.privateKey);
    const userHandle = over.userHandle === undefined ? cred.userHandle : over.userHandle;
    return {
      id: cred.id,
      rawId: cred.id,
      type: 'public-key',
      response: { clientDataJSON: b64u(clientData), authenticatorData: b64u(authData), signature: b64u(signature), ...(userHandle === null ? {} : { userHandle }) },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
