// One process at a time on an embedded (PGlite) data directory: PGlite has no locking of its own, and a
// second process (an operator CLI next to the running server) would write the same files and corrupt them.
// The lock file holds the owner's pid; a lock whose process is gone (kill -9) is taken over.
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';

export class DataDirInUseError extends Error {
  constructor(readonly dir: string, readonly pid: number) {
    super(
      `The embedded database in ${dir} is in use by process ${pid}. Stop that process first, ` +
        'or run both against one PostgreSQL server with DATABASE_URL.',
    );
    this.name = 'DataDirInUseError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock or throws DataDirInUseError; returns the release function. */
export function lockDataDir(lockFile: string, dir: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          unlinkSync(lockFile);
        } catch {
          /* already gone */
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(lockFile, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) throw new DataDirInUseError(dir, pid);
      unlinkSync(lockFile); // stale: its owner died without releasing it
    }
  }
  throw new Error(`Could not lock ${lockFile}`);
}
