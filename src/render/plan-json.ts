import type { Plan } from "../plan/types.js";

/** Machine output: the Plan itself (schemas/plan.v1.schema.json), one JSON document. */
export function renderPlanJson(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}
