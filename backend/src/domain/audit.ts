// Builds audit entries: who, what, from where. Metadata is small and never holds a secret.
import type { AuditEventType, NewAuditEvent, RequestContext } from './types';

export function auditEntry(
  userId: string | null,
  type: AuditEventType,
  ctx: RequestContext,
  metadata: Record<string, unknown> = {},
): NewAuditEvent {
  return { userId, type, ipAddress: ctx.ipAddress, userAgent: ctx.userAgent, metadata };
}
