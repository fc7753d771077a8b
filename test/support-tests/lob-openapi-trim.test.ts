/**
 * The vendored, trimmed copy of Lob's OpenAPI document (test/fixtures/lob/lob-api-trimmed.yml):
 * what it keeps and drops, and whether it is still what scripts/trim-lob-openapi.mjs makes from
 * Lob's full bundle. Only the staleness check reads outside the repository, and only when the
 * full bundle is there ($CAMPAIGNCTL_LOB_SPEC, or shared/lob/ beside the repository).
 */
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { LOB_BUNDLE_ENV, LOB_BUNDLE_SHA256 } from "../support/lob-openapi-provenance.js";
import { LOB_SPEC_PATH } from "../support/openapi-contract.js";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SCRIPT = join(REPO_ROOT, "scripts", "trim-lob-openapi.mjs");
const HEADER_LINES = 6;

/** The staleness check's one reference outside the repository (allowed by test/architecture.test.ts). */
function fullBundlePath(): string {
  return process.env[LOB_BUNDLE_ENV] ?? join(REPO_ROOT, "..", "shared", "lob", "lob-api-bundled.yml");
}

const committed = readFileSync(LOB_SPEC_PATH, "utf8");
const committedHeader = committed.split("\n").slice(0, HEADER_LINES);
const committedBody = committed.split("\n").slice(HEADER_LINES).join("\n");
const scratch = mkdtempSync(join(tmpdir(), "campaignctl-trim-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function runTrim(input: string, out: string): string {
  execFileSync(process.execPath, [SCRIPT, input, "--out", out], { stdio: ["ignore", "ignore", "pipe"] });
  return readFileSync(out, "utf8");
}

/** Where two texts first differ, as a short readable message instead of a 100 KB diff. */
function firstDifference(expected: string, actual: string): string {
  const a = expected.split("\n");
  const b = actual.split("\n");
  const at = a.findIndex((line, i) => line !== b[i]);
  const line = at === -1 ? a.length : at;
  return `first difference at line ${line + 1}: committed ${JSON.stringify(a[line])}, regenerated ${JSON.stringify(b[line])}`;
}

function documentationKeys(node: unknown, parentKey: string, at: string, found: string[]): string[] {
  if (Array.isArray(node)) node.forEach((item, i) => documentationKeys(item, parentKey, `${at}/${i}`, found));
  else if (typeof node === "object" && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      const dropped =
        key === "example" || key === "examples" || key === "x-codeSamples" || key === "x-webhooks";
      if (dropped && parentKey !== "properties") found.push(`${at}/${key}`);
      documentationKeys(value, key, `${at}/${key}`, found);
    }
  }
  return found;
}

describe("the vendored copy of Lob's OpenAPI document", () => {
  const doc = parse(committedBody, { maxAliasCount: -1 }) as {
    paths: Record<string, unknown>;
    components: { schemas: Record<string, unknown> };
  };

  it("records the full bundle's sha256 (CONTRACT.md §0) and the trim script's version in its header", () => {
    const version = /^export const TRIM_SCRIPT_VERSION = (\d+);$/m.exec(readFileSync(SCRIPT, "utf8"))?.[1];
    expect(version).toMatch(/^\d+$/);
    expect(committedHeader).toContain(`# Full bundle sha256: ${LOB_BUNDLE_SHA256}`);
    expect(committedHeader).toContain(`# Trim script: scripts/trim-lob-openapi.mjs version ${version}`);
    expect(committedHeader.every((line) => line.startsWith("#"))).toBe(true);
  });

  it("keeps campaigns, creatives, uploads (file, exports, report) and resource proofs, and no other path", () => {
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/campaigns",
      "/campaigns/{cmp_id}",
      "/campaigns/{cmp_id}/send",
      "/creatives",
      "/creatives/{crv_id}",
      "/resource_proofs",
      "/resource_proofs/{res_prf_id}",
      "/uploads",
      "/uploads/{upl_id}",
      "/uploads/{upl_id}/exports",
      "/uploads/{upl_id}/exports/{ex_id}",
      "/uploads/{upl_id}/file",
      "/uploads/{upl_id}/report",
    ]);
    expect(Object.keys(doc.components.schemas)).toContain("error");
  });

  it("resolves every $ref it contains", () => {
    const refs: string[] = [];
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (typeof node === "object" && node !== null) {
        for (const [key, value] of Object.entries(node)) {
          if (key === "$ref" && typeof value === "string") refs.push(value.replace(/^#\//, ""));
          else collect(value);
        }
      }
    };
    collect(doc);
    expect(refs.length).toBeGreaterThan(100);
    const missing = refs.filter((ref) => {
      let node: unknown = doc;
      for (const segment of ref.split("/").map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))) {
        if (typeof node !== "object" || node === null || !(segment in node)) return true;
        node = (node as Record<string, unknown>)[segment];
      }
      return false;
    });
    expect([...new Set(missing)]).toEqual([]);
  });

  it("holds no examples, code samples or webhooks, and no API key", () => {
    expect(documentationKeys(doc, "", "", [])).toEqual([]);
    expect(committed.match(/\b(?:test|live)_[0-9A-Za-z]{16,}/g)).toBeNull();
  });

  it("is what the trim script makes of itself (the script's output is a fixed point)", () => {
    const again = runTrim(LOB_SPEC_PATH, join(scratch, "retrimmed.yml"));
    const againBody = again.split("\n").slice(HEADER_LINES).join("\n");
    expect(againBody === committedBody, firstDifference(committedBody, againBody)).toBe(true);
  });

  const bundle = fullBundlePath();
  const bundlePresent = existsSync(bundle) || process.env[LOB_BUNDLE_ENV] !== undefined;
  it(
    bundlePresent
      ? `is current: regenerated from the full bundle at ${bundle}, byte for byte`
      : `is current: not checked, Lob's full bundle is absent (set ${LOB_BUNDLE_ENV} to check); header checked instead`,
    () => {
      if (!bundlePresent) {
        console.info(`staleness check not run: no full bundle at ${bundle}`);
        expect(committedHeader[2]).toMatch(/^# Full bundle sha256: [0-9a-f]{64}$/);
        return;
      }
      expect(existsSync(bundle), `${LOB_BUNDLE_ENV} names ${bundle}, which does not exist`).toBe(true);
      const sha = createHash("sha256").update(readFileSync(bundle)).digest("hex");
      expect(
        sha,
        "Lob's bundle is not the one CONTRACT.md §0 describes: review the contract, regenerate the copy, update LOB_BUNDLE_SHA256",
      ).toBe(LOB_BUNDLE_SHA256);
      const regenerated = runTrim(bundle, join(scratch, "regenerated.yml"));
      expect(
        regenerated === committed,
        `${firstDifference(committed, regenerated)}; run node scripts/trim-lob-openapi.mjs and commit the result`,
      ).toBe(true);
    },
  );
});
