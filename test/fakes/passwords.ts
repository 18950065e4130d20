/** The suite's one test password: accepted by the policy (8–128 code points, not a common password). */
export const TEST_PASSWORD = 'plum-Orbit-7-lantern';
