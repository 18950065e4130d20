-- Issue 15: every refresh rotates a "Session" row, and since the current token's hash is indexed, every
-- rotation is a non-HOT update that writes an entry into every index of the table. Keep only the indexes
-- that rotation and the reads need, and keep the two tables that grow with refreshes small.

-- Reuse detection looks a rotated token up in "RotatedRefreshToken" (every replaced token, the immediately
-- previous one included, has a row there, written by the same statement as the rotation), so the unique
-- index on "previousRefreshTokenHash" only duplicated it. Sessions rotated before the history table existed
-- get their previous token copied into it first, so nothing that was detectable stops being detectable.
INSERT INTO "RotatedRefreshToken" ("tokenHash", "sessionId", "rotatedAt")
SELECT "previousRefreshTokenHash", "id", "lastActiveAt" FROM "Session" WHERE "previousRefreshTokenHash" IS NOT NULL
ON CONFLICT ("tokenHash") DO NOTHING;
DROP INDEX "Session_previousRefreshTokenHash_key";

-- The session list filters a user's handful of rows and sorts them: the user id alone finds them.
-- ("lastActiveAt" changes on every rotation; it no longer sits in an index.)
DROP INDEX "Session_userId_revokedAt_lastActiveAt_idx";
CREATE INDEX "Session_userId_idx" ON "Session"("userId");

-- Only revoked sessions are ever looked up by "revokedAt" (the revocation view's warm-up,
-- "revokedAt" >= $1): a partial index gets no entry from a live session's rotation.
DROP INDEX "Session_revokedAt_idx";
CREATE INDEX "Session_revokedAt_idx" ON "Session"("revokedAt") WHERE "revokedAt" IS NOT NULL;

-- Room on each page for the next versions of its rows, and vacuum after 2% dead rows instead of 20%
-- (every rotation leaves one dead row version). "RotatedRefreshToken" only grows: vacuum it after 5% new
-- rows so its visibility map stays current.
ALTER TABLE "Session" SET (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.05);
ALTER TABLE "RotatedRefreshToken" SET (autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.05);
