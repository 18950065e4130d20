// Revocations over NATS (core, not JetStream: it is about speed, and a subscriber that missed messages
// resyncs from the snapshot). `<prefix>.revoked` carries each batch as it happens; a request on
// `<prefix>.snapshot` ({after?: ISO time}) answers the still-live revocations, so a service that was
// disconnected asks for them again after reconnecting.
import type { NatsConnection, Subscription } from 'nats';
import { revocationToJson as wire, type RevocationFeed } from '../../domain/revocation-feed';
import type { Logger } from '../logger';


export class NatsRevocationPublisher {
  private unsubscribe: (() => void) | null = null;
  private snapshotSub: Subscription | null = null;
  private readonly encoder = new TextEncoder();

  constructor(
    private readonly nc: NatsConnection,
    private readonly feed: RevocationFeed,
    private readonly logger: Logger,
    readonly subjectPrefix = 'auth.revocations',
  ) {}

  start(): void {
    this.unsubscribe = this.feed.subscribe((list) => {
      try {
        this.nc.publish(`${this.subjectPrefix}.revoked`, this.encoder.encode(JSON.stringify({ revocations: list.map(wire) })));
      } catch (err) {
        this.logger.warn('revocation publish failed', { error: String((err as Error)?.message ?? err) });
      }
    });
    // A queue group: with several instances, one answers each snapshot request.
    this.snapshotSub = this.nc.subscribe(`${this.subjectPrefix}.snapshot`, {
      queue: 'sessionary',
      callback: (err, msg) => {
        if (err) return;
        void (async () => {
          let after: Date | undefined;
          try {
            const body = msg.data.length ? (JSON.parse(new TextDecoder().decode(msg.data)) as { after?: unknown }) : {};
            if (typeof body.after === 'string' && !Number.isNaN(Date.parse(body.after))) after = new Date(body.after);
          } catch {
            // A malformed request gets the full snapshot.
          }
          try {
            const list = await this.feed.snapshot(after);
            msg.respond(this.encoder.encode(JSON.stringify({ revocations: list.map(wire), windowSeconds: this.feed.windowSeconds })));
          } catch (e) {
            msg.respond(this.encoder.encode(JSON.stringify({ error: { code: 'SERVICE_UNAVAILABLE', message: 'Revocations could not be read' } })));
            this.logger.warn('revocation snapshot failed', { error: String((e as Error)?.message ?? e) });
          }
        })();
      },
    });
  }

  stop(): Promise<void> {
    this.unsubscribe?.();
    this.snapshotSub?.unsubscribe();
    return Promise.resolve();
  }
}
