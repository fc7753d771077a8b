import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isCampaignctlError } from "../../src/core/errors.js";
import { discoverManifestFiles, loadManifests } from "../../src/manifest/index.js";

let scratch: string;
afterEach(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function layout(files: Record<string, string>): Promise<string> {
  scratch = await mkdtemp(join(tmpdir(), "ccdisc-"));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(scratch, name, ".."), { recursive: true });
    await writeFile(join(scratch, name), text);
  }
  return scratch;
}

const paths = (found: readonly { path: string }[]) => found.map((f) => f.path.slice(scratch.length + 1));

describe("discoverManifestFiles", () => {
  it("searches a directory recursively, sorted, skipping dot-entries, node_modules and the project file", async () => {
    const dir = await layout({
      "b.yml": "x",
      "a.yaml": "x",
      "notes.txt": "x",
      "campaigns/winback/campaign.yaml": "x",
      ".github/workflows/plan.yml": "x",
      ".hidden.yaml": "x",
      "node_modules/pkg/campaign.yaml": "x",
      "campaignctl.yaml": "version: 1",
    });
    const found = await discoverManifestFiles([dir], "/");
    expect(paths(found)).toEqual(["a.yaml", "b.yml", "campaigns/winback/campaign.yaml"]);
    expect(found.every((f) => !f.explicit)).toBe(true);
  });

  it("does not follow directory symlinks, and leaves a nested project alone", async () => {
    const dir = await layout({
      "outside/campaign.yaml": "x",
      "inner/campaignctl.yaml": "version: 1\nproject: inner\n",
      "inner/campaign.yaml": "x",
      "mine/campaign.yaml": "x",
    });
    await symlink(join(dir, "outside"), join(dir, "mine", "linked"));
    expect(paths(await discoverManifestFiles([join(dir, "mine")], "/"))).toEqual(["mine/campaign.yaml"]);
    expect(paths(await discoverManifestFiles([dir], "/"))).toEqual([
      "mine/campaign.yaml",
      "outside/campaign.yaml",
    ]);
  });

  it("marks files named explicitly or matched by the project's globs as manifests", async () => {
    const dir = await layout({ "campaigns/a.yaml": "x", "campaigns/b.yaml": "x", "other/c.yaml": "x" });
    const scope = { root: dir, manifestGlobs: ["campaigns/*.yaml"] };
    const whole = await discoverManifestFiles([], dir, scope);
    expect(whole.map((f) => [f.path.slice(dir.length + 1), f.explicit])).toEqual([
      ["campaigns/a.yaml", true],
      ["campaigns/b.yaml", true],
    ]);
    const searched = await discoverManifestFiles([dir], dir, scope);
    expect(searched.map((f) => [f.path.slice(dir.length + 1), f.explicit])).toEqual([
      ["campaigns/a.yaml", true],
      ["campaigns/b.yaml", true],
      ["other/c.yaml", false],
    ]);
    const named = await discoverManifestFiles(["other/c.yaml"], dir, scope);
    expect(named).toEqual([{ path: join(dir, "other/c.yaml"), explicit: true }]);
  });

  it("says so when the project's globs match nothing", async () => {
    const dir = await layout({ "a.yaml": "x" });
    const error = await discoverManifestFiles([], dir, {
      root: dir,
      manifestGlobs: ["campaigns/**/*.yaml"],
    }).catch((e: unknown) => e);
    expect(isCampaignctlError(error) && error.code).toBe("MANIFEST_NOT_FOUND");
    expect(isCampaignctlError(error) && error.message).toContain("campaigns/**/*.yaml");
  });
});

describe("loadManifests over a searched folder", () => {
  const manifest = (key: string) =>
    `version: 1\nkey: ${key}\ncampaign: { name: x, schedule_type: immediate, use_type: marketing }\n`;

  it("reads only YAML documents that look like manifests; workflow, action and compose files are not", async () => {
    const dir = await layout({
      "campaigns/a/campaign.yaml": manifest("a"),
      "campaigns/action.yml": "name: deploy\nruns:\n  using: node20\n",
      "docker-compose.yml": "version: '3.8'\nservices:\n  db:\n    image: postgres\n",
      "workflows/plan.yml": "on: pull_request\njobs: {}\n",
      "list.yaml": "- a\n- b\n",
      "empty.yaml": "",
      "broken.yaml": "services: [\n",
    });
    const result = await loadManifests([dir], { cwd: dir, env: {}, preflight: false });
    expect(result.files.map((f) => f.slice(dir.length + 1))).toEqual(["campaigns/a/campaign.yaml"]);
    // The one manifest is validated strictly (it lacks creative and audience).
    expect(result.diagnostics.map((d) => [d.file, d.code])).toContainEqual([
      "campaigns/a/campaign.yaml",
      "SCHEMA",
    ]);
  });

  it("validates a file named explicitly even when it does not look like a manifest", async () => {
    const dir = await layout({ "list.yaml": "- a\n- b\n" });
    const result = await loadManifests([join(dir, "list.yaml")], { cwd: dir, env: {}, preflight: false });
    expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["SCHEMA", "must be a mapping (got a list)"],
    ]);
  });

  it("reports MANIFEST_NOT_FOUND for a folder with YAML but no manifest", async () => {
    const dir = await layout({ "docker-compose.yml": "version: '3'\nservices: {}\n" });
    const error = await loadManifests([dir], { cwd: dir, env: {}, preflight: false }).catch(
      (e: unknown) => e,
    );
    expect(isCampaignctlError(error) && error.code).toBe("MANIFEST_NOT_FOUND");
  });
});
