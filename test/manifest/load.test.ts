import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { isCampaignctlError } from "../../src/core/errors.js";
import { discoverManifestFiles, loadManifests } from "../../src/manifest/index.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
let scratch: string | undefined;
afterEach(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
  scratch = undefined;
});

describe("examples", () => {
  for (const example of ["postcard", "letter", "self-mailer"]) {
    it(`examples/${example} is valid`, async () => {
      const result = await loadManifests([`examples/${example}`], { cwd: REPO, env: {} });
      expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(result.manifests).toHaveLength(1);
      expect(result.preflight.size).toBe(1);
    });
  }

  it("resolves the postcard example into a CampaignManifest", async () => {
    const { manifests } = await loadManifests(["examples/postcard/campaign.yaml"], { cwd: REPO, env: {} });
    const [manifest] = manifests;
    expect(manifest?.key).toBe("spring-promo");
    expect(manifest?.source).toEqual({
      file: join("examples", "postcard", "campaign.yaml"),
      line: 3,
      col: 1,
    });
    expect(manifest?.creative.artwork.front).toEqual({
      kind: "file",
      value: "./front.html",
      path: join(REPO, "examples/postcard/front.html"),
      mediaType: "html",
    });
    expect(manifest?.creative.artwork.back).toEqual({ kind: "template", value: "tmpl_c94e83ca2cd5121" });
    expect(manifest?.audience.file).toBe(join(REPO, "examples/postcard/audience.csv"));
    expect(manifest?.audience.optionalAddressColumnMapping.company).toBeNull();
    expect(manifest?.send).toEqual({ enabled: false, max_pieces: 50000 });
  });

  it("skips the audience with preflight: false", async () => {
    // examples/ holds only folders: they are searched recursively.
    const all = await loadManifests(["examples"], { cwd: REPO, env: {}, preflight: false });
    expect(all.manifests.map((m) => m.key).sort()).toEqual([
      "autumn-catalog-mailer",
      "policy-update-letter",
      "spring-promo",
    ]);
    expect(all.preflight.size).toBe(0);
    const ok = await loadManifests(["examples/letter"], { cwd: REPO, env: {}, preflight: false });
    expect(ok.preflight.size).toBe(0);
    expect(ok.manifests).toHaveLength(1);
  });
});

describe("discoverManifestFiles", () => {
  it("throws MANIFEST_NOT_FOUND with a hint for a missing path", async () => {
    const error = await discoverManifestFiles(["nope.yaml"], REPO).catch((e: unknown) => e);
    expect(isCampaignctlError(error) && error.code).toBe("MANIFEST_NOT_FOUND");
    expect(isCampaignctlError(error) && error.hint).toContain("manifest");
  });
});

describe("loadManifests", () => {
  it("substitutes ${env:NAME} inside strings", async () => {
    scratch = await mkdtemp(join(tmpdir(), "ccenv-"));
    const text = (
      await import("node:fs/promises").then((fs) =>
        fs.readFile(join(REPO, "examples/letter/campaign.yaml"), "utf8"),
      )
    ).replace("name: Policy update notice", "name: Policy ${env:CC_SUFFIX}");
    await writeFile(
      join(scratch, "letter.yaml"),
      text.replace(/\.\/(letter\.pdf|audience\.csv)/g, `${REPO}examples/letter/$1`),
    );
    const { manifests, diagnostics } = await loadManifests([scratch], {
      cwd: scratch,
      env: { CC_SUFFIX: "(test)" },
      // The artwork and audience stay in examples/, outside this project: allowed explicitly.
      project: { name: "default", root: scratch, allowPaths: [join(REPO, "examples")] },
    });
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(manifests[0]?.campaign.name).toBe("Policy (test)");
  });

  it("reports problems in every document of every file at once", async () => {
    const root = fileURLToPath(new URL("../fixtures/manifests/", import.meta.url));
    const result = await loadManifests(["use-type-typo", "version-2", "merge-unmapped"], {
      cwd: root,
      env: {},
    });
    expect(result.files).toHaveLength(3);
    expect(new Set(result.diagnostics.map((d) => d.file.split("/")[0]))).toEqual(
      new Set(["use-type-typo", "version-2", "merge-unmapped"]),
    );
  });
});
