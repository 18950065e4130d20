// The OAuth scenarios on the seeded server A (the bench client and its sessions come from oauth-setup.ts):
//   oauth-refresh             POST /oauth/token grant_type=refresh_token at a fixed rate (OAUTH_REFRESH.rate,
//                             default 100 req/s), each connection following its own rotation chain; p95 from
//                             every response time of the measured run (autocannon reports no p95).
//   oauth-client-credentials  POST /oauth/token grant_type=client_credentials, as fast as it goes.
//   oauth-introspect          POST /oauth/introspect of the seeded users' access tokens, as fast as it goes,
//                             beside `validate` (GET /api/auth/validate on the same tokens, same server, same run).
// Every request authenticates the client by HTTP Basic (client_secret_basic).
import type autocannon from 'autocannon';
import { bearerPerConnection, cannon, measure, percentile, summarize } from '../load';
import { CONNECTIONS, OAUTH_REFRESH, log } from '../settings';
import { brokenNote, runChainLoad } from './chains';
import { benchClient, clientChains, formHeaders } from './oauth-setup';
import type { AppScenario } from './types';

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

export const oauthRefresh: AppScenario = {
  id: 'oauth-refresh',
  async run({ base, seeded }) {
    const ob = await benchClient();
    const chains = await clientChains(base, seeded, OAUTH_REFRESH.connections);
    log(`scenario oauth-refresh (${OAUTH_REFRESH.rate} req/s over ${OAUTH_REFRESH.connections} connections)`);
    const latencies: number[] = [];
    const { result: r, phases } = await runChainLoad(
      chains,
      {
        path: '/oauth/token',
        headers: formHeaders(ob.basic),
        body: (token) => form({ grant_type: 'refresh_token', refresh_token: token }),
        tokenField: 'refresh_token',
      },
      {
        url: base,
        connections: OAUTH_REFRESH.connections,
        overallRate: OAUTH_REFRESH.rate,
        // Its correction assumes an expected interval of ceil(1 / per-connection rate) = 1 ms and fills the
        // histogram with invented samples; p50/p99 here are raw response times, like the p95 below. A server
        // that cannot keep up shows as req/s below the rate.
        ignoreCoordinatedOmission: true,
        verifyBody: (b) => b.includes('"refresh_token"'),
      },
      (ms) => latencies.push(ms),
    );
    const m = phases.measure;
    const p95 = percentile(latencies, 95);
    const notes = [
      `p95 ${p95.toFixed(1)} ms (nearest rank over all ${latencies.length} response times of the measured run); target rate ${OAUTH_REFRESH.rate} req/s`,
      `${m.length} independent chains; ${brokenNote(m)}`,
    ];
    const result = summarize('oauth-refresh', `POST /oauth/token refresh_token grant at ${OAUTH_REFRESH.rate} req/s (fixed rate)`, r, notes);
    return { ...result, p95 };
  },
};

export const oauthClientCredentials: AppScenario = {
  id: 'oauth-client-credentials',
  async run({ base }) {
    const ob = await benchClient();
    log('scenario oauth-client-credentials');
    const r = await measure(() => ({
      url: `${base}/oauth/token`,
      method: 'POST',
      connections: CONNECTIONS,
      headers: formHeaders(ob.basic),
      body: form({ grant_type: 'client_credentials' }),
      verifyBody: (b) => b.includes('"access_token"'),
    }));
    return summarize('oauth-client-credentials', 'POST /oauth/token client_credentials grant (signs an RS256 token each)', r);
  },
};

/** Rounds of the paired introspect/validate comparison, and seconds per run in each round. */
const PAIRED = { rounds: 3, seconds: 3 };

export const oauthIntrospect: AppScenario = {
  id: 'oauth-introspect',
  async run({ base, seeded }) {
    const ob = await benchClient();
    log('scenario oauth-introspect');
    const tokens = seeded.accessTokens;
    const introspect = (): autocannon.Options => {
      let n = 0;
      return {
        url: `${base}/oauth/introspect`,
        method: 'POST',
        connections: CONNECTIONS,
        // Each connection introspects the access token of its own user, as `validate` validates it.
        setupClient: (client) => client.setHeadersAndBody(formHeaders(ob.basic), form({ token: tokens[n++ % tokens.length] })),
        verifyBody: (b) => b.includes('"active":true'),
      };
    };
    const validate = (): autocannon.Options => ({
      url: `${base}/api/auth/validate`,
      connections: CONNECTIONS,
      setupClient: bearerPerConnection(tokens),
      verifyBody: (b) => b.includes('"valid":true'),
    });
    const r = await measure(introspect);
    // On a machine shared with other work the load drifts within minutes, so the ratio to validate is also
    // measured in alternating short runs (validate, introspect, validate, ...); the median round is the figure.
    const ratios: number[] = [];
    for (let i = 0; i < PAIRED.rounds; i++) {
      const v = await cannon({ ...validate(), duration: PAIRED.seconds });
      const x = await cannon({ ...introspect(), duration: PAIRED.seconds });
      ratios.push(x.requests.average / v.requests.average);
    }
    const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)];
    const notes = [
      `paired with GET /api/auth/validate in ${PAIRED.rounds} alternating rounds of ${PAIRED.seconds} s each: introspect/validate req/s ` +
        `${ratios.map((x) => x.toFixed(2)).join(', ')} (median ${median.toFixed(2)})`,
    ];
    return { ...summarize('oauth-introspect', 'POST /oauth/introspect (user access tokens, client_secret_basic)', r, notes), pairedRatio: median };
  },
};

/** How the OAuth and NATS scenarios were set up, for the report's settings section. */
export const OAUTH_SETTINGS = [
  'OAuth: one confidential client (password, refresh_token and client_credentials grants, scope `api:read`, and `tokens:introspect` to introspect tokens not its own) registered with ' +
    '`npm run cli -- clients create` on the bench database while server A runs; every request authenticates it by HTTP Basic. ' +
    `The refresh_token grant runs at a fixed ${OAUTH_REFRESH.rate} req/s (autocannon \`overallRate\`) over ${OAUTH_REFRESH.connections} connections, ` +
    'each following the rotation chain of its own session opened by the password grant (different sessions for warm-up and measured run); ' +
    'its p95 is the nearest-rank 95th percentile of every response time of the measured run. client_credentials and introspection run ' +
    'flat out; introspection checks the same user access tokens as GET /api/auth/validate on the same server, and is then compared with it in ' +
    'three alternating 3 s rounds (validate, introspect) whose median ratio is the target figure.',
  'Code flow: a second confidential client (`authorization_code` and `refresh_token` grants, consent skipped, scopes `openid profile email ' +
    'offline_access`), also registered with the CLI. Codes live 60 s and are single use, so each run of the authorization_code grant gets ' +
    'its own, minted right before it through the real flow (GET /oauth/authorize with a PKCE S256 challenge, then the web app\'s GET ' +
    '/api/oauth/authorization/{handle} with a seeded user\'s first-party access token, 8 flows at a time), and makes exactly as many ' +
    'requests as it has codes: 200 in the warm-up, whose rate sizes the measured run (1.5 × that rate × the measured duration, fewer if ' +
    'minting them would take over 30 s). Its req/s is answers divided by the time from the run\'s start to its last answer; its rows and transactions per exchange are pg_stat_database deltas read 11 s after the minting and after the run (a backend reports its counts within 10 s). Userinfo uses one code-flow ' +
    'access token per seeded user and is compared with validate in three alternating 3 s rounds. Both run last on server A (every exchange ' +
    'opens a session) and are listed next to validate.',
  'NATS: `auth.validate` request/reply on server N (server A\'s settings plus `NATS_URL` and a fresh `NATS_SUBJECT_PREFIX`, so the outbox ' +
    'relay also runs), driven from the load generator by as many concurrent request loops as HTTP connections, on one NATS connection.',
];
