-- Issue 25: RFC 8707 resource indicators. The resource an authorization request named, and the resource a
-- client's session is bound to (its access tokens' `aud`; a refresh may not name another).

-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "resource" TEXT;

-- AlterTable
ALTER TABLE "oauth_authorizations" ADD COLUMN     "resource" TEXT;
