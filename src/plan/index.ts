export { planApply } from "./plan-apply.js";
export { planDestroy } from "./plan-destroy.js";
export type { DestroyInputs } from "./plan-destroy.js";
