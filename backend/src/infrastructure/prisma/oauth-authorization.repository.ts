// AuthorizationStore and ConsentStore on Prisma (tables oauth_authorizations, oauth_consents). Every state
// change of a request is one conditional UPDATE, so concurrent answers and exchanges cannot both win.
import type { OAuthAuthorization as AuthorizationRow } from '../../generated/prisma/client';
import type { Authorization, CodeIssue, ConnectedApp, Consent, NewAuthorization, Prompt } from '../../domain/oauth/authorization.types';
import type { AuthorizationStore, ConsentStore } from '../../domain/oauth/ports';
import type { PrismaClient } from './client';

/** issuedSessionId of a code replayed before its exchange finished: that exchange then ends its own session. */
const REPLAYED = '00000000-0000-0000-0000-000000000000';
/** Requests and codes are kept this long after their request expired, so a late replay still finds its code. */
const KEEP_MS = 24 * 3600 * 1000;

function toAuthorization(r: AuthorizationRow): Authorization {
  return {
    id: r.id,
    clientId: r.clientId,
    redirectUri: r.redirectUri,
    scope: r.scope.split(' ').filter(Boolean),
    state: r.state,
    nonce: r.nonce,
    codeChallenge: r.codeChallenge,
    prompt: (r.prompt ?? '').split(' ').filter(Boolean) as Prompt[],
    maxAge: r.maxAge,
    loginHint: r.loginHint,
    uiLocales: r.uiLocales,
    resource: r.resource,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    userId: r.userId,
    browserSessionId: r.browserSessionId,
    authTime: r.authTime,
    amr: r.amr,
    acr: r.acr,
    codeExpiresAt: r.codeExpiresAt,
    consumedAt: r.consumedAt,
    issuedSessionId: r.issuedSessionId === REPLAYED ? null : r.issuedSessionId,
  };
}

export class PrismaAuthorizationStore implements AuthorizationStore {
  constructor(private readonly prisma: PrismaClient) {}

  async create(a: NewAuthorization): Promise<void> {
    await this.prisma.$transaction([
      // No housekeeping job needed: each new request clears the long-dead ones (indexed on expires_at).
      this.prisma.oAuthAuthorization.deleteMany({ where: { expiresAt: { lt: new Date(a.createdAt.getTime() - KEEP_MS) } } }),
      this.prisma.oAuthAuthorization.create({
        data: { ...a, scope: a.scope.join(' '), prompt: a.prompt.length ? a.prompt.join(' ') : null },
      }),
    ]);
  }

  async findByHandle(handleHash: string): Promise<Authorization | null> {
    const row = await this.prisma.oAuthAuthorization.findUnique({ where: { handleHash } });
    return row ? toAuthorization(row) : null;
  }

  async issueCode(id: string, issue: CodeIssue): Promise<boolean> {
    const { count } = await this.prisma.oAuthAuthorization.updateMany({
      where: { id, codeHash: null },
      data: { ...issue, scope: issue.scope.join(' ') },
    });
    return count === 1;
  }

  async consumeCode(codeHash: string, now: Date): Promise<Authorization | null> {
    const [row] = await this.prisma.oAuthAuthorization.updateManyAndReturn({ where: { codeHash, consumedAt: null }, data: { consumedAt: now } });
    return row ? toAuthorization(row) : null;
  }

  async findByCode(codeHash: string): Promise<Authorization | null> {
    const row = await this.prisma.oAuthAuthorization.findUnique({ where: { codeHash } });
    return row ? toAuthorization(row) : null;
  }

  async setIssuedSession(id: string, sessionId: string): Promise<boolean> {
    const { count } = await this.prisma.oAuthAuthorization.updateMany({ where: { id, issuedSessionId: null }, data: { issuedSessionId: sessionId } });
    return count === 1;
  }

  async markReplayed(id: string): Promise<string | null> {
    // Either the exchange recorded its session (revoke it) or it has not yet (mark it, so it ends its own).
    const { count } = await this.prisma.oAuthAuthorization.updateMany({ where: { id, issuedSessionId: null }, data: { issuedSessionId: REPLAYED } });
    if (count === 1) return null;
    const row = await this.prisma.oAuthAuthorization.findUnique({ where: { id }, select: { issuedSessionId: true } });
    return row?.issuedSessionId && row.issuedSessionId !== REPLAYED ? row.issuedSessionId : null;
  }
}

export class PrismaConsentStore implements ConsentStore {
  constructor(private readonly prisma: PrismaClient) {}

  async find(userId: string, clientId: string): Promise<Consent | null> {
    return this.prisma.oAuthConsent.findUnique({ where: { userId_clientId: { userId, clientId } } });
  }

  async grant(userId: string, clientId: string, scopes: string[], now: Date): Promise<void> {
    const current = await this.find(userId, clientId);
    const merged = [...new Set([...(current?.scopes ?? []), ...scopes])];
    await this.prisma.oAuthConsent.upsert({
      where: { userId_clientId: { userId, clientId } },
      create: { userId, clientId, scopes: merged, createdAt: now, updatedAt: now },
      update: { scopes: merged, updatedAt: now },
    });
  }

  async listForUser(userId: string, now: Date): Promise<ConnectedApp[]> {
    const rows = await this.prisma.oAuthConsent.findMany({
      where: { userId },
      orderBy: { updatedAt: 'desc' },
      include: { client: { select: { name: true, clientUri: true, logoUri: true } } },
    });
    if (!rows.length) return [];
    // The apps' sessions of this user: when each was last used, how many are live.
    const sessions = await this.prisma.session.findMany({
      where: { userId, clientId: { in: rows.map((r) => r.clientId) } },
      select: { clientId: true, lastActiveAt: true, revokedAt: true, expiresAt: true, idleExpiresAt: true },
    });
    return rows.map((r) => {
      const own = sessions.filter((s) => s.clientId === r.clientId);
      const last = own.reduce<Date | null>((m, s) => (!m || s.lastActiveAt > m ? s.lastActiveAt : m), null);
      return {
        clientId: r.clientId,
        name: r.client.name,
        clientUri: r.client.clientUri,
        logoUri: r.client.logoUri,
        scopes: r.scopes,
        grantedAt: r.updatedAt,
        lastUsedAt: last,
        activeSessions: own.filter((s) => !s.revokedAt && s.expiresAt > now && s.idleExpiresAt > now).length,
      };
    });
  }

  async remove(userId: string, clientId: string): Promise<boolean> {
    const { count } = await this.prisma.oAuthConsent.deleteMany({ where: { userId, clientId } });
    return count > 0;
  }
}
