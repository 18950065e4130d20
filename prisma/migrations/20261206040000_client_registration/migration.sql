-- Issue 25: client registration. How a client came into the registry ('static': the admin API, the CLI or
-- OAUTH_CLIENTS; 'dynamic': RFC 7591 /oauth/register; 'metadata_document': a client_id URL whose Client ID
-- Metadata Document was fetched), the SHA-256 of a dynamic client's RFC 7592 registration access token, and
-- until when a fetched metadata document may be used before it is fetched again.

-- AlterTable
ALTER TABLE "oauth_clients" ADD COLUMN     "registration" TEXT NOT NULL DEFAULT 'static',
ADD COLUMN     "registration_token_hash" TEXT,
ADD COLUMN     "metadata_expires_at" TIMESTAMPTZ(3);
