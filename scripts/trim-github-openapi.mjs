// Makes the trimmed copy of GitHub's OpenAPI description that the GitHub contract tests read
// (test/fixtures/github/github-api-trimmed.yml) from the @octokit/openapi package's
// generated/api.github.com.json (GitHub's rest-api-description plus Octokit's extensions).
//   npm pack @octokit/openapi@VERSION   (in a scratch folder: it unpacks to about 400 MB, so it is
//   tar xzf octokit-openapi-*.tgz        never a dependency of this repository)
//   node scripts/trim-github-openapi.mjs [--out FILE] path/to/package/generated/api.github.com.json
// The input may also be named by $CAMPAIGNCTL_GITHUB_SPEC. --out defaults to the committed copy;
// `--out -` writes to stdout.
//
// Kept: the operations in KEPT_OPERATIONS (what `plan --comment` calls), the transitive closure
// of every $ref they and EXTRA_ROOTS use, and the tags they name. Dropped: every other path and
// method, x-webhooks, examples and the x-github/x-octokit extensions. The output depends only on
// the input bytes and this script: keys keep the input's order.
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import {
  collectTags,
  isObject,
  reachableComponents,
  runTrimCommand,
  stripDocumentationOnly,
} from "./lib/openapi-trim.mjs";

/** Bump when the output for the same input changes, so the header says which script made a copy. */
export const TRIM_SCRIPT_VERSION = 1;

/** The operations campaignctl's sticky plan comment uses, as [path template, method]. */
export const KEPT_OPERATIONS = [
  ["/repos/{owner}/{repo}/issues/{issue_number}/comments", "get"], // issues/list-comments
  ["/repos/{owner}/{repo}/issues/{issue_number}/comments", "post"], // issues/create-comment
  ["/repos/{owner}/{repo}/issues/comments/{comment_id}", "patch"], // issues/update-comment
];

/**
 * GitHub documents its rate limits once for the whole API rather than per operation: a secondary
 * rate limit answers 403 or 429 with the basic error body. The tests check those against it.
 */
export const EXTRA_ROOTS = ["#/components/schemas/basic-error"];

const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));
export const DEFAULT_OUTPUT = fileURLToPath(
  new URL("../test/fixtures/github/github-api-trimmed.yml", import.meta.url),
);

/** The trimmed document as an object (exported for the tests; `trimGitHubOpenApi` serializes it). */
export function trimDocument(full) {
  if (!isObject(full) || !isObject(full.paths) || !isObject(full.components)) {
    throw new Error("the input is not an OpenAPI document with paths and components");
  }
  const doc = stripDocumentationOnly(
    full,
    (key) => key === "example" || key === "examples" || key.startsWith("x-"),
  );
  const paths = {};
  for (const [template, method] of KEPT_OPERATIONS) {
    const item = doc.paths[template];
    if (!isObject(item) || !isObject(item[method])) {
      throw new Error(`the input has no ${method.toUpperCase()} ${template}: update KEPT_OPERATIONS`);
    }
    paths[template] ??= Object.fromEntries(
      Object.entries(item).filter(
        ([key]) => !["get", "put", "post", "patch", "delete", "head", "options", "trace"].includes(key),
      ),
    );
    paths[template][method] = item[method];
  }

  const components = reachableComponents(doc, paths, EXTRA_ROOTS);
  const tagNames = collectTags(Object.values(paths));
  const out = {};
  for (const [key, value] of Object.entries(doc)) {
    if (key === "paths") out.paths = paths;
    else if (key === "components") out.components = components;
    else if (key === "tags") out.tags = value.filter((tag) => tagNames.has(tag.name));
    else out[key] = value;
  }
  return out;
}

function header(packageVersion, inputSha256) {
  return [
    "# GitHub's OpenAPI description, trimmed to what campaignctl's GitHub contract tests use. GENERATED: do not edit.",
    `# Source: npm package @octokit/openapi ${packageVersion}, generated/api.github.com.json`,
    "#   (GitHub's github/rest-api-description with Octokit's extensions; MIT: LICENSE-octokit-openapi beside this file).",
    `# api.github.com.json sha256: ${inputSha256}`,
    `# Trim script: scripts/trim-github-openapi.mjs version ${TRIM_SCRIPT_VERSION}`,
    "# Regenerate: in a scratch folder `npm pack @octokit/openapi@VERSION && tar xzf octokit-openapi-*.tgz`, then",
    "#   node scripts/trim-github-openapi.mjs that/folder/package/generated/api.github.com.json",
    "#   (or set CAMPAIGNCTL_GITHUB_SPEC to that path)",
    "",
  ].join("\n");
}

/** Input bytes → trimmed YAML text with its provenance header. Pure and deterministic. */
export function trimGitHubOpenApi(input) {
  const bytes = typeof input === "string" ? Buffer.from(input, "utf8") : input;
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const full = JSON.parse(bytes.toString("utf8"));
  const version =
    isObject(full?.info) && typeof full.info.version === "string" ? full.info.version : "unknown";
  return (
    header(version, sha256) + stringify(trimDocument(full), { aliasDuplicateObjects: false, lineWidth: 0 })
  );
}

function main() {
  runTrimCommand({
    name: "trim-github-openapi",
    input: process.env.CAMPAIGNCTL_GITHUB_SPEC,
    defaultOutput: DEFAULT_OUTPUT,
    repoRoot: REPO_ROOT,
    missing:
      "pass the path of api.github.com.json from the @octokit/openapi package, or set CAMPAIGNCTL_GITHUB_SPEC.",
    notFound: (source) =>
      `${source} does not exist. Pass the path of api.github.com.json from the @octokit/openapi package.`,
    trim: trimGitHubOpenApi,
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
