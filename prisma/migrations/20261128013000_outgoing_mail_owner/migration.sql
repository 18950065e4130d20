-- AlterTable
ALTER TABLE "OutgoingMail" ADD COLUMN     "userId" UUID;

-- CreateIndex
CREATE INDEX "OutgoingMail_userId_idx" ON "OutgoingMail"("userId");

-- Mail still waiting to go out belongs to the account that has its address now (emails are unique), so
-- deleting that account discards it too. Sent and given-up rows stay ownerless; housekeeping purges them.
UPDATE "OutgoingMail" AS m SET "userId" = u."id"
FROM "User" AS u
WHERE m."sentAt" IS NULL AND m."failedAt" IS NULL AND m."recipient" = u."email";
