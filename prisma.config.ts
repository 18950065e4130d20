// Prisma CLI configuration (Prisma 7 keeps the connection URL here, not in schema.prisma).
// On machines with Prisma's schema engine, `npx prisma migrate deploy` applies prisma/migrations as usual;
// this project's own migrator (npm run db:migrate) writes the same _prisma_migrations rows.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres' },
});
