// RS256 signing keys. Production passes a PEM via JWT_PRIVATE_KEY / JWT_PRIVATE_KEY_FILE; without one, a
// 2048-bit key is generated on first start and kept under DATA_DIR (mode 0600) so tokens survive restarts.
// Extra public keys (JWT_PUBLIC_KEYS_FILE, concatenated PEMs) stay in the JWKS during key rotation.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PublicJwk {
  kty: 'RSA';
  use: 'sig';
  alg: 'RS256';
  kid: string;
  n: string;
  e: string;
}

export interface SigningKeys {
  kid: string;
  privateKey: KeyObject;
  /** kid → public key, for verification; includes the signing key. */
  publicKeys: Map<string, KeyObject>;
  jwks: { keys: PublicJwk[] };
}

/** RFC 7638 thumbprint: a stable kid derived from the key itself. */
function thumbprint(jwk: { n: string; e: string }): string {
  const canonical = JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n });
  return createHash('sha256').update(canonical).digest('base64url');
}

function toJwk(publicKey: KeyObject): PublicJwk {
  const { n, e } = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
  return { kty: 'RSA', use: 'sig', alg: 'RS256', kid: thumbprint({ n, e }), n, e };
}

function assertStrongRsa(key: KeyObject, source: string): void {
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa' || bits < 2048) {
    throw new Error(`${source}: an RSA key of at least 2048 bits is required for RS256`);
  }
}

function loadOrCreatePrivatePem(dataDir: string): string {
  const dir = join(dataDir, 'keys');
  const file = join(dir, 'jwt-signing-key.pem');
  if (existsSync(file)) return readFileSync(file, 'utf8');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  // 'wx' fails if another process created it meanwhile: then use theirs.
  try {
    writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  } catch {
    return readFileSync(file, 'utf8');
  }
  chmodSync(file, 0o600);
  return pem;
}

function splitPems(text: string): string[] {
  return text.match(/-----BEGIN [^-]+-----[\s\S]+?-----END [^-]+-----/g) ?? [];
}

export function loadSigningKeys(opts: {
  dataDir: string;
  privateKeyPem: string | null;
  privateKeyFile: string | null;
  publicKeysFile: string | null;
}): SigningKeys {
  const pem =
    opts.privateKeyPem?.replace(/\\n/g, '\n') ??
    (opts.privateKeyFile ? readFileSync(opts.privateKeyFile, 'utf8') : loadOrCreatePrivatePem(opts.dataDir));
  const privateKey = createPrivateKey(pem);
  assertStrongRsa(privateKey, 'JWT signing key');
  const current = toJwk(createPublicKey(privateKey));
  const publicKeys = new Map<string, KeyObject>([[current.kid, createPublicKey(privateKey)]]);
  const jwks: PublicJwk[] = [current];
  if (opts.publicKeysFile) {
    for (const extra of splitPems(readFileSync(opts.publicKeysFile, 'utf8'))) {
      const key = createPublicKey(extra);
      assertStrongRsa(key, 'JWT_PUBLIC_KEYS_FILE');
      const jwk = toJwk(key);
      if (!publicKeys.has(jwk.kid)) {
        publicKeys.set(jwk.kid, key);
        jwks.push(jwk);
      }
    }
  }
  return { kid: current.kid, privateKey, publicKeys, jwks: { keys: jwks } };
}
