// Baseline for the benchmark: a bare Express 5 app whose one route verifies an RS256 JWT (2048-bit key) with
// jsonwebtoken and returns JSON — no helmet, request ids, logging, database or revocation check.
// Env: PORT, BASELINE_PUBLIC_KEY (PEM), BASELINE_ISSUER, BASELINE_AUDIENCE.
import { createPublicKey } from 'node:crypto';
import express from 'express';
import jwt from 'jsonwebtoken';

const port = Number(process.env.PORT ?? 0);
const publicKey = createPublicKey(process.env.BASELINE_PUBLIC_KEY ?? '');
const issuer = process.env.BASELINE_ISSUER ?? 'bench';
const audience = process.env.BASELINE_AUDIENCE ?? 'bench';

const app = express();
app.disable('x-powered-by');
app.set('etag', false);

app.get('/health', (_req, res) => {
  res.json({ status: 'ok' });
});

app.get('/verify', (req, res) => {
  const header = req.get('authorization') ?? '';
  const token = header.startsWith('Bearer ') ? header.slice(7) : '';
  try {
    const claims = jwt.verify(token, publicKey, { algorithms: ['RS256'], issuer, audience }) as jwt.JwtPayload;
    res.json({ valid: true, claims: { sub: claims.sub, sid: claims.sid, role: claims.role, aal: claims.aal, exp: claims.exp } });
  } catch {
    res.status(401).json({ valid: false });
  }
});

const server = app.listen(port, '127.0.0.1');
server.keepAliveTimeout = 65_000;
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
