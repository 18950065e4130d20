// Scenario "baseline": bench/baseline-server.ts, a bare Express + RS256 verify, as the yardstick the
// validate and /me targets are ratios of.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { signAccessToken } from '../access-token';
import { freePort, spawnNode, stopChild, waitForHttp } from '../children';
import { bearerPerConnection, measure, summarize } from '../load';
import type { ScenarioResult } from '../report';
import { benchEnv } from '../servers';
import { CONNECTIONS, ISSUER, ROOT, USERS, log } from '../settings';

export async function runBaseline(): Promise<ScenarioResult> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const port = await freePort();
  const child = spawnNode({
    name: 'baseline',
    script: 'bench/baseline-server.ts',
    cwd: ROOT,
    port,
    logFile: join(benchEnv.tmp!, 'baseline.log'),
    env: {
      PORT: String(port),
      BASELINE_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }) as string,
      BASELINE_ISSUER: ISSUER,
      BASELINE_AUDIENCE: ISSUER,
    },
  });
  try {
    await waitForHttp(child, '/health');
    const tokens = Array.from({ length: USERS }, () => signAccessToken(privateKey, 'baseline', { sub: randomUUID(), sid: randomUUID(), email: 'someone@example.com' }));
    log('scenario baseline');
    const r = await measure(() => ({
      url: `${child.url}/verify`,
      connections: CONNECTIONS,
      setupClient: bearerPerConnection(tokens),
      verifyBody: (b) => b.includes('"valid":true'),
    }));
    return summarize('baseline', 'baseline: bare Express + RS256 verify', r);
  } finally {
    await stopChild(child);
  }
}
