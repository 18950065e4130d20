-- CreateTable
CREATE TABLE "revoked_client_tokens" (
    "token_id" TEXT NOT NULL,
    "client_id" TEXT NOT NULL,
    "revoked_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "revoked_client_tokens_pkey" PRIMARY KEY ("token_id")
);

-- CreateIndex
CREATE INDEX "revoked_client_tokens_revoked_at_idx" ON "revoked_client_tokens"("revoked_at");

-- CreateIndex
CREATE INDEX "revoked_client_tokens_expires_at_idx" ON "revoked_client_tokens"("expires_at");
