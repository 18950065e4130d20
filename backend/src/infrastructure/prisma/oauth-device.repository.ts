// DeviceAuthorizationStore on Prisma (table oauth_device_authorizations). Each state change is one conditional
// UPDATE on the status, so a concurrent second decision or token request finds nothing to change.
import type { OAuthDeviceAuthorization as DeviceRow } from '../../generated/prisma/client';
import type { DeviceAuthorization, DeviceStatus, NewDeviceAuthorization } from '../../domain/oauth/device.types';
import type { DeviceAuthorizationStore } from '../../domain/oauth/ports';
import type { PrismaClient } from './client';

/** Rows are kept this long after they expired, so a late replay of a used device code is still recognised. */
const KEEP_MS = 24 * 3600 * 1000;

function toDevice(r: DeviceRow): DeviceAuthorization {
  return {
    id: r.id,
    clientId: r.clientId,
    scope: r.scope.split(' ').filter(Boolean),
    resource: r.resource,
    status: r.status as DeviceStatus,
    interval: r.interval,
    lastPolledAt: r.lastPolledAt,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    userId: r.userId,
    browserSessionId: r.browserSessionId,
    decidedAt: r.decidedAt,
    issuedSessionId: r.issuedSessionId,
  };
}

export class PrismaDeviceAuthorizationStore implements DeviceAuthorizationStore {
  constructor(private readonly prisma: PrismaClient) {}

  async create(d: NewDeviceAuthorization): Promise<void> {
    await this.prisma.$transaction([
      // No housekeeping job needed: each new request clears the long-dead ones (indexed on expires_at).
      this.prisma.oAuthDeviceAuthorization.deleteMany({ where: { expiresAt: { lt: new Date(d.createdAt.getTime() - KEEP_MS) } } }),
      this.prisma.oAuthDeviceAuthorization.create({ data: { ...d, scope: d.scope.join(' '), status: 'pending' } }),
    ]);
  }

  async findByUserCode(userCodeHash: string): Promise<DeviceAuthorization | null> {
    const row = await this.prisma.oAuthDeviceAuthorization.findUnique({ where: { userCodeHash } });
    return row ? toDevice(row) : null;
  }

  async findByDeviceCode(deviceCodeHash: string): Promise<DeviceAuthorization | null> {
    const row = await this.prisma.oAuthDeviceAuthorization.findUnique({ where: { deviceCodeHash } });
    return row ? toDevice(row) : null;
  }

  async decide(id: string, decision: { status: 'approved' | 'denied'; userId: string; browserSessionId: string; decidedAt: Date }): Promise<boolean> {
    const { count } = await this.prisma.oAuthDeviceAuthorization.updateMany({ where: { id, status: 'pending' }, data: decision });
    return count === 1;
  }

  async recordPoll(id: string, polledAt: Date, interval: number): Promise<void> {
    await this.prisma.oAuthDeviceAuthorization.updateMany({ where: { id }, data: { lastPolledAt: polledAt, interval } });
  }

  async consume(id: string): Promise<boolean> {
    const { count } = await this.prisma.oAuthDeviceAuthorization.updateMany({ where: { id, status: 'approved' }, data: { status: 'consumed' } });
    return count === 1;
  }

  async setIssuedSession(id: string, sessionId: string): Promise<void> {
    await this.prisma.oAuthDeviceAuthorization.updateMany({ where: { id }, data: { issuedSessionId: sessionId } });
  }
}
