// `npm run bench:passkeys`: passkey sign-in (POST /api/auth/passkey/verify) beside password sign-in
// (POST /api/auth/login at BCRYPT_COST=12) on the real app (in process, fresh PostgreSQL database). Each
// passkey request needs its own challenge and signature, so the assertions are made first (options +
// software authenticator, test/helpers/soft-authenticator.ts) and only the verify requests are timed.
// Not part of `npm run bench` (its load generator replays one request; this one cannot). Results: printed.
import { performance } from 'node:perf_hooks';
import { startTestApp, TEST_PASSWORD } from '../test/helpers/app';
import { SoftAuthenticator } from '../test/helpers/soft-authenticator';

const ORIGIN = 'https://id.bench.test';
const REQUESTS = Number(process.env.BENCH_PASSKEY_REQUESTS ?? 400);
const CONCURRENCY = Number(process.env.BENCH_PASSKEY_CONCURRENCY ?? 8);

async function timed(label: string, work: (() => Promise<number>)[]): Promise<void> {
  const latencies: number[] = [];
  let next = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < work.length) {
        const job = work[next++];
        const t0 = performance.now();
        if ((await job()) !== 200) failed++;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(1);
  console.log(`${label.padEnd(28)} ${String(work.length).padStart(5)} req  ${(work.length / seconds).toFixed(0).padStart(6)} req/s  p50 ${pct(50)} ms  p99 ${pct(99)} ms  failed ${failed}`);
}

const app = await startTestApp({ env: { PUBLIC_URL: ORIGIN, BCRYPT_COST: '12', BCRYPT_WORKERS: String(Math.max(1, (await import('node:os')).availableParallelism())), LOG_LEVEL: 'warn' } });
try {
  const email = 'bench-passkey@example.test';
  await app.http.post('/api/auth/register').send({ email, password: TEST_PASSWORD }).expect(201);
  const login = await app.http.post('/api/auth/login').send({ email, password: TEST_PASSWORD }).expect(200);
  const authenticator = new SoftAuthenticator({ origin: ORIGIN, counterStep: 0 });
  const options = await app.http.post('/api/user/passkeys/registration/options').set('Authorization', `Bearer ${login.body.accessToken}`).send({}).expect(200);
  await app.http.post('/api/user/passkeys/registration/verify').set('Authorization', `Bearer ${login.body.accessToken}`).send({ credential: authenticator.create(options.body.options) }).expect(201);

  const assertions = [];
  for (let i = 0; i < REQUESTS; i++) {
    const o = await app.http.post('/api/auth/passkey/options').send({}).expect(200);
    assertions.push(authenticator.get(o.body.options));
  }
  console.log(`machine: ${(await import('node:os')).availableParallelism()} cores; concurrency ${CONCURRENCY}`);
  await timed('passkey verify', assertions.map((credential) => async () => (await fetch(`${app.url}/api/auth/passkey/verify`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ credential }) })).status));
  await timed('password login (cost 12)', Array.from({ length: Math.min(REQUESTS, 100) }, () => async () => (await fetch(`${app.url}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password: TEST_PASSWORD }) })).status));
} finally {
  await app.close();
}
