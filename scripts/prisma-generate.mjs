// Runs `prisma generate` on install. Prisma 7's CLI checks that its schema-engine binary exists even for
// `generate`, which never runs it; where the engine could not be downloaded (offline machines) we point
// PRISMA_SCHEMA_ENGINE_BINARY at an existing file so generation works. Nothing else uses that variable.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const enginesDir = join(process.cwd(), 'node_modules', '@prisma', 'engines');
const hasEngine = existsSync(enginesDir) && readdirSync(enginesDir).some((f) => f.startsWith('schema-engine'));
const env = { ...process.env };
if (!hasEngine && !env.PRISMA_SCHEMA_ENGINE_BINARY) env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;

const result = spawnSync(process.execPath, [join('node_modules', 'prisma', 'build', 'index.js'), 'generate'], {
  stdio: 'inherit',
  env,
});
process.exit(result.status ?? 1);
