-- CreateTable
CREATE TABLE "RotatedRefreshToken" (
    "tokenHash" TEXT NOT NULL,
    "sessionId" UUID NOT NULL,
    "rotatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "RotatedRefreshToken_pkey" PRIMARY KEY ("tokenHash")
);

-- CreateIndex
CREATE INDEX "RotatedRefreshToken_sessionId_idx" ON "RotatedRefreshToken"("sessionId");

-- AddForeignKey
ALTER TABLE "RotatedRefreshToken" ADD CONSTRAINT "RotatedRefreshToken_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session"("id") ON DELETE CASCADE ON UPDATE CASCADE;
