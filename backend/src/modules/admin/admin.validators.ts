// express-validator chains for /api/admin.
import { param, query } from 'express-validator';

export const userIdParam = param('userId').isUUID().withMessage('userId must be a UUID');

export const registrationsRules = [
  query('status').optional().isIn(['pending', 'active', 'disabled']).withMessage('status must be pending, active or disabled'),
];

export const findUsersRules = [
  query('query').exists().withMessage('query is required').bail().isString().withMessage('query must be given once').bail()
    .trim().isLength({ min: 1, max: 254 }).withMessage('query must be 1–254 characters'),
];
