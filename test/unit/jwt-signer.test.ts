import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { JwtAccessTokenSigner } from '../../backend/src/infrastructure/crypto/jwt-signer';
import { loadSigningKeys } from '../../backend/src/infrastructure/crypto/signing-keys';
import { throwsWithCode } from '../fakes/services';

const ISS = 'https://auth.example.test';
const AUD = 'https://api.example.test';
const dataDir = mkdtempSync(join(tmpdir(), 'jwt-signer-test-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

const load = (dir = dataDir) => loadSigningKeys({ dataDir: dir, privateKeyPem: null, privateKeyFile: null, publicKeysFile: null });
const keys = load();
const signer = new JwtAccessTokenSigner(keys, ISS, AUD);
const publicPem = keys.publicKeys.get(keys.kid)!.export({ type: 'spki', format: 'pem' }) as string;

const baseClaims = { sub: randomUUID(), sid: randomUUID(), role: 'user' as const, aal: 1, email: 'a@example.test', username: null };

const b64url = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const nowSec = () => Math.floor(Date.now() / 1000);
const validPayload = () => ({ ...baseClaims, iat: nowSec(), exp: nowSec() + 600, iss: ISS, aud: AUD, jti: randomUUID() });

test('when a token is signed, then its claims and header carry everything the contract lists', async () => {
  const token = await signer.sign(baseClaims, 900);
  const decoded = jwt.decode(token, { complete: true })!;
  assert.equal(decoded.header.alg, 'RS256');
  assert.equal(decoded.header.kid, keys.kid);
  const claims = signer.verify(token);
  assert.equal(claims.sub, baseClaims.sub);
  assert.equal(claims.sid, baseClaims.sid);
  assert.equal(claims.role, 'user');
  assert.equal(claims.aal, 1);
  assert.equal(claims.iss, ISS);
  assert.equal(claims.aud, AUD);
  assert.equal(typeof claims.iat, 'number');
  assert.equal(claims.exp - claims.iat, 900);
  assert.ok(Math.abs(claims.iat - nowSec()) <= 2);
  assert.match(claims.jti, /^[0-9a-f-]{36}$/);
  assert.notEqual(signer.verify(await signer.sign(baseClaims, 900)).jti, claims.jti, 'jti is unique per token');
});

test('when the algorithm is "none" (unsigned), then the token is refused as INVALID_TOKEN', () => {
  const token = `${b64url({ alg: 'none', typ: 'JWT', kid: keys.kid })}.${b64url(validPayload())}.`;
  throwsWithCode(() => signer.verify(token), 'INVALID_TOKEN');
});

test('when a token is signed with our key but another algorithm (RS512, PS256), then the pinned RS256 refuses it', () => {
  for (const algorithm of ['RS512', 'PS256'] as const) {
    const token = jwt.sign(validPayload(), keys.privateKey, { algorithm, keyid: keys.kid });
    throwsWithCode(() => signer.verify(token), 'INVALID_TOKEN');
  }
});

test('when a token is HS256-signed with the public key PEM as the secret, then it is refused as INVALID_TOKEN', () => {
  const header = b64url({ alg: 'HS256', typ: 'JWT', kid: keys.kid });
  const payload = b64url(validPayload());
  const sig = createHmac('sha256', publicPem).update(`${header}.${payload}`).digest('base64url');
  throwsWithCode(() => signer.verify(`${header}.${payload}.${sig}`), 'INVALID_TOKEN');
});

test('when the payload of a valid token is edited (role: admin), then the signature no longer matches', async () => {
  const [h, , s] = (await signer.sign(baseClaims, 900)).split('.');
  const forged = `${h}.${b64url({ ...validPayload(), role: 'admin' })}.${s}`;
  throwsWithCode(() => signer.verify(forged), 'INVALID_TOKEN');
});

test('when a token is signed by another RSA key under our kid, then it is refused as INVALID_TOKEN', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const token = jwt.sign(validPayload(), privateKey, { algorithm: 'RS256', keyid: keys.kid });
  throwsWithCode(() => signer.verify(token), 'INVALID_TOKEN');
});

test('when the kid is unknown or missing, then the token is refused as INVALID_TOKEN', () => {
  const unknownKid = jwt.sign(validPayload(), keys.privateKey, { algorithm: 'RS256', keyid: 'not-a-known-kid' });
  const err = throwsWithCode(() => signer.verify(unknownKid), 'INVALID_TOKEN');
  assert.match(err.message, /unknown/i);
  const noKid = jwt.sign(validPayload(), keys.privateKey, { algorithm: 'RS256' });
  throwsWithCode(() => signer.verify(noKid), 'INVALID_TOKEN');
});

test('when the issuer is wrong, then the token is refused as INVALID_TOKEN', async () => {
  const token = jwt.sign({ ...validPayload(), iss: 'https://evil.example.test' }, keys.privateKey, { algorithm: 'RS256', keyid: keys.kid });
  throwsWithCode(() => signer.verify(token), 'INVALID_TOKEN');
  // Same key, other issuer configured: our own tokens are not accepted there either.
  const ours = await signer.sign(baseClaims, 900);
  throwsWithCode(() => new JwtAccessTokenSigner(keys, 'https://other.example.test', AUD).verify(ours), 'INVALID_TOKEN');
});

test('when the audience is wrong, then the token is refused as INVALID_TOKEN', () => {
  const token = jwt.sign({ ...validPayload(), aud: 'https://someone-else.example.test' }, keys.privateKey, { algorithm: 'RS256', keyid: keys.kid });
  throwsWithCode(() => signer.verify(token), 'INVALID_TOKEN');
});

test('when the token is past exp, then it is refused as TOKEN_EXPIRED', () => {
  const token = jwt.sign({ ...validPayload(), iat: nowSec() - 1000, exp: nowSec() - 10 }, keys.privateKey, { algorithm: 'RS256', keyid: keys.kid });
  throwsWithCode(() => signer.verify(token), 'TOKEN_EXPIRED');
});

test('when the token is garbage or lacks sid, then it is refused as INVALID_TOKEN', () => {
  throwsWithCode(() => signer.verify('not.a.jwt'), 'INVALID_TOKEN');
  throwsWithCode(() => signer.verify(''), 'INVALID_TOKEN');
  const { sid: _sid, ...noSid } = validPayload();
  const token = jwt.sign(noSid, keys.privateKey, { algorithm: 'RS256', keyid: keys.kid });
  throwsWithCode(() => signer.verify(token), 'INVALID_TOKEN');
});

test('when the JWKS is read, then its key is an RS256 signing key whose kid is the RFC 7638 thumbprint', async () => {
  assert.equal(keys.jwks.keys.length, 1);
  const jwk = keys.jwks.keys[0];
  assert.equal(jwk.kty, 'RSA');
  assert.equal(jwk.use, 'sig');
  assert.equal(jwk.alg, 'RS256');
  assert.equal(jwk.kid, keys.kid);
  assert.match(jwk.n, /^[A-Za-z0-9_-]{300,}$/);
  assert.equal(jwk.e, 'AQAB');
  const thumbprint = createHash('sha256').update(JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n })).digest('base64url');
  assert.equal(jwk.kid, thumbprint);
  assert.ok(!('d' in jwk) && !('p' in jwk), 'no private parts in the JWKS');
  // A relying party can verify our tokens with nothing but the JWK.
  const key = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' });
  const payload = jwt.verify(await signer.sign(baseClaims, 60), key, { algorithms: ['RS256'], issuer: ISS, audience: AUD }) as jwt.JwtPayload;
  assert.equal(payload.sid, baseClaims.sid);
});

test('when the key file is reloaded, then the kid is stable, the file is 0600 and old tokens still verify', async () => {
  const file = join(dataDir, 'keys', 'jwt-signing-key.pem');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(statSync(join(dataDir, 'keys')).mode & 0o077, 0, 'key directory is not group/world accessible');
  const before = readFileSync(file, 'utf8');
  const token = await signer.sign(baseClaims, 900);
  const reloaded = load();
  assert.equal(reloaded.kid, keys.kid);
  assert.deepEqual(reloaded.jwks, keys.jwks);
  assert.equal(readFileSync(file, 'utf8'), before, 'the key file is not rewritten');
  assert.equal(new JwtAccessTokenSigner(reloaded, ISS, AUD).verify(token).sid, baseClaims.sid);
});

test('when another data dir generates its own key, then it gets another kid and our tokens fail there', async () => {
  const otherDir = mkdtempSync(join(tmpdir(), 'jwt-signer-test-'));
  try {
    const other = load(otherDir);
    assert.notEqual(other.kid, keys.kid);
    const ours = await signer.sign(baseClaims, 900);
    throwsWithCode(() => new JwtAccessTokenSigner(other, ISS, AUD).verify(ours), 'INVALID_TOKEN');
  } finally {
    rmSync(otherDir, { recursive: true, force: true });
  }
});

test('when signing runs on worker threads, then the tokens verify exactly like tokens signed in-process', async () => {
  const { SigningThreadPool } = await import('../../backend/src/infrastructure/crypto/signing-thread-pool');
  const pool = new SigningThreadPool(keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 2);
  try {
    const threaded = new JwtAccessTokenSigner(keys, ISS, AUD, pool);
    const tokens = await Promise.all(Array.from({ length: 8 }, () => threaded.sign(baseClaims, 900)));
    for (const token of tokens) {
      const claims = signer.verify(token);
      assert.equal(claims.sid, baseClaims.sid);
      assert.equal(jwt.decode(token, { complete: true })?.header.kid, keys.kid);
    }
    assert.equal(new Set(tokens.map((t) => signer.verify(t).jti)).size, 8);
  } finally {
    await pool.close();
  }
});

test('when a token is signed for a registered resource (RFC 8707) as at+jwt, then only verify with anyResource accepts it, in-process and on worker threads', async () => {
  const RESOURCE = 'https://reports.example.test/';
  const { SigningThreadPool } = await import('../../backend/src/infrastructure/crypto/signing-thread-pool');
  const pool = new SigningThreadPool(keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 1);
  try {
    for (const s of [new JwtAccessTokenSigner(keys, ISS, AUD, null, [RESOURCE]), new JwtAccessTokenSigner(keys, ISS, AUD, pool, [RESOURCE])]) {
      const token = await s.sign({ ...baseClaims, client_id: 'rp', scope: 'openid' }, 900, { typ: 'at+jwt', audience: RESOURCE });
      const header = jwt.decode(token, { complete: true })!.header;
      assert.deepEqual([header.alg, header.kid, header.typ], ['RS256', keys.kid, 'at+jwt']);
      throwsWithCode(() => s.verify(token), 'INVALID_TOKEN');
      assert.equal(s.verify(token, { anyResource: true }).aud, RESOURCE);
      // Cached after the first verification: the audience rule still holds.
      throwsWithCode(() => s.verify(token), 'INVALID_TOKEN');
      // Our own audience, typed at+jwt: accepted by both.
      const own = await s.sign(baseClaims, 900, { typ: 'at+jwt' });
      assert.equal(s.verify(own).aud, AUD);
      // A signer that does not know the resource refuses the token even with anyResource.
      throwsWithCode(() => signer.verify(token, { anyResource: true }), 'INVALID_TOKEN');
    }
  } finally {
    await pool.close();
  }
});

test('when a signing worker stops on its own, then its slot gets a new worker and every later token is signed', async () => {
  const { SigningThreadPool } = await import('../../backend/src/infrastructure/crypto/signing-thread-pool');
  const pool = new SigningThreadPool(keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 2);
  try {
    const threaded = new JwtAccessTokenSigner(keys, ISS, AUD, pool);
    await Promise.all([threaded.sign(baseClaims, 900), threaded.sign(baseClaims, 900)]);
    // Reaching into the pool: a worker that ends by itself (an uncaught error, out of memory) ends like this.
    const slots = (pool as unknown as { workers: { terminate(): Promise<number> }[] }).workers;
    const stopped = slots[0];
    await stopped.terminate();
    for (let i = 0; i < 200 && slots[0] === stopped; i++) await new Promise((r) => setTimeout(r, 10));
    assert.notEqual(slots[0], stopped, 'the slot has a new worker');
    // Before, a job whose turn fell on the stopped worker was never answered.
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('a signature never came')), 5_000).unref());
    const tokens = await Promise.race([Promise.all(Array.from({ length: 6 }, () => threaded.sign(baseClaims, 900))), timeout]);
    for (const token of tokens) assert.equal(signer.verify(token).sid, baseClaims.sid);
  } finally {
    await pool.close();
  }
});

test('when the same token is verified again, then the cached claims are returned and a tampered copy is still refused', async () => {
  const fresh = new JwtAccessTokenSigner(keys, ISS, AUD);
  const token = await fresh.sign(baseClaims, 900);
  const first = fresh.verify(token);
  assert.equal(fresh.verify(token), first, 'second verification served from the cache');
  assert.ok(Object.isFrozen(first), 'cached claims cannot be changed by a caller');
  const [h, p, s] = token.split('.');
  const flipped = `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`;
  throwsWithCode(() => fresh.verify(flipped), 'INVALID_TOKEN');
});

test('when a cached token reaches its exp, then it is refused as TOKEN_EXPIRED', async (t) => {
  const fresh = new JwtAccessTokenSigner(keys, ISS, AUD);
  const token = await fresh.sign(baseClaims, 60);
  const claims = fresh.verify(token);
  t.mock.method(Date, 'now', () => claims.exp * 1000);
  throwsWithCode(() => fresh.verify(token), 'TOKEN_EXPIRED');
});
