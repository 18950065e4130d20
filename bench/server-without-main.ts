// The server as `npm start` ran it before tracing (issue 30): server.ts imported statically and run, without
// main.ts's tracing decision and dynamic import. The tracing phase (scenarios/tracing.ts) runs it beside
// main.ts with tracing off, to show that the decision costs nothing per request.
import { loadConfig } from '../backend/src/config';
import { run } from '../backend/src/server';

await run(loadConfig(), null);
