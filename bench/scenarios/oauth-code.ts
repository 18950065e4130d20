// The OpenID Connect code flow on the seeded server A (issue 24), beside validate:
//   oauth-code      POST /oauth/token grant_type=authorization_code (client_secret_basic, PKCE S256, scope
//                   `openid profile email offline_access`: access token, ID token and refresh token), as fast as
//                   it goes. A code is single use and lives 60 s, so each run gets its own codes, minted right
//                   before it through the real flow: GET /oauth/authorize with the code's S256 challenge, then
//                   the web app's GET /api/oauth/authorization/{handle} with a seeded user's first-party access
//                   token, which answers with the redirect carrying the code (the client skips consent). A run
//                   makes exactly as many requests as it has codes (autocannon `amount`); the warm-up's rate
//                   sizes the measured run (1.5 × its rate × BENCH_DURATION codes).
//   oauth-userinfo  GET /oauth/userinfo with access tokens of the code flow, one per connection, as fast as it
//                   goes, then in alternating short runs with GET /api/auth/validate on the seeded tokens.
// Both run last on server A: every exchange opens a session, and the earlier scenarios (the session list
// above all) should see the seeded data only.
import type autocannon from 'autocannon';
import * as oidc from 'openid-client';
import pg from 'pg';
import { api, bearerPerConnection, cannon, measure, measuredRun, pool, summarize } from '../load';
import type { ScenarioResult } from '../report';
import { benchEnv } from '../servers';
import { CONNECTIONS, DURATION, log } from '../settings';
import { CODE_SCOPE, REDIRECT_URI, codeClient, formHeaders, type OAuthClientAuth } from './oauth-setup';
import type { AppScenario } from './types';

interface Minted {
  code: string;
  verifier: string;
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/** Concurrent mints (each is two requests to server A). */
const MINT_CONCURRENCY = 8;
/** Codes of the warm-up run, which also measures the rate that sizes the measured run. */
const WARMUP_CODES = 200;
/** Codes are valid 60 s (CODE_TTL_SECONDS): minting, the 11 s wait for the database counters and the run must fit in that. */
const MINT_BUDGET_SECONDS = 30;
const MAX_CODES = 20_000;

async function mintCode(base: string, clientId: string, accessToken: string): Promise<Minted> {
  const verifier = oidc.randomPKCECodeVerifier();
  const challenge = await oidc.calculatePKCECodeChallenge(verifier);
  const url = new URL('/oauth/authorize', base);
  url.search = form({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    scope: CODE_SCOPE,
    state: 'bench',
    nonce: 'bench',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const start = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(30_000) });
  await start.body?.cancel();
  const location = start.headers.get('location') ?? '';
  const handle = new URL(location, base).searchParams.get('request');
  if (start.status !== 303 || !handle) throw new Error(`GET /oauth/authorize: ${start.status} ${location.slice(0, 200)}`);
  const step = await api(base, 'GET', `/api/oauth/authorization/${encodeURIComponent(handle)}`, undefined, accessToken);
  const redirectTo: unknown = step.json?.redirectTo;
  const code = step.status === 200 && typeof redirectTo === 'string' ? new URL(redirectTo).searchParams.get('code') : null;
  if (!code) throw new Error(`authorization step: ${step.status} ${JSON.stringify(step.json).slice(0, 200)}`);
  return { code, verifier };
}

/** `n` codes approved by the seeded users in turn (each user's browser session approves its share). */
async function mintCodes(base: string, client: OAuthClientAuth, tokens: string[], n: number): Promise<{ codes: Minted[]; seconds: number }> {
  const t0 = performance.now();
  const codes = await pool(
    Array.from({ length: n }, (_, i) => tokens[i % tokens.length]),
    MINT_CONCURRENCY,
    (token) => mintCode(base, client.clientId, token),
  );
  return { codes, seconds: (performance.now() - t0) / 1000 };
}

const exchangeBody = (c: Minted) => form({ grant_type: 'authorization_code', code: c.code, redirect_uri: REDIRECT_URI, code_verifier: c.verifier });

/**
 * `amount` exchanges over up to CONNECTIONS connections, each with the next unused code. autocannon prepares a
 * connection's next request when an answer arrives, also after its last one, so `codes` holds a spare code per
 * connection beyond `amount` (a prepared request is never sent; its code just expires).
 */
function exchangeLoad(base: string, client: OAuthClientAuth, codes: Minted[], amount: number): autocannon.Options {
  let next = 0;
  return {
    url: base,
    connections: Math.min(CONNECTIONS, amount),
    amount,
    requests: [
      {
        method: 'POST',
        path: '/oauth/token',
        headers: formHeaders(client.basic),
        // Past the spares a code is sent twice: the server's invalid_grant then shows as non-2xx.
        setupRequest: (req) => ({ ...req, body: exchangeBody(codes[Math.min(next++, codes.length - 1)]) }),
      },
    ],
    verifyBody: (b) => b.includes('"id_token"') && b.includes('"refresh_token"'),
  };
}

/** One amount-bound run; req/s over the time from its start to its last answer (autocannon's last per-second sample would count the idle rest of that second). */
async function timedExchange(run: (opts: autocannon.Options, onLatency: () => void) => Promise<autocannon.Result>, opts: autocannon.Options) {
  const t0 = performance.now();
  let last = t0;
  const r = await run(opts, () => (last = performance.now()));
  const seconds = (last - t0) / 1000;
  return { r, seconds, rps: r.requests.total / seconds };
}

type DbCounters = Record<'xact_commit' | 'xact_rollback' | 'tup_inserted' | 'tup_updated' | 'tup_deleted' | 'tup_fetched', number>;

/**
 * The bench database's transaction and row counters (pg_stat_database) once every backend has reported: an
 * idle backend holds its counts for up to 10 s (PostgreSQL's PGSTAT_IDLE_INTERVAL) before it reports them.
 */
async function settledCounters(): Promise<DbCounters> {
  await new Promise((r) => setTimeout(r, 11_000));
  const c = new pg.Client({ connectionString: benchEnv.db!.url });
  await c.connect();
  try {
    const { rows } = await c.query<Record<keyof DbCounters, string>>(
      'SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted, tup_fetched FROM pg_stat_database WHERE datname = current_database()',
    );
    return Object.fromEntries(Object.entries(rows[0]).map(([k, v]) => [k, Number(v)])) as DbCounters;
  } finally {
    await c.end();
  }
}

export const oauthCode: AppScenario = {
  id: 'oauth-code',
  async run({ base, seeded }) {
    const client = await codeClient();
    log('scenario oauth-code');
    const spare = CONNECTIONS;
    const warmMint = await mintCodes(base, client, seeded.accessTokens, WARMUP_CODES + spare);
    const mintRate = warmMint.codes.length / warmMint.seconds;
    const warm = await timedExchange((o, cb) => cannon(o, cb), exchangeLoad(base, client, warmMint.codes, WARMUP_CODES));
    // The warm-up (cold connections, 200 codes) runs slower than the measured run: half again as many codes.
    const wanted = Math.ceil(1.5 * warm.rps * DURATION);
    const budget = Math.floor(mintRate * MINT_BUDGET_SECONDS) - spare;
    const amount = Math.max(4 * CONNECTIONS, Math.min(wanted, budget, MAX_CODES));
    log(`oauth-code: warm-up ${Math.round(warm.rps)} exchanges/s; minting ${amount + spare} codes at ~${Math.round(mintRate)}/s for the measured run`);
    const minted = await mintCodes(base, client, seeded.accessTokens, amount + spare);
    const before = await settledCounters();
    const { r, seconds, rps } = await timedExchange(measuredRun, exchangeLoad(base, client, minted.codes, amount));
    const after = await settledCounters();
    const per = (k: keyof DbCounters) => ((after[k] - before[k]) / Math.max(1, r.requests.total)).toFixed(2);
    const notes = [
      `${amount} codes, each used once, minted through GET /oauth/authorize + the web app's authorization step in ${minted.seconds.toFixed(1)} s ` +
        `(${Math.round(minted.codes.length / minted.seconds)} codes/s over ${MINT_CONCURRENCY} concurrent flows) right before the run; ` +
        `req/s = ${r.requests.total} answers / ${seconds.toFixed(2)} s from the run's start to its last answer`,
      `PostgreSQL per exchange (pg_stat_database of the bench database over the measured run): ${per('xact_commit')} transactions committed, ` +
        `rows ${per('tup_inserted')} inserted, ${per('tup_updated')} updated, ${per('tup_deleted')} deleted, ${per('tup_fetched')} fetched`,
      ...(amount < wanted ? [`measured run shortened to ${amount} codes (${wanted} wanted for ${DURATION} s): minting must stay within the codes' 60 s lifetime`] : []),
    ];
    const result: ScenarioResult = summarize('oauth-code', 'POST /oauth/token authorization_code grant (PKCE S256, openid profile email offline_access)', r, notes);
    return { ...result, rps };
  },
};

/** Rounds of the paired userinfo/validate comparison, and seconds per run in each round (as for introspection). */
const PAIRED = { rounds: 3, seconds: 3 };

export const oauthUserinfo: AppScenario = {
  id: 'oauth-userinfo',
  async run({ base, seeded }) {
    const client = await codeClient();
    log('scenario oauth-userinfo');
    // One code-flow access token per seeded user (its own client session), exchanged once, outside the load.
    const { codes } = await mintCodes(base, client, seeded.accessTokens, seeded.accessTokens.length);
    const tokens = await pool(codes, MINT_CONCURRENCY, async (c) => {
      const res = await fetch(`${base}/oauth/token`, { method: 'POST', headers: formHeaders(client.basic), body: exchangeBody(c), signal: AbortSignal.timeout(30_000) });
      const body = (await res.json()) as { access_token?: string };
      if (res.status !== 200 || !body.access_token) throw new Error(`code exchange: ${res.status} ${JSON.stringify(body)}`);
      return body.access_token;
    });
    const userinfo = (): autocannon.Options => ({
      url: `${base}/oauth/userinfo`,
      connections: CONNECTIONS,
      setupClient: bearerPerConnection(tokens),
      verifyBody: (b) => b.includes('"sub"') && b.includes('"email"'),
    });
    const validate = (): autocannon.Options => ({
      url: `${base}/api/auth/validate`,
      connections: CONNECTIONS,
      setupClient: bearerPerConnection(seeded.accessTokens),
      verifyBody: (b) => b.includes('"valid":true'),
    });
    const r = await measure(userinfo);
    // The validate row was measured minutes earlier; alternating short runs give the ratio on equal terms.
    const ratios: number[] = [];
    for (let i = 0; i < PAIRED.rounds; i++) {
      const v = await cannon({ ...validate(), duration: PAIRED.seconds });
      const u = await cannon({ ...userinfo(), duration: PAIRED.seconds });
      ratios.push(u.requests.average / v.requests.average);
    }
    const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)];
    const notes = [
      `paired with GET /api/auth/validate in ${PAIRED.rounds} alternating rounds of ${PAIRED.seconds} s each: userinfo/validate req/s ` +
        `${ratios.map((x) => x.toFixed(2)).join(', ')} (median ${median.toFixed(2)})`,
    ];
    return summarize('oauth-userinfo', 'GET /oauth/userinfo (access tokens of the code flow)', r, notes);
  },
};
