// The security-event list's keyset cursor: opaque to clients, `createdAt|id` in base64url.
import { Errors } from '../../domain/errors';

export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso ?? '');
  // Only what encodeCursor produces: a JS date outside PostgreSQL's range (e.g. year -271821) would be a 500.
  const wellFormed = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(iso ?? '');
  if (!id || !wellFormed || Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/i.test(id)) {
    throw Errors.validation([{ field: 'before', message: 'Invalid cursor' }]);
  }
  return { createdAt, id };
}
