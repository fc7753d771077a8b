import type { Plan } from "../plan/types.js";

/**
 * Machine output: the Plan itself, one JSON document. Its format is `$defs/plan` in
 * schemas/plan.v1.schema.json; the whole schema is the saved plan (`plan --out FILE`), which wraps it.
 */
export function renderPlanJson(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}
