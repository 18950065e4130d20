-- Issue 28: a rejected registration gets its own status instead of sharing `disabled` with deactivated
-- accounts. Adding an enum value inside the migrator's transaction is allowed; using it is not until commit,
-- hence the backfill in the next migration.
ALTER TYPE "UserStatus" ADD VALUE IF NOT EXISTS 'rejected';
