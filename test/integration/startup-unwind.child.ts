// Child process of startup-unwind.test.ts: builds the whole container from the environment, and when that
// fails prints the error and lets the process end by itself (no process.exit). If the failed build left a
// handle open (a Redis socket or reconnect timer, a bcrypt child, a signing thread, an interval), the event
// loop stays alive and the parent's bound runs out; the handles still open are printed after 1 s to say which.
import { loadConfig } from '../../backend/src/config';
import { buildContainer } from '../../backend/src/container';
import { createLogger } from '../../backend/src/infrastructure/logger';
import { StartupError } from '../../backend/src/lifecycle';
import { MIGRATIONS_DIR } from '../helpers/database';

try {
  const container = await buildContainer(loadConfig(), { logger: createLogger('error'), migrationsDir: MIGRATIONS_DIR });
  console.log(JSON.stringify({ started: true }));
  await container.stop();
} catch (err) {
  console.log(JSON.stringify({ failed: err instanceof StartupError ? err.area : 'unknown', error: (err as Error).message }));
  setTimeout(() => console.log(JSON.stringify({ stillOpen: process.getActiveResourcesInfo() })), 1000).unref();
}
