// OAuthClientStore on Prisma (table oauth_clients). Every change commits together with its audit event.
import { randomUUID } from 'node:crypto';
import { Prisma, type OAuthClient as OAuthClientRow } from '../../generated/prisma/client';
import { Errors } from '../../domain/errors';
import type { OAuthClientStore } from '../../domain/oauth/ports';
import type { GrantType, NewOAuthClient, TokenEndpointAuthMethod, OAuthClient, OAuthClientStorePatch, RegistrationKind } from '../../domain/oauth/types';
import type { NewAuditEvent } from '../../domain/types';
import type { PrismaClient } from './client';

export function toOAuthClient(r: OAuthClientRow): OAuthClient {
  return {
    clientId: r.clientId,
    name: r.name,
    type: r.type,
    secretHash: r.secretHash,
    previousSecretHash: r.previousSecretHash,
    previousSecretExpiresAt: r.previousSecretExpiresAt,
    // The column is text[] so new grant types need no migration; only GrantType values are ever written.
    grantTypes: r.grantTypes as GrantType[],
    allowedScopes: r.allowedScopes,
    defaultScopes: r.defaultScopes,
    redirectUris: r.redirectUris,
    accessTokenTtl: r.accessTokenTtl,
    refreshTokenTtl: r.refreshTokenTtl,
    active: r.active,
    postLogoutRedirectUris: r.postLogoutRedirectUris,
    backchannelLogoutUri: r.backchannelLogoutUri,
    tokenEndpointAuthMethod: r.tokenEndpointAuthMethod as TokenEndpointAuthMethod | null,
    requireConsent: r.requireConsent,
    logoUri: r.logoUri,
    clientUri: r.clientUri,
    registration: r.registration as RegistrationKind,
    registrationTokenHash: r.registrationTokenHash,
    metadataExpiresAt: r.metadataExpiresAt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

const auditRow = (e: NewAuditEvent) => ({
  id: randomUUID(),
  userId: e.userId,
  type: e.type,
  ipAddress: e.ipAddress,
  userAgent: e.userAgent,
  metadata: e.metadata as Prisma.InputJsonObject,
});

const isP2002 = (e: unknown) => e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002';
const isP2025 = (e: unknown) => e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2025';

export class PrismaOAuthClientStore implements OAuthClientStore {
  constructor(private readonly prisma: PrismaClient) {}

  async findByClientId(clientId: string): Promise<OAuthClient | null> {
    const row = await this.prisma.oAuthClient.findUnique({ where: { clientId } });
    return row ? toOAuthClient(row) : null;
  }

  async list(): Promise<OAuthClient[]> {
    const rows = await this.prisma.oAuthClient.findMany({ orderBy: [{ createdAt: 'asc' }, { clientId: 'asc' }] });
    return rows.map(toOAuthClient);
  }

  async count(): Promise<number> {
    return this.prisma.oAuthClient.count();
  }

  async create(client: NewOAuthClient, audit: NewAuditEvent): Promise<OAuthClient> {
    try {
      const [row] = await this.prisma.$transaction([this.prisma.oAuthClient.create({ data: client }), this.prisma.auditEvent.create({ data: auditRow(audit) })]);
      return toOAuthClient(row);
    } catch (err) {
      if (isP2002(err)) throw Errors.clientIdTaken();
      throw err;
    }
  }

  async createIfMissing(client: NewOAuthClient): Promise<boolean> {
    // ON CONFLICT DO NOTHING: several instances starting at once must not fail on each other's insert.
    const { count } = await this.prisma.oAuthClient.createMany({ data: [client], skipDuplicates: true });
    return count === 1;
  }

  async update(clientId: string, patch: OAuthClientStorePatch, audit: NewAuditEvent): Promise<OAuthClient | null> {
    return this.write(clientId, patch, audit);
  }

  async replaceSecret(
    clientId: string,
    secret: { secretHash: string; previousSecretHash: string | null; previousSecretExpiresAt: Date | null },
    audit: NewAuditEvent,
  ): Promise<OAuthClient | null> {
    return this.write(clientId, secret, audit);
  }

  private async write(clientId: string, data: Prisma.OAuthClientUpdateInput, audit: NewAuditEvent): Promise<OAuthClient | null> {
    try {
      const [row] = await this.prisma.$transaction([
        this.prisma.oAuthClient.update({ where: { clientId }, data }),
        this.prisma.auditEvent.create({ data: auditRow(audit) }),
      ]);
      return toOAuthClient(row);
    } catch (err) {
      if (isP2025(err)) return null;
      throw err;
    }
  }
}
