// The IP location lookup (issue 33) in process: ns per MmdbIpLocator.locate() for a public IPv4 and IPv6
// address the bundled country database knows, and a private address (which is refused before any database
// read). `npm run bench` runs it before the servers start and puts the table in docs/benchmarks.md;
// `npm run bench:geo` runs it alone and prints the table. No server, no database: the reader is a walk down
// a binary tree in a Buffer, so a loop of calls is the whole scenario.
import { countryName } from '../backend/src/domain/location';
import { MmdbIpLocator, publicAddress } from '../backend/src/infrastructure/geo/mmdb-ip-locator';

export interface IpLookupResult {
  label: string;
  address: string;
  /** What the lookup returned, e.g. "DE" or "none". */
  result: string;
  /** Median over the rounds, and the fastest and slowest round. */
  nsPerLookup: number;
  minNs: number;
  maxNs: number;
}

export interface IpLookupReport {
  rounds: number;
  lookupsPerRound: number;
  results: IpLookupResult[];
}

const ADDRESSES = [
  { label: 'public IPv4', address: '81.169.145.1' },
  { label: 'public IPv6', address: '2a00:1450:4001:80b::200e' },
  { label: 'IPv4-mapped IPv6', address: '::ffff:81.169.145.1' },
  { label: 'private IPv4', address: '192.168.1.20' },
];

/** Times `calls` of f in rounds; the number of truthy answers must be `truthy` per call (so none is optimised away). */
function time(f: () => unknown, rounds: number, calls: number, truthy: boolean): number[] {
  for (let i = 0; i < 20_000; i++) f(); // warm-up: the JIT settles before anything is timed
  const perRound: number[] = [];
  let hits = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) if (f()) hits++;
    perRound.push(Number(process.hrtime.bigint() - t0) / calls);
  }
  if (hits !== (truthy ? rounds * calls : 0)) throw new Error('a timed call changed its answer');
  return perRound.sort((a, b) => a - b);
}

export function measureIpLookup(rounds = Number(process.env.BENCH_GEO_ROUNDS ?? 7), lookupsPerRound = Number(process.env.BENCH_GEO_LOOKUPS ?? 20_000)): IpLookupReport {
  const locator = MmdbIpLocator.open(null);
  const probes: { label: string; address: string; result: string; run: () => unknown }[] = ADDRESSES.map(({ label, address }) => ({
    label,
    address,
    result: locator.locate(address)?.countryCode ?? 'none',
    run: () => locator.locate(address),
  }));
  // Where a public IPv4 lookup's time goes: the address check (ipaddr.js) and the country's name (Intl).
  probes.push({ label: 'of which: address check', address: '81.169.145.1', result: String(publicAddress('81.169.145.1')), run: () => publicAddress('81.169.145.1') });
  probes.push({ label: 'of which: country name', address: 'DE', result: String(countryName('DE')), run: () => countryName('DE') });
  const results = probes.map(({ label, address, result, run }) => {
    const perRound = time(run, rounds, lookupsPerRound, result !== 'none');
    return { label, address, result, nsPerLookup: perRound[Math.floor(rounds / 2)], minNs: perRound[0], maxNs: perRound[rounds - 1] };
  });
  return { rounds, lookupsPerRound, results };
}

const ns = (n: number) => Math.round(n).toLocaleString('en-US');

export function ipLookupLines(r: IpLookupReport): string[][] {
  return r.results.map((x) => [x.label, `\`${x.address}\``, x.result.replace('81.169.145.1', 'public'), ns(x.nsPerLookup), `${ns(x.minNs)}–${ns(x.maxNs)}`]);
}

export const IP_LOOKUP_HEAD = ['address', 'example', 'result', 'ns per lookup (median)', 'range over rounds'];

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = measureIpLookup();
  console.log(`${r.rounds} rounds of ${r.lookupsPerRound.toLocaleString('en-US')} lookups each, Node ${process.version}`);
  for (const line of [IP_LOOKUP_HEAD, ...ipLookupLines(r)]) console.log(line.map((c, i) => (i < 3 ? c.padEnd(26) : c.padStart(24))).join(''));
}
