// What a scenario on the seeded server (server A) gets and returns.
import type { Floor } from '../floor';
import type { ScenarioResult } from '../report';
import type { Seeded } from '../servers';
import type { ScenarioId } from '../settings';

export interface ScenarioContext {
  /** Base URL of the seeded server. */
  base: string;
  seeded: Seeded;
  sessionsPerUser: number;
  /** The floor server (bench/floor-server.ts), when a floor scenario is selected. */
  floor: Floor | null;
}

export interface AppScenario {
  id: ScenarioId;
  run(ctx: ScenarioContext): Promise<ScenarioResult>;
}
