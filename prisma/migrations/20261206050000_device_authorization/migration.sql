-- Issue 25: the Device Authorization Grant (RFC 8628). Both codes are kept as SHA-256 hashes only.

-- CreateTable
CREATE TABLE "oauth_device_authorizations" (
    "id" UUID NOT NULL,
    "device_code_hash" TEXT NOT NULL,
    "user_code_hash" TEXT NOT NULL,
    "client_id" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "resource" TEXT,
    "status" TEXT NOT NULL,
    "interval" INTEGER NOT NULL,
    "last_polled_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "user_id" UUID,
    "browser_session_id" UUID,
    "decided_at" TIMESTAMPTZ(3),
    "issued_session_id" UUID,

    CONSTRAINT "oauth_device_authorizations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "oauth_device_authorizations_device_code_hash_key" ON "oauth_device_authorizations"("device_code_hash");

-- CreateIndex
CREATE UNIQUE INDEX "oauth_device_authorizations_user_code_hash_key" ON "oauth_device_authorizations"("user_code_hash");

-- CreateIndex
CREATE INDEX "oauth_device_authorizations_expires_at_idx" ON "oauth_device_authorizations"("expires_at");

-- AddForeignKey
ALTER TABLE "oauth_device_authorizations" ADD CONSTRAINT "oauth_device_authorizations_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "oauth_clients"("client_id") ON DELETE CASCADE ON UPDATE CASCADE;
