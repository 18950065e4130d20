// Applies prisma/migrations: to DATABASE_URL when set, otherwise to the embedded database under DATA_DIR
// (default ./data), the same one `npm start` uses without DATABASE_URL.
//   node --import tsx scripts/db-migrate.ts
import { fileURLToPath } from 'node:url';
import { startEmbeddedPostgres } from '../backend/src/infrastructure/database/embedded';
import { migrate } from '../backend/src/infrastructure/database/migrator';

const migrationsDir = fileURLToPath(new URL('../prisma/migrations', import.meta.url));
const logger = { info: (m: string) => console.log(m), warn: (m: string) => console.warn(m) };

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL || null; // empty counts as unset, like config.ts
  if (databaseUrl) {
    report(await migrate(databaseUrl, migrationsDir, logger));
    return;
  }
  const dataDir = process.env.DATA_DIR || './data';
  console.log(`DATABASE_URL not set: using the embedded database in ${dataDir}`);
  const embedded = await startEmbeddedPostgres(dataDir);
  try {
    report(await migrate(embedded.url, migrationsDir, logger));
  } finally {
    await embedded.stop();
  }
}

function report(applied: string[]): void {
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'No pending migrations.');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
