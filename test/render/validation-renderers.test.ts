import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadManifests } from "../../src/manifest/index.js";
import {
  formatValidationGithub,
  formatValidationJson,
  formatValidationText,
} from "../../src/render/diagnostics.js";
import type { ValidationOutcome } from "../../src/render/diagnostics.js";

const ROOT = fileURLToPath(new URL("../fixtures/manifests/", import.meta.url));

/** `validate` of a campaign with failing audience rows and of two documents sharing a key, as the command builds it. */
async function outcome(): Promise<ValidationOutcome> {
  const result = await loadManifests(
    ["csv-bad-rows/campaign.yaml", "duplicate-keys/a.yaml", "duplicate-keys/b.yaml"],
    { cwd: ROOT, env: {} },
  );
  return {
    diagnostics: result.diagnostics,
    manifestFiles: result.files.length,
    campaigns: result.manifests.map((m) => ({ key: m.key, file: m.source.file })),
    preflight: result.preflight,
  };
}

describe("validation renderers", () => {
  it("text, json and github annotations", async () => {
    const o = await outcome();
    expect(o.diagnostics.length).toBeGreaterThan(1);
    await expect(formatValidationText(o)).toMatchFileSnapshot("./__snapshots__/validate.txt");
    await expect(formatValidationJson(o)).toMatchFileSnapshot("./__snapshots__/validate.json");
    await expect(formatValidationGithub(o)).toMatchFileSnapshot("./__snapshots__/validate.github.txt");
  });
});
