import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadManifests } from "../../src/manifest/index.js";

/**
 * The broken-manifest corpus: one directory per case under test/fixtures/manifests/ (shared
 * artwork and CSV in _shared/). Each row says exactly what the user sees: code, file:line:col,
 * and a fragment of the message. Positions are 1-based; 0:0 means "the whole file".
 */
const ROOT = fileURLToPath(new URL("../fixtures/manifests/", import.meta.url));
const ENV = { CAMPAIGNCTL_TEST_BG: "bg_fe3079dcdd80e5ae" };

type Expected = readonly [code: string, where: string, messagePart?: string];
interface Case {
  readonly errors: readonly Expected[];
  readonly warnings?: readonly Expected[];
  /** Valid campaign documents expected (default: 0 when there are errors, else 1). */
  readonly manifests?: number;
}

const M = "campaign.yaml";
const CASES: Readonly<Record<string, Case>> = {
  // YAML
  "yaml-bad-indent": {
    errors: [
      ["YAML_SYNTAX", `${M}:6:13`],
      ["YAML_SYNTAX", `${M}:6:13`],
      ["YAML_SYNTAX", `${M}:8:3`],
    ],
  },
  "yaml-unclosed-quote": { errors: [["YAML_SYNTAX", `${M}:31:1`, 'Missing closing "quote']] },
  "yaml-duplicate-key": { errors: [["YAML_SYNTAX", `${M}:7:3`, "Map keys must be unique"]] },
  "top-level-list": { errors: [["SCHEMA", `${M}:1:1`, "must be a mapping (got a list)"]] },
  "empty-file": { errors: [["SCHEMA", `${M}:0:0`, "contains no campaign document"]] },
  // top level and campaign
  "version-2": { errors: [["SCHEMA", `${M}:1:10`, "must be 1 (got 2)"]] },
  "key-bad-pattern": { errors: [["SCHEMA", `${M}:2:6`, "lowercase letters, digits and dashes"]] },
  "missing-campaign": { errors: [["SCHEMA", `${M}:1:1`, "'campaign' is required"]] },
  "use-type-typo": {
    errors: [
      [
        "SCHEMA",
        `${M}:6:13`,
        "must be one of marketing, operational (got 'marketting'); did you mean 'marketing'?",
      ],
    ],
  },
  "schedule-type-bad": { errors: [["SCHEMA", `${M}:5:18`, "must be immediate (got 'scheduled')"]] },
  "cancel-window-negative": { errors: [["SCHEMA", `${M}:7:35`, "must be >= 0 (got -5)"]] },
  "cancel-window-string": {
    errors: [["SCHEMA", `${M}:7:35`, "must be a whole number or null (got a string)"]],
  },
  "billing-group-bad-id": { errors: [["SCHEMA", `${M}:8:21`, "billing group id like bg_"]] },
  "unknown-top-level-field": { errors: [["SCHEMA", `${M}:2:1`, "unknown field 'schedule'"]] },
  // The typo explains the missing 'use_type': one diagnostic, not two.
  "campaign-camelcase-field": {
    errors: [["SCHEMA", `${M}:6:3`, "unknown field 'useType' (did you mean 'use_type'?)"]],
  },
  // creative
  "unknown-field-fron": { errors: [["SCHEMA", `${M}:10:3`, "unknown field 'fron' (did you mean 'front'?)"]] },
  "campaign-id-in-creative": {
    errors: [["SCHEMA", `${M}:10:3`, "'campaign_id' must not appear in a manifest"]],
  },
  "campaignid-in-audience": {
    errors: [["SCHEMA", `${M}:17:3`, "'campaignId' must not appear in a manifest"]],
  },
  "postcard-missing-size": {
    errors: [["SCHEMA", `${M}:13:5`, "'size' is required for a postcard (one of 4x6, 6x9, 6x11)"]],
  },
  "postcard-missing-back": { errors: [["SCHEMA", `${M}:9:3`, "'back' is required for a postcard"]] },
  "postcard-with-file": { errors: [["SCHEMA", `${M}:12:3`, "'file' is not used by a postcard"]] },
  "usps-standard-4x6": {
    errors: [["SCHEMA", `${M}:14:16`, "usps_standard is not available for 4x6 postcards"]],
  },
  "resource-type-typo": { errors: [["SCHEMA", `${M}:9:18`, "did you mean 'postcard'?"]] },
  "postcard-size-bad": { errors: [["SCHEMA", `${M}:13:11`, "must be one of 4x6, 6x9, 6x11 (got '5x7')"]] },
  "artwork-bad-extension": {
    errors: [["SCHEMA", `${M}:10:10`, "must be a template id (tmpl_…), an https:// URL"]],
  },
  "artwork-http-url": { errors: [["SCHEMA", `${M}:10:10`, "(got 'http://example.com/front.html')"]] },
  "details-not-mapping": { errors: [["SCHEMA", `${M}:12:12`, "must be a mapping (got a string)"]] },
  "qr-code-invalid": {
    errors: [
      ["SCHEMA", `${M}:16:7`, "give either 'top' or 'bottom', not both"],
      ["SCHEMA", `${M}:16:7`, "'width' is required"],
      ["SCHEMA", `${M}:16:17`, "must be relative (got 'absolute')"],
    ],
  },
  // letter
  "letter-missing-from": { errors: [["SCHEMA", `${M}:8:3`, "'from' is required for a letter"]] },
  "letter-color-missing": {
    errors: [["SCHEMA", `${M}:17:5`, "'color' is required for a letter (true or false)"]],
  },
  "letter-color-string": { errors: [["SCHEMA", `${M}:17:12`, "must be true or false (got a string)"]] },
  "letter-extra-service-standard": {
    errors: [
      [
        "SCHEMA",
        `${M}:19:20`,
        "extra_service (certified/registered mail) is not available with usps_standard",
      ],
    ],
  },
  "letter-from-no-name": { errors: [["SCHEMA", `${M}:11:5`, "needs 'name' or 'company'"]] },
  "letter-from-zip-number": { errors: [["SCHEMA", `${M}:15:18`, "must be a string (got a whole number)"]] },
  "letter-from-state-long": { errors: [["SCHEMA", `${M}:14:20`, "two-letter US state code"]] },
  "letter-bad-ids": {
    errors: [
      ["SCHEMA", `${M}:18:22`, "custom envelope id like env_"],
      ["SCHEMA", `${M}:19:16`, "has 2 items; at most 1 are allowed"],
    ],
  },
  "self-mailer-bad-size": { errors: [["SCHEMA", `${M}:13:11`, "(got '6x18')"]] },
  // metadata limits
  "metadata-too-many-keys": { errors: [["SCHEMA", `${M}:9:5`, "has 21 entries; at most 17 are allowed"]] },
  "metadata-reserved-key": {
    errors: [["SCHEMA", `${M}:9:5`, "campaignctl_key and campaignctl_lineage are reserved"]],
  },
  "metadata-key-too-long": { errors: [["SCHEMA", `${M}:9:5`, "is longer than 40 characters"]] },
  "metadata-value-quote": { errors: [["SCHEMA", `${M}:9:11`, "without double quotes or backslashes"]] },
  "metadata-nested": { errors: [["SCHEMA", `${M}:10:7`, "must be a string (got a mapping)"]] },
  // audience mapping
  "optional-mapping-partial": { errors: [["SCHEMA", `${M}:24:5`, "'address_country' is required"]] },
  "required-mapping-null": { errors: [["SCHEMA", `${M}:18:11`, "must be a string (got null)"]] },
  "merge-mapping-list": { errors: [["SCHEMA", `${M}:28:5`, "must be a mapping or null (got a list)"]] },
  "merge-mapping-bad-name": { errors: [["SCHEMA", `${M}:29:5`, "key 'first name' is not allowed"]] },
  "metadata-columns-string": { errors: [["SCHEMA", `${M}:30:14`, "must be a list (got a string)"]] },
  "audience-not-csv": { errors: [["SCHEMA", `${M}:16:9`, "must be a path to a .csv file"]] },
  "send-invalid": {
    errors: [
      ["SCHEMA", `${M}:32:12`, "must be true or false"],
      ["SCHEMA", `${M}:33:15`, "must be >= 1 (got 0)"],
    ],
  },
  // files
  "artwork-file-missing": {
    errors: [["FILE_NOT_FOUND", `${M}:10:10`, "artwork-file-missing/nope.html does not exist"]],
  },
  "audience-file-missing": {
    errors: [["FILE_NOT_FOUND", `${M}:16:9`, "audience-file-missing/people.csv does not exist"]],
  },
  // merge variables
  "merge-unmapped": {
    errors: [
      ["MERGE_VARIABLE_UNMAPPED", `${M}:10:10`, "'last_name' (used at merge-unmapped/front.html:3:26)"],
    ],
  },
  "merge-whitespace": {
    errors: [
      ["MERGE_VARIABLE_NAME", `${M}:10:10`, "merge-whitespace/front.html:1:7 has spaces inside its braces"],
    ],
  },
  "merge-bad-characters": {
    errors: [["MERGE_VARIABLE_NAME", `${M}:10:10`, "'first name' at merge-bad-characters/front.html:1:23"]],
  },
  "merge-qr-unmapped": {
    errors: [["MERGE_VARIABLE_UNMAPPED", `${M}:18:21`, "'promo_code' (used at redirect_url)"]],
  },
  // identity, env, several documents
  "duplicate-keys": {
    errors: [["DUPLICATE_KEY", "b.yaml:2:6", "key 'same-key' is already used by duplicate-keys/a.yaml:2"]],
    manifests: 1,
  },
  "multi-doc-second-bad": { errors: [["SCHEMA", `${M}:37:13`, "(got 'mail')"]], manifests: 1 },
  "env-missing": {
    errors: [["ENV_MISSING", `${M}:8:21`, "environment variable CAMPAIGNCTL_TEST_UNSET_BG is not set"]],
  },
  // audience CSV (preflight)
  "column-missing": {
    errors: [
      [
        "COLUMN_MISSING",
        `${M}:22:18`,
        "column 'zip' is not in the header of _shared/audience.csv (columns: customer_id",
      ],
    ],
  },
  "csv-non-utf8": { errors: [["CSV_NOT_UTF8", "audience.csv:2:1"]] },
  "csv-empty": { errors: [["CSV_EMPTY", "audience.csv:0:0"]] },
  "csv-header-only": { errors: [["CSV_NO_ROWS", "audience.csv:0:0"]] },
  "csv-duplicate-header": {
    errors: [["CSV_DUPLICATE_HEADER", "audience.csv:1:67", "columns 5 and 8 have the same header name"]],
  },
  "csv-bad-rows": {
    errors: [],
    warnings: [
      ["ROWS_FAILING", "audience.csv:3:1", "(row 2)"],
      ["ROWS_FAILING", "audience.csv:3:1", "(row 2)"],
      ["ROWS_FAILING", "audience.csv:4:1", "(row 3)"],
    ],
  },
  // valid variants: these must pass
  "valid-csv-bom": { errors: [] },
  "valid-csv-crlf": { errors: [] },
  "valid-crlf-manifest": { errors: [] },
  "valid-env-present": { errors: [] },
  "valid-merge-unused-warning": {
    errors: [],
    warnings: [
      ["MERGE_VARIABLE_UNUSED", `${M}:29:5`, "'city_name' is mapped but no artwork uses {{city_name}}"],
    ],
  },
  "valid-template-artwork-no-unused-warning": { errors: [] },
};

function yamlFilesOf(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

function where(d: { file: string; line: number; col: number }, name: string): string {
  const prefix = `${name}/`;
  const file = d.file.startsWith(prefix) ? d.file.slice(prefix.length) : d.file;
  return `${file}:${d.line}:${d.col}`;
}

describe("broken manifest corpus", () => {
  it("has at least 40 broken cases", () => {
    const broken = Object.entries(CASES).filter(([, c]) => c.errors.length > 0);
    expect(broken.length).toBeGreaterThanOrEqual(40);
  });

  for (const [name, expected] of Object.entries(CASES)) {
    it(name, async () => {
      // Named explicitly, as `campaignctl validate dir/campaign.yaml` would: strict validation
      // (a folder search skips YAML files that do not look like manifests; see discovery tests).
      const result = await loadManifests(yamlFilesOf(`${ROOT}${name}`), { cwd: ROOT, env: ENV });
      const errors = result.diagnostics.filter((d) => d.severity === "error");
      const warnings = result.diagnostics.filter((d) => d.severity === "warning");
      expect(errors.map((d) => [d.code, where(d, name)])).toEqual(expected.errors.map(([c, w]) => [c, w]));
      expect(warnings.map((d) => [d.code, where(d, name)])).toEqual(
        (expected.warnings ?? []).map(([c, w]) => [c, w]),
      );
      const wanted = [...expected.errors, ...(expected.warnings ?? [])];
      const got = [...errors, ...warnings];
      wanted.forEach(([, , part], i) => {
        if (part !== undefined) expect(got[i]!.message).toContain(part);
      });
      for (const d of result.diagnostics) {
        expect(d.message).not.toMatch(/\n\s+at |must NOT have|must match pattern/);
        expect(d.hint.length).toBeGreaterThan(0);
      }
      expect(result.manifests).toHaveLength(expected.manifests ?? (expected.errors.length > 0 ? 0 : 1));
    });
  }
});
