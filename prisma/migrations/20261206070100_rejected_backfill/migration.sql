-- Accounts rejected before the `rejected` status existed were set to `disabled`: those whose latest
-- status-changing event is the rejection become `rejected` (an account disabled or re-enabled since keeps
-- its status). Deleted accounts (tombstones) are left alone.
UPDATE "User" u SET status = 'rejected'
WHERE u.status = 'disabled'
  AND u."deletedAt" IS NULL
  AND (
    SELECT a.type FROM "AuditEvent" a
    WHERE a."userId" = u.id
      AND a.type IN ('registration.rejected', 'registration.approved', 'account.disabled', 'account.enabled')
    ORDER BY a."createdAt" DESC
    LIMIT 1
  ) = 'registration.rejected';
