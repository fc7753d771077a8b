import { readFile } from "node:fs/promises";
import { CampaignctlError } from "../core/errors.js";
import { PACKAGE_ROOT } from "../package-info.js";
import type { SavedPlan } from "./saved-plan.js";
import { planFingerprint, readSavedPlan } from "./saved-plan.js";

/**
 * `campaignctl show PLANFILE`: a saved plan read as carefully as the renderers need. Beyond the
 * header readSavedPlan checks, the whole file must match schemas/plan.v1.schema.json (a plan of
 * another version, or edited by hand, fails with the first place that is wrong), and its
 * fingerprint must still be the hash of its actions (so an edit is not shown as what was reviewed).
 */
export async function readSavedPlanStrictly(path: string, file: string = path): Promise<SavedPlan> {
  const saved = await readSavedPlan(path, file);
  const hint = "make it again with 'campaignctl plan --out FILE'";
  const problem = await schemaProblem(saved);
  if (problem !== undefined) {
    throw new CampaignctlError({
      code: "PLAN_STALE",
      message: `${file} is not a valid campaignctl plan (version 1): ${problem}`,
      hint: `it was made by another campaignctl version or edited; ${hint}`,
    });
  }
  if (planFingerprint(saved.plan) !== saved.fingerprint) {
    throw new CampaignctlError({
      code: "PLAN_STALE",
      message: `${file} was changed after it was written: its fingerprint does not match the actions it holds`,
      hint,
    });
  }
  return saved;
}

/** The first schema error as `at /json/pointer: message`, or undefined when the file is valid. */
async function schemaProblem(value: unknown): Promise<string | undefined> {
  // ajv's compiler costs ~100 ms: loaded only here, by a command no budget covers.
  const [{ Ajv2020 }, formats, schemaText] = await Promise.all([
    import("ajv/dist/2020.js"),
    import("ajv-formats"),
    readFile(`${PACKAGE_ROOT}schemas/plan.v1.schema.json`, "utf8"),
  ]);
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  formats.default.default(ajv);
  const validate = ajv.compile(JSON.parse(schemaText) as object);
  if (validate(value)) return undefined;
  const first = validate.errors?.[0];
  return first ? `at ${first.instancePath || "/"}: ${first.message ?? "invalid"}` : "invalid";
}
