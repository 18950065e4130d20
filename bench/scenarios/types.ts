// What a scenario on the seeded server (server A) gets and returns.
import type { ScenarioResult } from '../report';
import type { Seeded } from '../servers';
import type { ScenarioId } from '../settings';

export interface ScenarioContext {
  /** Base URL of the seeded server. */
  base: string;
  seeded: Seeded;
  sessionsPerUser: number;
}

export interface AppScenario {
  id: ScenarioId;
  run(ctx: ScenarioContext): Promise<ScenarioResult>;
}
