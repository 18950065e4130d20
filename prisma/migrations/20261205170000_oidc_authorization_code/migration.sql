-- Authorization code flow + OpenID Connect (issue 24): client registry fields, the session a client's
-- tokens were issued from (they end with it), remembered consents, and authorization requests/codes.

-- AlterTable
ALTER TABLE "oauth_clients" ADD COLUMN     "post_logout_redirect_uris" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "backchannel_logout_uri" TEXT,
ADD COLUMN     "token_endpoint_auth_method" TEXT,
ADD COLUMN     "require_consent" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "logo_uri" TEXT,
ADD COLUMN     "client_uri" TEXT;

-- Clients registered for the password grant are first-party (it is refused to third-party clients).
UPDATE "oauth_clients" SET "require_consent" = false WHERE 'password' = ANY("grant_types");

-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "parentSessionId" UUID;

-- CreateIndex
CREATE INDEX "Session_parentSessionId_idx" ON "Session"("parentSessionId");

-- CreateTable
CREATE TABLE "oauth_consents" (
    "user_id" UUID NOT NULL,
    "client_id" TEXT NOT NULL,
    "scopes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "oauth_consents_pkey" PRIMARY KEY ("user_id","client_id")
);

-- CreateIndex
CREATE INDEX "oauth_consents_client_id_idx" ON "oauth_consents"("client_id");

-- CreateTable
CREATE TABLE "oauth_authorizations" (
    "id" UUID NOT NULL,
    "handle_hash" TEXT NOT NULL,
    "code_hash" TEXT,
    "client_id" TEXT NOT NULL,
    "user_id" UUID,
    "browser_session_id" UUID,
    "redirect_uri" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "state" TEXT,
    "nonce" TEXT,
    "code_challenge" TEXT NOT NULL,
    "prompt" TEXT,
    "max_age" INTEGER,
    "login_hint" TEXT,
    "ui_locales" TEXT,
    "auth_time" TIMESTAMPTZ(3),
    "amr" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "acr" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "code_expires_at" TIMESTAMPTZ(3),
    "consumed_at" TIMESTAMPTZ(3),
    "issued_session_id" UUID,

    CONSTRAINT "oauth_authorizations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "oauth_authorizations_handle_hash_key" ON "oauth_authorizations"("handle_hash");

-- CreateIndex
CREATE UNIQUE INDEX "oauth_authorizations_code_hash_key" ON "oauth_authorizations"("code_hash");

-- CreateIndex
CREATE INDEX "oauth_authorizations_expires_at_idx" ON "oauth_authorizations"("expires_at");

-- AddForeignKey
ALTER TABLE "oauth_consents" ADD CONSTRAINT "oauth_consents_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "oauth_consents" ADD CONSTRAINT "oauth_consents_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "oauth_clients"("client_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "oauth_authorizations" ADD CONSTRAINT "oauth_authorizations_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "oauth_clients"("client_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- CreateTable
CREATE TABLE "oauth_backchannel_logouts" (
    "id" UUID NOT NULL,
    "client_id" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "sid" UUID NOT NULL,
    "session_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "delivered_at" TIMESTAMPTZ(3),
    "failed_at" TIMESTAMPTZ(3),
    "last_error" TEXT,

    CONSTRAINT "oauth_backchannel_logouts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "oauth_backchannel_logouts_next_attempt_at_idx" ON "oauth_backchannel_logouts"("next_attempt_at");

-- AddForeignKey
ALTER TABLE "oauth_backchannel_logouts" ADD CONSTRAINT "oauth_backchannel_logouts_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "oauth_clients"("client_id") ON DELETE CASCADE ON UPDATE CASCADE;
