// Input rules for /api/admin (http/fields.ts).
import type { ValidationChain } from 'express-validator';
import type { UserStatus } from '../../domain/types';
import { field, uuid } from '../../http/fields';

const STATUSES: readonly UserStatus[] = ['pending', 'active', 'disabled', 'rejected'];
const statusMessage = 'status must be pending, active, disabled or rejected';

export const userPath = { userId: uuid() };

export const registrationsQuery = {
  status: field<UserStatus | undefined>((c) => c.optional().isIn(STATUSES).withMessage(statusMessage)),
};

// isString first: a repeated parameter arrives as an array.
const once = (name: string) => (c: ValidationChain) => c.optional().isString().withMessage(`${name} must be given once`).bail();

/**
 * The console's find (issue 28, additive): `query` as before, and now also `status`, `role`, `limit`, `offset`.
 * At least one of query, status and role is needed; `query` alone behaves as it always did.
 */
export const findUsersQuery = {
  query: field<string | undefined>((c) => once('query')(c).trim().isLength({ min: 1, max: 254 }).withMessage('query must be 1–254 characters')),
  status: field<UserStatus | undefined>((c) => once('status')(c).isIn(STATUSES).withMessage(statusMessage)),
  role: field<string | undefined>((c) => once('role')(c).matches(/^[a-z][a-z0-9_.-]{0,63}$/).withMessage('role must be a role name')),
  limit: field<string | undefined>((c) => once('limit')(c).isInt({ min: 1, max: 100 }).withMessage('limit must be an integer 1–100')),
  offset: field<string | undefined>((c) => once('offset')(c).isInt({ min: 0, max: 100000 }).withMessage('offset must be an integer 0–100000')),
};
