// NATS request/reply: the second driving adapter beside HTTP. Each subject gets a handler that calls the
// same domain services with the same validation chains; replies are the HTTP success bodies, or
// {"error": {code, message, details?}} with the same codes. Every instance subscribes in one queue group,
// so NATS hands each request to exactly one of them.
import { findUnreadableText } from '../http/storable-text';
import { validationResult, type ValidationChain } from 'express-validator';
import type { Msg, NatsConnection, Subscription } from 'nats';
import { DomainError, Errors } from '../domain/errors';
import { chainsOf, type InputOf, type Shape } from '../http/fields';
import { validationFailure } from '../http/validate';
import type { RequestContext } from '../domain/types';
import type { Logger } from '../infrastructure/logger';

/** A decoded request: the JSON body (HTTP's request body), the caller's access token and where the user is. */
export interface InboundMessage {
  body: Record<string, unknown>;
  accessToken: string | null;
  context: RequestContext;
}

export type MessageHandler = (msg: InboundMessage) => Promise<unknown>;

const MAX_USER_AGENT = 512;

/**
 * The envelope: the HTTP body's fields at the top level, plus `accessToken` (where HTTP takes a bearer
 * token) and `context: {ip, userAgent}` (the end user's, as the gateway saw them).
 */
export function decode(data: Uint8Array): InboundMessage {
  let parsed: unknown;
  try {
    parsed = data.length ? JSON.parse(new TextDecoder().decode(data)) : {};
  } catch {
    throw Errors.validation([{ field: 'body', message: 'Malformed JSON' }], 'Message is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw Errors.validation([{ field: 'body', message: 'Must be a JSON object' }]);
  }
  // Same rule as HTTP bodies: no NUL, no lone surrogates, anywhere (they fail later as 500s).
  const unreadable = findUnreadableText(parsed);
  if (unreadable) throw Errors.validation([unreadable]);
  const { accessToken, context, ...body } = parsed as Record<string, unknown>;
  if (accessToken !== undefined && accessToken !== null && typeof accessToken !== 'string') {
    throw Errors.validation([{ field: 'accessToken', message: 'accessToken must be a string' }]);
  }
  const ctx = (context && typeof context === 'object' ? context : {}) as { ip?: unknown; userAgent?: unknown };
  return {
    body,
    accessToken: (accessToken as string | undefined) || null,
    context: {
      ipAddress: typeof ctx.ip === 'string' && ctx.ip.length <= 64 ? ctx.ip : null,
      userAgent: typeof ctx.userAgent === 'string' ? ctx.userAgent.slice(0, MAX_USER_AGENT) : null,
    },
  };
}

/**
 * Runs an endpoint's typed rules (http/fields.ts) on a message body: the same checks and messages as over
 * HTTP, the sanitised body typed as the HTTP handler sees it.
 */
export async function checkMessage<S extends Shape>(shape: S, body: Record<string, unknown>, checks: ValidationChain[] = []): Promise<InputOf<S>> {
  return (await checkBody([...chainsOf(shape, 'body'), ...checks], body)) as InputOf<S>;
}

/** Runs the HTTP routes' express-validator chains on a message body; returns the sanitised body. */
async function checkBody(chains: ValidationChain[], body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const req = { body: { ...body } };
  for (const chain of chains) await chain.run(req);
  const result = validationResult(req);
  if (!result.isEmpty()) throw validationFailure(result);
  return req.body;
}

export function errorReply(err: unknown): { error: { code: string; message: string; details?: unknown; retryAfterSeconds?: number } } {
  if (err instanceof DomainError) {
    return {
      error: {
        code: err.code,
        message: err.message,
        ...(err.details ? { details: err.details } : {}),
        ...(err.retryAfterSeconds !== undefined ? { retryAfterSeconds: err.retryAfterSeconds } : {}),
      },
    };
  }
  return { error: { code: 'INTERNAL_ERROR', message: 'Internal server error' } };
}

/**
 * Who sent a request, as the NATS server says: the `Nats-Request-Info` header that nats-server writes (over
 * anything the client sent) when the request crossed into our account through a service import with
 * `share: true` (docs/nats/nats-server.conf). Absent for requests from inside our own account.
 */
export interface NatsCaller {
  account: string | null;
  /** The peer's address as the NATS server saw it (the gateway's, not the end user's). */
  host: string | null;
}

export function callerOf(msg: Pick<Msg, 'headers'>): NatsCaller {
  const raw = msg.headers?.get('Nats-Request-Info');
  if (!raw) return { account: null, host: null };
  try {
    const info = JSON.parse(raw) as { acc?: unknown; host?: unknown };
    return { account: typeof info.acc === 'string' ? info.acc : null, host: typeof info.host === 'string' ? info.host : null };
  } catch {
    return { account: null, host: null };
  }
}

/**
 * The IP a request is recorded and rate-limited under. `context.ip` is the end user's only when the caller
 * may assert it (its account is in NATS_TRUSTED_ACCOUNTS, or that list is `*`); anyone else could set any
 * address, to dodge per-IP limits or plant addresses on sessions, so theirs is ignored and the NATS peer's
 * address stands in (like HTTP's socket address without TRUST_PROXY), or null when NATS did not say.
 */
export function callerIp(asserted: string | null, caller: NatsCaller, trustedAccounts: readonly string[] | null): string | null {
  const trusted = !!trustedAccounts && (trustedAccounts.includes('*') || (caller.account !== null && trustedAccounts.includes(caller.account)));
  return trusted && asserted ? asserted : caller.host;
}

export class NatsRequestServer {
  private readonly subs: Subscription[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly encoder = new TextEncoder();

  constructor(
    private readonly nc: NatsConnection,
    private readonly logger: Logger,
    private readonly opts: { subjectPrefix: string; queue: string; trustedAccounts?: readonly string[] | null },
  ) {}

  /** Subscribes `handlers` (subject without prefix → handler) in the queue group. */
  serve(handlers: Record<string, MessageHandler>): void {
    for (const [subject, handler] of Object.entries(handlers)) {
      const full = `${this.opts.subjectPrefix}${subject}`;
      this.subs.push(
        this.nc.subscribe(full, {
          queue: this.opts.queue,
          callback: (err, msg) => {
            if (err) return;
            const job = this.answer(full, handler, msg).finally(() => this.inFlight.delete(job));
            this.inFlight.add(job);
          },
        }),
      );
    }
  }

  private async answer(subject: string, handler: MessageHandler, msg: Msg): Promise<void> {
    let reply: unknown;
    try {
      const inbound = decode(msg.data);
      inbound.context.ipAddress = callerIp(inbound.context.ipAddress, callerOf(msg), this.opts.trustedAccounts ?? null);
      reply = (await handler(inbound)) ?? {};
    } catch (err) {
      if (!(err instanceof DomainError)) this.logger.error('NATS handler failed', { subject, error: String((err as Error)?.message ?? err) });
      reply = errorReply(err);
    }
    // A publish without a reply subject is a fire-and-forget call: nothing to answer.
    if (msg.reply) msg.respond(this.encoder.encode(JSON.stringify(reply)));
  }

  /** Stops taking requests and waits for those being answered. */
  async stop(): Promise<void> {
    for (const sub of this.subs) sub.unsubscribe();
    await Promise.allSettled([...this.inFlight]);
  }
}
