// The scenarios that run on the seeded server A, in order. A new scenario on seeded data goes here (and its
// id into settings.ts ALL); one that needs its own server configuration gets a phase like me-info.ts/login.ts.
import { floorSessions, me, sessions, validate } from './reads';
import { oauthClientCredentials, oauthIntrospect, oauthRefresh } from './oauth';
import { oauthCode, oauthUserinfo } from './oauth-code';
import { floorRefresh, refresh } from './refresh';
import type { AppScenario } from './types';

export const SERVER_A_SCENARIOS: AppScenario[] = [
  validate,
  // Right after validate: the two are compared (the aim is introspection as fast as validation).
  oauthIntrospect,
  me,
  floorSessions,
  sessions,
  floorRefresh,
  refresh,
  oauthRefresh,
  oauthClientCredentials,
  // Last: every code exchange opens a session, which the session list and the floor pairs must not see. The
  // report lists both next to validate (settings.ts ALL); userinfo is compared with validate in its own rounds.
  oauthUserinfo,
  oauthCode,
];

export { runBaseline } from './baseline';
export { runMeInfo } from './me-info';
export { runLogin } from './login';
export { runNatsValidate } from './nats-validate';
export { runTracing } from './tracing';
export type { AppScenario, ScenarioContext } from './types';
