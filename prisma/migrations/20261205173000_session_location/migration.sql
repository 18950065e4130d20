-- Issue 33: where a session is (country code, and city/region with a city database; never coordinates),
-- and the countries each account has signed in from (new-country mark, impossible travel).

-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "countryCode" TEXT,
ADD COLUMN     "city" TEXT,
ADD COLUMN     "region" TEXT;

-- CreateTable
CREATE TABLE "KnownCountry" (
    "userId" UUID NOT NULL,
    "countryCode" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "KnownCountry_pkey" PRIMARY KEY ("userId","countryCode")
);

-- AddForeignKey
ALTER TABLE "KnownCountry" ADD CONSTRAINT "KnownCountry_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
