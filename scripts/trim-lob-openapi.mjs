// Makes the trimmed copy of Lob's OpenAPI document that the contract tests read
// (test/fixtures/lob/lob-api-trimmed.yml) from Lob's full bundle (lob/lob-openapi dist/lob-api-bundled.yml).
//   node scripts/trim-lob-openapi.mjs [--out FILE] [BUNDLE]
// BUNDLE is the path of Lob's full bundle, or $CAMPAIGNCTL_LOB_SPEC when no path is given.
// --out defaults to the committed copy; `--out -` writes to stdout.
//
// Kept: the operations under the path prefixes below, plus the transitive closure of every $ref
// they (and the extra roots) use, and the tags they name. Dropped: every other path, x-codeSamples,
// examples, x-webhooks, and every string that looks like an API key (Lob's curl samples and tag
// descriptions carry a public documentation key; it must not enter this repository). The output
// depends only on the input bytes and this script: keys keep the bundle's order.
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";
import {
  collectTags,
  isObject,
  reachableComponents,
  runTrimCommand,
  stripDocumentationOnly,
} from "./lib/openapi-trim.mjs";

/** Bump when the output for the same input changes, so the header says which script made a copy. */
export const TRIM_SCRIPT_VERSION = 2;

/** First path segments of the operations campaignctl and its emulator use (proofs: a later issue). */
export const KEPT_PATH_PREFIXES = ["campaigns", "creatives", "uploads", "resource_proofs"];

/** Components the tests use directly rather than through an operation (the shared error envelope). */
export const EXTRA_ROOTS = ["#/components/schemas/error"];

/** test_/live_ followed by a key body; also matches a partly masked key such as test_0dcXXXX. */
const API_KEY_PATTERN = /\b(?:test|live)_[0-9A-Za-z]{16,}/g;
const KEY_PLACEHOLDER = "<YOUR API KEY>";

const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));
export const DEFAULT_OUTPUT = fileURLToPath(
  new URL("../test/fixtures/lob/lob-api-trimmed.yml", import.meta.url),
);

/**
 * The full bundle comes from outside the repository, so it is always named: a path argument or
 * CAMPAIGNCTL_LOB_SPEC. Nothing here assumes where a copy might lie.
 */
export function defaultBundlePath() {
  return process.env.CAMPAIGNCTL_LOB_SPEC;
}

function redactKeys(node) {
  if (typeof node === "string") return node.replace(API_KEY_PATTERN, KEY_PLACEHOLDER);
  if (Array.isArray(node)) return node.map(redactKeys);
  if (!isObject(node)) return node;
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, redactKeys(value)]));
}

/** The trimmed document as an object (exported for inspection; `trimLobOpenApi` serializes it). */
export function trimDocument(full) {
  if (!isObject(full) || !isObject(full.paths) || !isObject(full.components)) {
    throw new Error("the input is not an OpenAPI document with paths and components");
  }
  const doc = stripDocumentationOnly(
    full,
    (key) => key === "example" || key === "examples" || key === "x-codeSamples",
  );

  const paths = {};
  for (const [template, item] of Object.entries(doc.paths)) {
    if (KEPT_PATH_PREFIXES.includes(template.split("/")[1] ?? "")) paths[template] = item;
  }
  for (const prefix of KEPT_PATH_PREFIXES) {
    if (!Object.keys(paths).some((template) => template.split("/")[1] === prefix)) {
      throw new Error(`the bundle has no path under /${prefix}: update KEPT_PATH_PREFIXES`);
    }
  }

  // Everything the kept paths, the global security requirement and EXTRA_ROOTS reach.
  const securityRoots = (doc.security ?? []).flatMap((requirement) =>
    Object.keys(requirement).map((scheme) => `#/components/securitySchemes/${scheme}`),
  );
  const components = reachableComponents(doc, paths, [...EXTRA_ROOTS, ...securityRoots]);

  const tagNames = collectTags(Object.values(paths));
  const out = {};
  for (const [key, value] of Object.entries(doc)) {
    if (key === "paths") out.paths = paths;
    else if (key === "components") out.components = components;
    else if (key === "tags") out.tags = value.filter((tag) => tagNames.has(tag.name));
    else if (key === "x-tagGroups") {
      const groups = value
        .map((group) => ({ ...group, tags: group.tags.filter((tag) => tagNames.has(tag)) }))
        .filter((group) => group.tags.length > 0);
      out[key] = groups;
    } else if (key === "x-webhooks") continue;
    else out[key] = value;
  }
  return redactKeys(out);
}

function header(bundleSha256) {
  return [
    "# Lob's OpenAPI document, trimmed to what campaignctl's contract tests use. GENERATED: do not edit.",
    "# Source: lob/lob-openapi dist/lob-api-bundled.yml (MIT: LICENSE-lob-openapi beside this file).",
    `# Full bundle sha256: ${bundleSha256}`,
    `# Trim script: scripts/trim-lob-openapi.mjs version ${TRIM_SCRIPT_VERSION}`,
    "# Regenerate: node scripts/trim-lob-openapi.mjs path/to/lob-api-bundled.yml",
    "#   (or set CAMPAIGNCTL_LOB_SPEC to that path)",
    "",
  ].join("\n");
}

/** Full bundle bytes → trimmed YAML text with its provenance header. Pure and deterministic. */
export function trimLobOpenApi(bundle) {
  const bytes = typeof bundle === "string" ? Buffer.from(bundle, "utf8") : bundle;
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const full = parse(bytes.toString("utf8"), { maxAliasCount: -1 });
  const body = stringify(trimDocument(full), { aliasDuplicateObjects: false, lineWidth: 0 });
  const text = header(sha256) + body;
  const leaked = text.match(API_KEY_PATTERN);
  if (leaked) throw new Error(`an API-key-like string survived trimming (${leaked.length} occurrence(s))`);
  return text;
}

function main() {
  runTrimCommand({
    name: "trim-lob-openapi",
    input: defaultBundlePath(),
    defaultOutput: DEFAULT_OUTPUT,
    repoRoot: REPO_ROOT,
    missing: "pass the path of Lob's full OpenAPI bundle (lob-api-bundled.yml), or set CAMPAIGNCTL_LOB_SPEC.",
    notFound: (source) =>
      `Lob's full OpenAPI bundle is not at ${source}. Pass its path, or set CAMPAIGNCTL_LOB_SPEC.`,
    trim: trimLobOpenApi,
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
