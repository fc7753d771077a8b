import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { aDestroyPlan, anApplyPlan } from "../render/fixtures.js";
import { useEmulator } from "../support/emulator.js";
import type { Workspace } from "../support/workspace.js";
import { enableSend, makeWorkspace, runInProcess, TEST_API_KEY } from "../support/workspace.js";

const addFormats = addFormatsModule.default;
const SCHEMA = JSON.parse(
  readFileSync(new URL("../../schemas/plan.v1.schema.json", import.meta.url), "utf8"),
) as object;

const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
const validateSavedPlan = ajv.compile(SCHEMA);
const validatePlan = ajv.getSchema("https://campaignctl.dev/schemas/plan.v1.schema.json#/$defs/plan")!;

function problems(value: unknown): string[] {
  return validateSavedPlan(value)
    ? []
    : (validateSavedPlan.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""}`);
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("schemas/plan.v1.schema.json", () => {
  const emulator = useEmulator({ rateLimit: false });
  let ws: Workspace;
  let env: Record<string, string>;
  let n = 0;
  beforeEach(() => {
    ws = makeWorkspace();
    env = { LOB_API_KEY: `${TEST_API_KEY}planschema${(n += 1)}`, LOB_API_URL: emulator.url };
  });
  afterEach(() => ws.cleanup());
  const cli = (...argv: string[]) => runInProcess(argv, { cwd: ws.dir, env });
  const savedPlan = async (...args: string[]): Promise<Json> => {
    const run = await cli("plan", "--out", "saved.json", ...args);
    expect(run.code, run.stderr).toBeLessThan(3);
    return JSON.parse(readFileSync(join(ws.dir, "saved.json"), "utf8")) as Json;
  };

  it("accepts the plans `plan --out` writes: creates and a send, then updates and a delete", async () => {
    ws.addCampaign("schema-a");
    ws.addCampaign("schema-b", enableSend);
    const first = await savedPlan(ws.dir);
    expect(first.plan.campaigns.flatMap((c: Json) => c.actions.map((a: Json) => a.kind))).toEqual(
      expect.arrayContaining(["create", "upload_file", "send"]),
    );
    expect(problems(first)).toEqual([]);
    expect(validatePlan(first.plan)).toBe(true);

    ws.editCampaign("schema-b", (y) => y.replace("enabled: true", "enabled: false"));
    expect((await cli("apply", "--auto-approve", ws.dir)).code).toBe(0);
    ws.editCampaign("schema-a", (y) => y.replace("description: Spring discount", "description: changed"));
    rmSync(ws.manifest("schema-b"));
    const second = await savedPlan(ws.dir);
    expect(second.plan.campaigns.map((c: Json) => c.headline)).toEqual(
      expect.arrayContaining(["update", "delete"]),
    );
    expect(problems(second)).toEqual([]);

    const onePath = await savedPlan(ws.manifest("schema-a"));
    expect(onePath.plan.scope).toBe("paths");
    expect(problems(onePath)).toEqual([]);
  });

  it("carries the project, the target and the rows Lob will skip (by rule and count, no cell)", async () => {
    ws.addCampaign("schema-skips", enableSend);
    const zipRule = (saved: Json): Json =>
      saved.plan.campaigns
        .find((c: Json) => c.key === "schema-skips")
        .audienceSkips.find((s: Json) => String(s.rule).startsWith("address_zip"));
    const before = zipRule(await savedPlan(ws.dir));
    const csv = join(ws.dir, "audience.csv");
    const text = readFileSync(csv, "utf8").trimEnd();
    const zip = text.split("\n")[0]!.split(",").indexOf("zip_code");
    const broken = text.split("\n")[1]!.split(",");
    broken[zip] = "notazip";
    writeFileSync(csv, `${text}\n${broken.join(",")}\n${broken.join(",")}\n`);
    const saved = await savedPlan(ws.dir);
    expect(problems(saved)).toEqual([]);
    expect(saved.plan.project).toEqual(expect.any(String));
    expect(saved.plan.target).toEqual({ apiUrl: emulator.url, mode: "test" });
    const after = zipRule(saved);
    expect(after).toMatchObject({ count: (before?.count ?? 0) + 2, file: "audience.csv" });
    expect(after.line).toBeGreaterThan(1);
    expect(JSON.stringify(saved)).not.toContain("notazip");
  });

  it("accepts the renderers' fixture plans as `$defs/plan` (apply with a send, destroy with a cancel)", () => {
    for (const plan of [anApplyPlan(), aDestroyPlan()]) {
      const valid = validatePlan(JSON.parse(JSON.stringify(plan)));
      expect(validatePlan.errors ?? [], plan.operation).toEqual([]);
      expect(valid).toBe(true);
    }
  });

  it("rejects a wrong field type, an unknown action kind and an unknown field", async () => {
    ws.addCampaign("schema-c");
    const saved = await savedPlan(ws.dir);
    expect(problems(saved)).toEqual([]);
    const copy = () => structuredClone(saved);

    const serialAsText = copy();
    serialAsText.plan.stateSerial = "0";
    expect(problems(serialAsText)).toContain("/plan/stateSerial must be integer");

    const rowsAsText = copy();
    const upload = rowsAsText.plan.campaigns[0].actions.find((a: Json) => a.kind === "upload_file");
    upload.rows = "3";
    expect(problems(rowsAsText).length).toBeGreaterThan(0);

    const unknownKind = copy();
    unknownKind.plan.campaigns[0].actions[0].kind = "explode";
    expect(problems(unknownKind).length).toBeGreaterThan(0);
    expect(validatePlan(unknownKind.plan)).toBe(false);

    const unknownField = copy();
    unknownField.plan.campaigns[0].surprise = true;
    expect(problems(unknownField)).toContain("/plan/campaigns/0 must NOT have additional properties");

    const wrongFormat = copy();
    wrongFormat.format = "terraform-plan";
    expect(problems(wrongFormat)).toContain("/format must be equal to constant");
  });
});
