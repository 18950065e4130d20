-- CreateEnum
CREATE TYPE "OAuthClientType" AS ENUM ('confidential', 'public');

-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "clientId" TEXT,
ADD COLUMN     "scope" TEXT;

-- CreateTable
CREATE TABLE "oauth_clients" (
    "client_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" "OAuthClientType" NOT NULL,
    "secret_hash" TEXT,
    "previous_secret_hash" TEXT,
    "previous_secret_expires_at" TIMESTAMPTZ(3),
    "grant_types" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "allowed_scopes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "default_scopes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "redirect_uris" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "access_token_ttl" INTEGER,
    "refresh_token_ttl" INTEGER,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "oauth_clients_pkey" PRIMARY KEY ("client_id")
);

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "oauth_clients"("client_id") ON DELETE SET NULL ON UPDATE CASCADE;
