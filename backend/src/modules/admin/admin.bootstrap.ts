// ADMIN_EMAIL + ADMIN_PASSWORD at start-up: the outcome of UserService.ensureAdmin, said plainly in the log.
// A refusal does not stop the server: otherwise anyone who registers the operator's email could keep it down.
import { DomainError } from '../../domain/errors';
import type { UserService } from '../../domain/user.service';
import type { Logger } from '../../infrastructure/logger';

export async function bootstrapAdmin(users: UserService, settings: { adminEmail: string | null; adminPassword: string | null }, logger: Logger): Promise<void> {
  const { adminEmail: email, adminPassword: password } = settings;
  if (!email && !password) return;
  if (!email || !password) {
    logger.warn(`${email ? 'ADMIN_EMAIL is set without ADMIN_PASSWORD' : 'ADMIN_PASSWORD is set without ADMIN_EMAIL'}: no admin account is bootstrapped; set both, or use \`npm run cli -- admin create\``);
    return;
  }
  let result;
  try {
    result = await users.ensureAdmin(email, password);
  } catch (err) {
    if (err instanceof DomainError && err.code === 'VALIDATION_ERROR') {
      const what = err.details?.some((d) => d.field === 'email') ? 'ADMIN_EMAIL is not a valid email address' : 'ADMIN_PASSWORD refused by the password policy';
      logger.error(`${what}: no admin account was created`, { problems: err.details?.map((d) => d.message) });
      return;
    }
    throw err;
  }
  const userId = result.user.id;
  switch (result.outcome) {
    case 'created':
      logger.info('admin account created from ADMIN_EMAIL', { userId });
      return;
    case 'present':
      logger.info('admin account from ADMIN_EMAIL present', { userId });
      return;
    case 'password_ignored':
      logger.warn(
        'ADMIN_PASSWORD ignored: the admin account for ADMIN_EMAIL already exists with another password, which was left unchanged ' +
          '(change it through /api/user/change-password, or remove ADMIN_PASSWORD from the environment)',
        { userId },
      );
      return;
    case 'refused':
      logger.error(
        'ADMIN_EMAIL refused: an account with this email already exists and is not an active admin; it was not elevated, activated ' +
          'or changed, because start-up cannot know who set its password. If the account is yours, run ' +
          '`npm run cli -- admin promote --email <email>`',
        { userId, role: result.user.role, status: result.user.status },
      );
      return;
  }
}
