// Scenario "me-info": /me again on a server at LOG_LEVEL=info, to show what one JSON log line per request costs.
import { stopChild } from '../children';
import { bearerPerConnection, measure, summarize } from '../load';
import type { ScenarioResult } from '../report';
import { errorLines, startApp, type Seeded } from '../servers';
import { CONNECTIONS, SEED_COST, log } from '../settings';

export async function runMeInfo(seeded: Seeded, maxSessions: number, profileDir: string | undefined): Promise<ScenarioResult | undefined> {
  const b = await startApp({ name: 'server-B', logLevel: 'info', bcryptCost: SEED_COST, maxSessionsPerUser: maxSessions, profileDir });
  let result: ScenarioResult | undefined;
  try {
    log('scenario me-info');
    const r = await measure(() => ({ url: `${b.url}/api/user/me`, connections: CONNECTIONS, setupClient: bearerPerConnection(seeded.accessTokens), verifyBody: (x) => x.includes('"user"') }));
    result = summarize('me-info', 'GET /api/user/me with LOG_LEVEL=info', r);
    return result;
  } finally {
    await stopChild(b);
    const errs = errorLines(b);
    if (errs.count) result?.notes.push(`server logged ${errs.count} error-level line(s); first: \`${errs.first}\``);
  }
}
