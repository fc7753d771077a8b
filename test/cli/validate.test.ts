import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { describe, expect, it } from "vitest";

/**
 * Spawns the built CLI. These tests assume dist/ is built: `npm test` runs `npm run build` before
 * vitest; when running this file alone, run `npm run build` first.
 */
const REPO = fileURLToPath(new URL("../../", import.meta.url));
const BIN = `${REPO}dist/bin.js`;
const FIXTURES = `${REPO}test/fixtures/manifests`;

function run(args: string[], cwd = REPO) {
  return execa("node", [BIN, ...args], { cwd, reject: false, env: { NO_COLOR: "1" }, extendEnv: false });
}

const NO_STACK = /\n\s+at .+:\d+:\d+/;

describe("campaignctl validate (built CLI)", () => {
  it("accepts every example with exit 0 and an OK summary", async () => {
    const result = await run(["validate", "examples/postcard", "examples/letter", "examples/self-mailer"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/OK: 3 campaigns valid in 3 manifests/);
    expect(result.stdout).toContain(
      "spring-promo (examples/postcard/campaign.yaml): audience examples/postcard/audience.csv: 12 rows",
    );
  });

  it("prints file:line:col, code, path, message and hint for a broken manifest, exit 1", async () => {
    const result = await run(["validate", "use-type-typo", "postcard-missing-size"], FIXTURES);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      "postcard-missing-size/campaign.yaml:13:5: error SCHEMA creative.details: 'size' is required for a postcard (one of 4x6, 6x9, 6x11)\n  hint: ",
    );
    expect(result.stdout).toContain(
      "use-type-typo/campaign.yaml:6:13: error SCHEMA campaign.use_type: must be one of marketing, operational (got 'marketting'); did you mean 'marketing'?",
    );
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe("2 errors, 0 warnings in 2 manifests");
    expect(result.stdout + result.stderr).not.toMatch(NO_STACK);
  });

  it("--format json prints one parseable object with the documented shape", async () => {
    const result = await run(["validate", "examples/postcard", "--format", "json"]);
    expect(result.exitCode).toBe(0);
    const json = JSON.parse(result.stdout) as Record<string, unknown> & {
      summary: Record<string, number>;
      campaigns: { key: string; audience: { totalRows: number; sha256: string } }[];
      diagnostics: { code: string; line: number }[];
    };
    expect(Object.keys(json)).toEqual(["version", "valid", "summary", "diagnostics", "campaigns"]);
    expect(json.version).toBe(1);
    expect(json.valid).toBe(true);
    expect(json.summary).toEqual({ errors: 0, warnings: 2, manifests: 1, campaigns: 1 });
    expect(json.campaigns[0]?.key).toBe("spring-promo");
    expect(json.campaigns[0]?.audience.totalRows).toBe(12);
    expect(json.campaigns[0]?.audience.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(json.diagnostics.map((d) => d.code)).toEqual(["ROWS_FAILING", "ROWS_FAILING"]);
  });

  it("--format github prints workflow annotations", async () => {
    const result = await run(["validate", "merge-unmapped", "--format", "github"], FIXTURES);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(
      /^::error file=merge-unmapped\/campaign.yaml,line=10,col=10,title=MERGE_VARIABLE_UNMAPPED::creative.front: merge variable 'last_name'/m,
    );
  });

  it("--no-preflight skips the CSV", async () => {
    const result = await run(["validate", "csv-empty", "--no-preflight"], FIXTURES);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("OK: 1 campaign valid");
  });

  it("refuses an unknown format and a missing path with a hint, exit 1, no stack", async () => {
    const badFormat = await run(["validate", "examples/letter", "--format", "xml"]);
    expect(badFormat.exitCode).toBe(1);
    expect(badFormat.stderr).toContain("unknown format 'xml'");
    expect(badFormat.stderr).toContain("hint:");
    const missing = await run(["validate", "nowhere.yaml"]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain("no such file or directory: nowhere.yaml");
    expect(missing.stderr).toContain("hint:");
    const badFlag = await run(["validate", "--strictly"]);
    expect(badFlag.exitCode).toBe(1);
    for (const r of [badFormat, missing, badFlag]) expect(r.stderr).not.toMatch(NO_STACK);
  });

  it("reports malformed YAML and a non-UTF-8 CSV without a stack trace", async () => {
    const result = await run(["validate", "yaml-unclosed-quote", "csv-non-utf8"], FIXTURES);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain("yaml-unclosed-quote/campaign.yaml:31:1: error YAML_SYNTAX");
    expect(result.stdout).toContain("csv-non-utf8/audience.csv:2:1: error CSV_NOT_UTF8");
    expect(result.stdout + result.stderr).not.toMatch(NO_STACK);
  });
});

describe("campaignctl schema (built CLI)", () => {
  it("prints the schema file byte for byte", async () => {
    const result = await run(["schema"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout + "\n").toBe(readFileSync(`${REPO}schemas/manifest.v1.schema.json`, "utf8"));
  });
});
