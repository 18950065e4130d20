// npm run soak [-- --minutes N]: the chaos soak of issue 32 with the fault durations (PostgreSQL 30 s,
// Redis 20 s, NATS 60 s), then docs/reliability.md. A failed invariant prints its request ids and exits 1.
import { writeFileSync } from 'node:fs';
import { reliabilityDoc, summary } from './report';
import { runSoak } from './run';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const minutes = Number(arg('minutes') ?? 15);
const short = minutes < 5;
const result = await runSoak({
  durationMs: minutes * 60_000,
  warmUpMs: short ? 10_000 : 30_000,
  people: Number(arg('people') ?? 16),
  // Under five minutes the outages would not fit every fault in: they are scaled down.
  faults: short ? { pgOutageMs: 5_000, redisDownMs: 5_000, natsDownMs: 8_000, gapMs: 4_000 } : { pgOutageMs: 30_000, redisDownMs: 20_000, natsDownMs: 60_000, gapMs: 10_000 },
  log: (line) => console.log(`[soak] ${line}`),
});
console.log(summary(result));
const violations = result.rec.violations();
if (arg('no-doc') === undefined && !process.argv.includes('--no-doc')) {
  writeFileSync(new URL('../../docs/reliability.md', import.meta.url), reliabilityDoc(result, `npm run soak -- --minutes ${minutes}`));
  console.log('[soak] wrote docs/reliability.md');
}
if (violations.length) {
  console.error(`[soak] ${violations.length} invariant violations:`);
  for (const v of violations.slice(0, 200)) console.error(`  ${v}`);
  process.exit(1);
}
process.exit(0);
