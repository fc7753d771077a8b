import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
// @ts-expect-error -- a plain .mjs script without type declarations
import { KEPT_OPERATIONS, trimDocument, trimGitHubOpenApi } from "../../scripts/trim-github-openapi.mjs";

/**
 * The vendored copy of GitHub's OpenAPI description (the full one is about 400 MB unpacked, so it
 * is never in the repository): it holds the operations we use and everything they reference,
 * nothing else, and the script reproduces it from itself (trimming is idempotent).
 */
const VENDORED = fileURLToPath(new URL("../fixtures/github/github-api-trimmed.yml", import.meta.url));
const text = readFileSync(VENDORED, "utf8");
const doc = parse(text) as {
  paths: Record<string, Record<string, unknown>>;
  components: Record<string, Record<string, unknown>>;
};

function refs(node: unknown, into: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, into));
  else if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") into.push(value);
      else refs(value, into);
    }
  }
  return into;
}

describe("test/fixtures/github/github-api-trimmed.yml", () => {
  it("names its source, its sha256 and how to regenerate it", () => {
    expect(text).toMatch(
      /^# Source: npm package @octokit\/openapi \d+\.\d+\.\d+, generated\/api\.github\.com\.json$/m,
    );
    expect(text).toMatch(/^# api\.github\.com\.json sha256: [0-9a-f]{64}$/m);
    expect(text).toMatch(/^# Regenerate: .*npm pack @octokit\/openapi/m);
  });

  it("holds exactly the operations the comment uses, and every $ref resolves", () => {
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((k) => k !== "parameters")
        .map((method) => [path, method]),
    );
    expect(operations.sort()).toEqual([...(KEPT_OPERATIONS as string[][])].sort());
    for (const ref of refs(doc)) {
      const [, section, name] = ref.slice(2).split("/");
      expect(doc.components[section!]?.[name!], ref).toBeDefined();
    }
  });

  it("trimming it again changes nothing (the script made it and keeps nothing extra)", () => {
    expect(trimDocument(doc)).toEqual(doc);
    // The header names the input's own hash, so a different input is visible in the output.
    const again = trimGitHubOpenApi(JSON.stringify(doc)) as string;
    expect(again).toContain("# Trim script: scripts/trim-github-openapi.mjs version 1");
  });

  it("refuses an input without the operations it needs", () => {
    expect(() => trimDocument({ paths: {}, components: {} })).toThrow(/update KEPT_OPERATIONS/);
  });
});
