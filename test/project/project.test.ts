import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isCampaignctlError } from "../../src/core/errors.js";
import { ProjectFileInvalid, resolveProject } from "../../src/project/load.js";
import { resolveStatePath } from "../../src/state/paths.js";

let scratch: string;
afterEach(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function layout(files: Record<string, string>): Promise<string> {
  scratch = await realpath(await mkdtemp(join(tmpdir(), "ccproj-")));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(scratch, name, ".."), { recursive: true });
    await writeFile(join(scratch, name), text);
  }
  return scratch;
}

describe("resolveProject", () => {
  it("walks up from the first path to campaignctl.yaml, whatever the working directory", async () => {
    const dir = await layout({
      "campaignctl.yaml":
        "version: 1\nproject: growth\nstate: state/main.json\nallow_paths: [../brand-assets]\n",
      "campaigns/winback/campaign.yaml": "",
    });
    for (const [paths, cwd] of [
      [["campaigns/winback/campaign.yaml"], dir],
      [["."], join(dir, "campaigns")],
      [["winback"], join(dir, "campaigns")],
      [[], join(dir, "campaigns", "winback")],
      [[join(dir, "campaigns")], "/"],
    ] as const) {
      const project = await resolveProject({ paths, cwd, env: {} });
      expect([project.name, project.root, project.file]).toEqual([
        "growth",
        dir,
        join(dir, "campaignctl.yaml"),
      ]);
      expect(project.allowPaths).toEqual([join(dir, "..", "brand-assets")]);
      expect(resolveStatePath({ cwd, root: project.root, projectState: project.state! })).toBe(
        join(dir, "state/main.json"),
      );
    }
  });

  it("without a project file: the nearest .git folder, else the folder of the first path; project 'default'", async () => {
    const dir = await layout({ "repo/.git/HEAD": "ref", "repo/campaigns/a.yaml": "", "loose/b.yaml": "" });
    const inRepo = await resolveProject({ paths: ["campaigns/a.yaml"], cwd: join(dir, "repo"), env: {} });
    expect([inRepo.name, inRepo.root, inRepo.file]).toEqual(["default", join(dir, "repo"), undefined]);
    const fromSub = await resolveProject({ paths: [], cwd: join(dir, "repo", "campaigns"), env: {} });
    expect(fromSub.root).toBe(join(dir, "repo"));
    const loose = await resolveProject({ paths: [join(dir, "loose", "b.yaml")], cwd: "/", env: {} });
    expect([loose.name, loose.root]).toEqual(["default", join(dir, "loose")]);
    // The default state is under the root, not the working directory.
    expect(resolveStatePath({ cwd: join(dir, "repo", "campaigns"), root: fromSub.root })).toBe(
      join(dir, "repo", ".campaignctl/state.json"),
    );
  });

  it("substitutes ${env:NAME} (e.g. a state URL from a secret)", async () => {
    const dir = await layout({ "campaignctl.yaml": "version: 1\nproject: p\nstate: ${env:CC_STATE}\n" });
    const project = await resolveProject({ paths: [], cwd: dir, env: { CC_STATE: "custom/state.json" } });
    expect(project.state).toBe("custom/state.json");
  });

  it("reports every problem as file:line:col with a hint, and no stack", async () => {
    const dir = await layout({
      "campaignctl.yaml": "version: 2\nproject: Growth Team\nmanifest: ['*.yaml']\nstate: ${env:CC_UNSET}\n",
    });
    const error = await resolveProject({ paths: [], cwd: dir, env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProjectFileInvalid);
    const diagnostics = (error as ProjectFileInvalid).diagnostics;
    expect(diagnostics.map((d) => [d.code, `${d.file}:${d.line}:${d.col}`])).toEqual([
      ["ENV_MISSING", "campaignctl.yaml:4:8"],
    ]);
    await writeFile(
      join(dir, "campaignctl.yaml"),
      "version: 2\nproject: Growth Team\nmanifest: ['*.yaml']\n",
    );
    const schema = (await resolveProject({ paths: [], cwd: dir, env: {} }).catch(
      (e: unknown) => e,
    )) as ProjectFileInvalid;
    expect(schema.code).toBe("PROJECT_INVALID");
    expect(schema.diagnostics.map((d) => [d.code, `${d.file}:${d.line}:${d.col}`, d.message])).toEqual([
      ["SCHEMA", "campaignctl.yaml:1:10", "must be 1 (got 2)"],
      [
        "SCHEMA",
        "campaignctl.yaml:2:10",
        "must be lowercase letters, digits and dashes (starting with a letter or digit, at most 63 characters) (got 'Growth Team')",
      ],
      ["SCHEMA", "campaignctl.yaml:3:1", "unknown field 'manifest' (did you mean 'manifests'?)"],
    ]);
    for (const d of schema.diagnostics) expect(d.hint.length).toBeGreaterThan(0);
  });

  it("reports YAML syntax errors at their line", async () => {
    const dir = await layout({ "campaignctl.yaml": "version: 1\nproject: [unclosed\n" });
    const error = await resolveProject({ paths: [], cwd: dir, env: {} }).catch((e: unknown) => e);
    expect(isCampaignctlError(error) && error.code).toBe("PROJECT_INVALID");
    expect((error as ProjectFileInvalid).diagnostics[0]!.code).toBe("YAML_SYNTAX");
  });

  it("reads the project file as guardedly as a manifest: no /proc files, no binary, no giant file", async () => {
    const dir = await layout({});
    await symlink("/proc/self/environ", join(dir, "campaignctl.yaml"));
    const special = (await resolveProject({ paths: [], cwd: dir, env: {} }).catch(
      (e: unknown) => e,
    )) as ProjectFileInvalid;
    expect(special.code).toBe("PROJECT_INVALID");
    expect(special.diagnostics.map((d) => d.message).join("\n")).toContain("special file");
    expect(JSON.stringify(special.diagnostics)).not.toContain("PATH=");

    await rm(join(dir, "campaignctl.yaml"));
    await writeFile(
      join(dir, "campaignctl.yaml"),
      `version: 1\nproject: p\n# ${"x".repeat(2 * 1024 * 1024)}\n`,
    );
    const large = (await resolveProject({ paths: [], cwd: dir, env: {} }).catch(
      (e: unknown) => e,
    )) as ProjectFileInvalid;
    expect(large.diagnostics.map((d) => d.code)).toEqual(["FILE_TOO_LARGE"]);
  });
});
