import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The repository stands alone: a clone into an empty folder passes `npm ci && npm test`. So
 * nothing under src/, test/, bench/ or scripts/ may refer to a path above the repository root,
 * and Lob's public documentation key (in the curl samples of its full OpenAPI bundle) never enters it.
 */
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SCANNED = ["src", "test", "bench", "scripts"];
/** Built, installed or generated locally; never committed. */
const NOT_SOURCE = new Set(["node_modules", "dist", ".git", ".vitest", ".data", "coverage", ".campaignctl"]);
const BINARY = /\.(pdf|png|jpe?g|gif|gz|tgz|zip)$/i;

/**
 * The one place allowed to look outside: the staleness check of the vendored OpenAPI copy (Lob's
 * full bundle in shared/lob/ beside the repository, when it is there). The trim script takes the
 * bundle's path as an argument or from CAMPAIGNCTL_LOB_SPEC.
 */
const ALLOWED_OUTSIDE = ["test/support-tests/lob-openapi-trim.test.ts"];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (NOT_SOURCE.has(entry.name)) return [];
    const full = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

interface OutsideReference {
  readonly line: number;
  readonly text: string;
  readonly why: string;
}

const escapes = (from: string, path: string): boolean => {
  const rel = relative(ROOT, resolve(from, path));
  return rel === ".." || rel.startsWith("../") || isAbsolute(rel);
};

/** A relative path (starting with `./` or `../`), resolved against the folder of the file that names it. */
const RELATIVE_PATH = /(?<![\w./-])((?:\.\.?\/)+[\w.@$%{}~-][\w.@$%{}~/-]*)/g;
/** A parent path joined onto a root-like variable, as in `join(REPO_ROOT, <parent>, "x")`. */
const FROM_ROOT = /\b\w*root\w*\s*,\s*(["'`])(\.\.(?:\/[^"'`]*)?)\1/gi;
/** The folder laid out beside the repository on CI, by whatever relative route. */
const SIBLING_SHARED = /\.\.\/shared\b/g;
/** Absolute paths into a machine's work or home folders. */
const HOST_PATH = /(?<![\w.-])(?:\/(?:work|home|Users|root)\/[\w.-]+|[A-Za-z]:\\Users\\)/g;

/** Every reference in `text` (the content of `file`, absolute) to something above the repository root. */
function outsideReferences(file: string, text: string): OutsideReference[] {
  const found: OutsideReference[] = [];
  const lines = text.split("\n");
  lines.forEach((line, index) => {
    const add = (match: string, why: string) => found.push({ line: index + 1, text: match, why });
    for (const m of line.matchAll(RELATIVE_PATH)) {
      const path = m[1] ?? "";
      if (escapes(dirname(file), path)) add(path, "leaves the repository from this file's folder");
    }
    for (const m of line.matchAll(FROM_ROOT)) {
      if (escapes(ROOT, m[2] ?? "")) add(m[0], "leaves the repository from its root");
    }
    for (const m of line.matchAll(SIBLING_SHARED)) add(m[0], "names shared/ beside the repository");
    for (const m of line.matchAll(HOST_PATH)) add(m[0], "names a folder on one machine");
  });
  return found;
}

/** test_/live_ and 30 or more key characters; an all-one-character body is a fake test key. */
const API_KEY = /\b(?:test|live)_([0-9A-Za-z]{30,})/g;

function apiKeysIn(text: string): string[] {
  return [...text.matchAll(API_KEY)]
    .filter((m) => !/^(.)\1*$/.test(m[1] ?? ""))
    .map((m) => `${m[0].slice(0, 10)}…`);
}

const FILES = SCANNED.flatMap((dir) => filesUnder(join(ROOT, dir))).map((file) => ({
  path: relative(ROOT, file),
  text: readFileSync(file, BINARY.test(file) ? "latin1" : "utf8"),
}));

describe("nothing in the repository needs a file outside it", () => {
  it("recognises references that leave the repository, and not those that stay inside", () => {
    const inTest = join(ROOT, "test", "x.ts");
    const flagged = (text: string) => outsideReferences(inTest, text).map((r) => r.text);
    // Built from pieces so that this file does not itself refer outside the repository.
    const up = "..";
    const work = "/work";
    expect(flagged(`new URL("${up}/${up}/shared/lob/lob-api-bundled.yml", import.meta.url)`)).toEqual([
      `${up}/${up}/shared/lob/lob-api-bundled.yml`,
      `${up}/shared`,
    ]);
    expect(flagged(`join(REPO_ROOT, "${up}", "elsewhere", "x.yml")`)).toEqual([`REPO_ROOT, "${up}"`]);
    expect(flagged(`resolve(root, "${up}/x")`)).toHaveLength(1);
    expect(flagged(`It follows \`${work}/shared/lob/CONTRACT.md\``)).toEqual([`${work}/shared`]);
    expect(flagged(`// see ${up}/shared/lob/CONTRACT.md`)).toEqual([`${up}/shared`]);
    expect(flagged(`import { x } from "../src/lob/client.js"; // ./y and ./fixtures/lob/z`)).toEqual([]);
    expect(
      flagged(`new URL("./fixtures/manifests/_shared/a.csv", import.meta.url); join(ROOT, "src")`),
    ).toEqual([]);
  });

  it("scans src/, test/, bench/ and scripts/", () => {
    const dirs = new Set(FILES.map((file) => file.path.split("/")[0]));
    expect([...dirs].sort()).toEqual(["bench", "scripts", "src", "test"]);
    expect(FILES.length).toBeGreaterThan(100);
  });

  it("no file refers to a path above the repository root, except the staleness check", () => {
    const bad = FILES.filter((file) => !ALLOWED_OUTSIDE.includes(file.path)).flatMap((file) =>
      outsideReferences(join(ROOT, file.path), file.text).map(
        (r) => `${file.path}:${r.line}: ${r.text} (${r.why})`,
      ),
    );
    expect(bad).toEqual([]);
  });

  it("the allowed file is the only one that looks outside, and it still does (the list is not stale)", () => {
    for (const allowed of ALLOWED_OUTSIDE) {
      const file = FILES.find((f) => f.path === allowed);
      expect(file, `${allowed} is missing`).toBeDefined();
      expect(outsideReferences(join(ROOT, allowed), file?.text ?? "")).not.toEqual([]);
    }
  });
});

describe("no API key in the repository", () => {
  it("recognises a real-looking key and lets the tests' fake keys pass", () => {
    expect(apiKeysIn(`-u test_${"0a9f3c".repeat(6)}:`)).toEqual(["test_0a9f3…"]);
    expect(apiKeysIn(`-u live_${"7b".repeat(15)}X:`)).toHaveLength(1);
    expect(apiKeysIn(`test_${"0".repeat(32)} test_fakeKeyForCampaignctlTests live_pub`)).toEqual([]);
  });

  it("no file under src/, test/, bench/ or scripts/, nor the top-level files, holds one", () => {
    const topLevel = readdirSync(ROOT, { withFileTypes: true })
      .filter((entry) => entry.isFile() && !BINARY.test(entry.name) && entry.name !== "package-lock.json")
      .map((entry) => ({ path: entry.name, text: readFileSync(join(ROOT, entry.name), "utf8") }));
    const docs = filesUnder(join(ROOT, "docs")).map((file) => ({
      path: relative(ROOT, file),
      text: readFileSync(file, "utf8"),
    }));
    const bad = [...FILES, ...topLevel, ...docs].flatMap((file) =>
      apiKeysIn(file.text).map((key) => `${file.path}: ${key}`),
    );
    expect(topLevel.map((file) => file.path)).toContain("README.md");
    expect(bad).toEqual([]);
  });
});

describe("CI runs what the README tells a new user to run", () => {
  it(".ci/run runs the README's second quick-start command", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const block = /## Quick start\s+```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    const commands = block.trim().split("\n");
    expect(commands).toHaveLength(2);
    const printed = execFileSync("bash", [join(ROOT, ".ci", "run"), "--print-test-command"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(printed.trim()).toBe(commands[1]);
    expect(commands[1]).toMatch(/\bnpm test\b/);
  });
});
