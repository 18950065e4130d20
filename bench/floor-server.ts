// The floor for the refresh and session-list targets (issue 15): a bare node:http server doing the same
// work as the app on its own minimal schema (bench/floor-schema.sql) in its own database — and nothing else:
// no framework, no middleware, no validation beyond reading the one field, no logging, no metrics, no limits.
//   POST /refresh  {refreshToken}: one rotation with a rotated-token history row and the owner (one statement,
//                  like the app's), an RS256 access token with the app's claims, JSON out.
//   GET /sessions  Bearer token (RS256-verified once, then cached until exp, as the app does): the user's live
//                  sessions, newest first, JSON out with ISO timestamps: the app's session view (http/mappers.ts
//                  sessionView), the same 15 fields from the same 14 columns, derived the same way.
// Env: PORT, FLOOR_DATABASE_URL, FLOOR_PRIVATE_KEY (PEM), FLOOR_ISSUER, FLOOR_POOL (default 10, the app's).
import { createHash, createHmac, createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import http from 'node:http';
import jwt from 'jsonwebtoken';
import pg from 'pg';

const privateKey = createPrivateKey(process.env.FLOOR_PRIVATE_KEY ?? '');
const publicKey = createPublicKey(privateKey);
const issuer = process.env.FLOOR_ISSUER ?? 'floor';
const pool = new pg.Pool({ connectionString: process.env.FLOOR_DATABASE_URL, max: Number(process.env.FLOOR_POOL ?? 10) });
const successorKey = Buffer.from('floor-successor-key');
const IDLE_TTL_MS = 30 * 24 * 3600 * 1000;
const ACCESS_TTL = 900;

const ROTATE = `
  WITH rotated AS (
    UPDATE floor_session SET refresh_token_hash = $2, last_active_at = $3, idle_expires_at = LEAST(expires_at, $4)
    WHERE refresh_token_hash = $1 AND revoked_at IS NULL AND expires_at > $3 AND idle_expires_at > $3
    RETURNING id, user_id, aal, expires_at, idle_expires_at
  ), history AS (
    INSERT INTO floor_rotated (token_hash, session_id, rotated_at) SELECT $1, id, $3 FROM rotated
  )
  SELECT r.id, r.user_id, r.aal, r.expires_at, r.idle_expires_at, u.email, u.username, u.role, u.status
  FROM rotated r JOIN floor_user u ON u.id = r.user_id`;

const LIST = `
  SELECT id, user_agent, ip_address, device_name, browser, os, device_type, name, last_seen_at, last_seen_ip, aal, created_at, last_active_at, expires_at
  FROM floor_session WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 AND idle_expires_at > $2
  ORDER BY last_active_at DESC, id`;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (data += c));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

async function refresh(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  let token: unknown;
  try {
    token = JSON.parse(await readBody(req))?.refreshToken;
  } catch {
    token = undefined;
  }
  if (typeof token !== 'string') return send(res, 400, { error: 'refreshToken required' });
  const now = new Date();
  const next = createHmac('sha256', successorKey).update(token).digest('base64url');
  const { rows } = await pool.query({ name: 'rotate', text: ROTATE, values: [sha256(token), sha256(next), now, new Date(now.getTime() + IDLE_TTL_MS)] });
  const s = rows[0];
  if (!s) return send(res, 401, { error: 'invalid refresh token' });
  const left = Math.floor((Math.min(s.expires_at.getTime(), s.idle_expires_at.getTime()) - now.getTime()) / 1000);
  const ttl = Math.max(1, Math.min(ACCESS_TTL, left));
  const accessToken = jwt.sign({ sub: s.user_id, sid: s.id, role: s.role, aal: s.aal, email: s.email, username: s.username }, privateKey, {
    algorithm: 'RS256',
    keyid: 'floor',
    expiresIn: ttl,
    issuer,
    audience: issuer,
    jwtid: randomUUID(),
  });
  send(res, 200, {
    accessToken,
    refreshToken: next,
    tokenType: 'Bearer',
    expiresIn: ttl,
    sessionId: s.id,
    user: { id: s.user_id, email: s.email, username: s.username, role: s.role, status: s.status },
  });
}

const verified = new Map<string, jwt.JwtPayload>();

function claimsOf(req: http.IncomingMessage): jwt.JwtPayload | null {
  const h = req.headers.authorization ?? '';
  const token = h.startsWith('Bearer ') ? h.slice(7) : '';
  let c = verified.get(token);
  if (!c) {
    try {
      c = jwt.verify(token, publicKey, { algorithms: ['RS256'], issuer, audience: issuer }) as jwt.JwtPayload;
    } catch {
      return null;
    }
    verified.set(token, c);
  }
  return c.exp! > Date.now() / 1000 ? c : null;
}

async function sessions(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const c = claimsOf(req);
  if (!c) return send(res, 401, { error: 'unauthenticated' });
  const { rows } = await pool.query({ name: 'list', text: LIST, values: [c.sub, new Date()] });
  send(res, 200, {
    sessions: rows.map((r) => ({
      id: r.id,
      current: r.id === c.sid,
      browser: r.browser,
      os: r.os,
      deviceType: r.device_type,
      deviceName: r.device_name,
      name: r.name,
      userAgent: r.user_agent,
      ipAddress: r.ip_address,
      lastIpAddress: r.last_seen_ip ?? r.ip_address,
      createdAt: r.created_at.toISOString(),
      lastActiveAt: r.last_active_at.toISOString(),
      lastSeenAt: (r.last_seen_at && r.last_seen_at > r.last_active_at ? r.last_seen_at : r.last_active_at).toISOString(),
      expiresAt: r.expires_at.toISOString(),
      aal: r.aal,
    })),
  });
}

const server = http.createServer((req, res) => {
  const route = req.method === 'POST' && req.url === '/refresh' ? refresh : req.method === 'GET' && req.url === '/sessions' ? sessions : null;
  if (req.url === '/health') return send(res, 200, { status: 'ok' });
  if (!route) return send(res, 404, { error: 'not found' });
  route(req, res).catch((err) => {
    console.error(err);
    if (!res.headersSent) send(res, 500, { error: 'internal' });
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
const stop = () => server.close(() => void pool.end().finally(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
