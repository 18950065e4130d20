// Operator CLI entry: `npm run cli -- <group> <command> [--flags]` (the dispatcher is cli/main.ts).
// Exit codes: 0 done, 1 refused or failed, 2 usage error. Results go to stdout, logs and errors to stderr.
import { main } from './cli/main';

process.exitCode = await main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
