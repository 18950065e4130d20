// Input rules for /api/admin (http/fields.ts).
import { field, uuid } from '../../http/fields';

export const userPath = { userId: uuid() };

export const registrationsQuery = {
  status: field<'pending' | 'active' | 'disabled' | undefined>((c) => c.optional().isIn(['pending', 'active', 'disabled']).withMessage('status must be pending, active or disabled')),
};

export const findUsersQuery = {
  query: field<string>((c) => c.exists().withMessage('query is required').bail().isString().withMessage('query must be given once').bail()
    .trim().isLength({ min: 1, max: 254 }).withMessage('query must be 1–254 characters')),
};
