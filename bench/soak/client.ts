// One HTTP call of the soak: a request id of its own (X-Request-Id, echoed by the server), a bounded timeout,
// its sample recorded, and the "no 500" invariant checked on every answer (503 must carry Retry-After).
import { outcomeOf, type Recorder } from './record';

export interface Answer {
  status: number;
  body: any;
  rid: string;
  at: number;
}

export interface Target {
  name: string;
  url: string;
}

export async function call(rec: Recorder, target: Target, op: string, method: string, path: string, opts: { body?: unknown; token?: string } = {}): Promise<Answer> {
  const rid = rec.nextRequestId();
  const headers: Record<string, string> = { 'x-request-id': rid, 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) soak' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const started = performance.now();
  const phase = rec.phase;
  let status = 0;
  let body: any = null;
  let retryAfter: string | null = null;
  try {
    const res = await fetch(`${target.url}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), signal: AbortSignal.timeout(15_000) });
    status = res.status;
    retryAfter = res.headers.get('retry-after');
    const text = await res.text();
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
  } catch {
    status = 0; // refused, reset or timed out: the instance is down or the answer was lost
  }
  const ms = performance.now() - started;
  const at = Date.now();
  rec.samples.push({ phase, target: target.name, op, outcome: outcomeOf(status), status, ms, rid, at });
  if (status !== 0) {
    const ok = status < 500 || (status === 503 && retryAfter !== null && Number(retryAfter) >= 1);
    rec.check('no 500 (503 only with Retry-After)', ok, () => `${rid} [${phase}] ${method} ${target.name}${path} answered ${status}${status === 503 ? ' without Retry-After' : ''}: ${JSON.stringify(body)?.slice(0, 200)}`);
  }
  return { status, body, rid, at };
}
