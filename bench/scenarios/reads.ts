// Read scenarios on the seeded server: each connection sends the access token of its own user.
import { bearerPerConnection, measure, summarize } from '../load';
import { CONNECTIONS, log } from '../settings';
import type { AppScenario } from './types';

/** A GET scenario: every response must contain `expect`. */
function getScenario(id: AppScenario['id'], path: string, expect: string, title?: (ctx: Parameters<AppScenario['run']>[0]) => string): AppScenario {
  return {
    id,
    async run(ctx) {
      log(`scenario ${id}`);
      const r = await measure(() => ({ url: `${ctx.base}${path}`, connections: CONNECTIONS, setupClient: bearerPerConnection(ctx.seeded.accessTokens), verifyBody: (b) => b.includes(expect) }));
      return summarize(id, title ? title(ctx) : `GET ${path}`, r);
    },
  };
}

export const validate = getScenario('validate', '/api/auth/validate', '"valid":true');
export const me = getScenario('me', '/api/user/me', '"user"');
export const sessions = getScenario('sessions', '/api/user/sessions', '"sessions"', (ctx) => `GET /api/user/sessions (${ctx.sessionsPerUser} sessions/user)`);

/** The floor's session list (bench/floor-server.ts): a bare node:http handler doing the same work. */
export const floorSessions: AppScenario = {
  id: 'floor-sessions',
  async run(ctx) {
    log('scenario floor-sessions');
    const f = ctx.floor!;
    const r = await measure(() => ({ url: `${f.child.url}/sessions`, connections: CONNECTIONS, setupClient: bearerPerConnection(f.accessTokens), verifyBody: (b) => b.includes('"sessions"') }));
    return summarize('floor-sessions', `floor: bare node:http session list (${ctx.sessionsPerUser} sessions/user)`, r);
  },
};
