import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * Keeps the dependency direction of the project's ARCHITECTURE.md true without a tool:
 * cli → engine → {manifest, audience, plan, state, lob} → core; plan/ and render/ are pure.
 */
const SRC = fileURLToPath(new URL("../src/", import.meta.url));

interface ImportLine {
  readonly file: string;
  readonly target: string;
  readonly typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" ? [] : sourceFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

function importsOf(file: string): ImportLine[] {
  const text = readFileSync(file, "utf8");
  const out: ImportLine[] = [];
  const pattern =
    /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/gm;
  for (const match of text.matchAll(pattern)) {
    const target = match[3] ?? match[4]!;
    out.push({ file: relative(SRC, file), target, typeOnly: Boolean(match[2]) });
  }
  return out;
}

/** `../plan/types.js` seen from `engine/x.ts` → `plan`; `node:fs` → `node:fs`; `yaml` → `yaml`. */
function moduleOf(line: ImportLine): string {
  if (!line.target.startsWith(".")) return line.target;
  const resolved = relative(SRC, join(SRC, line.file, "..", line.target));
  return resolved.includes("/") ? resolved.split("/")[0]! : resolved.replace(/\.js$/, "");
}

const ALL = sourceFiles(SRC).flatMap(importsOf);
const inDir = (dir: string) => ALL.filter((l) => l.file.startsWith(`${dir}/`));
const show = (l: ImportLine) => `${l.file} imports ${l.target}`;

describe("architecture", () => {
  it("finds the imports it checks (the scanner itself works)", () => {
    expect(inDir("engine").some((l) => moduleOf(l) === "plan")).toBe(true);
    expect(inDir("cli").some((l) => l.target === "node:util")).toBe(true);
  });

  it.each(["plan", "render"])(
    "%s/ is pure: no Node built-ins, no I/O libraries, values only from core/plan/render",
    (dir) => {
      const bad = inDir(dir).filter((l) => {
        const mod = moduleOf(l);
        return !["plan", "render", "core"].includes(mod) && !l.typeOnly;
      });
      expect(bad.map(show)).toEqual([]);
    },
  );

  it("core/ depends on nothing else in src", () => {
    const bad = inDir("core").filter((l) => l.target.startsWith(".."));
    expect(bad.map(show)).toEqual([]);
  });

  it("only the CLI, the sandbox and the library entry import the emulator", () => {
    const allowed = (file: string) =>
      file.startsWith("emulator/") ||
      file.startsWith("cli/commands/emulator") ||
      file === "engine/sandbox.ts" ||
      file === "index.ts";
    const bad = ALL.filter((l) => moduleOf(l) === "emulator" && !allowed(l.file));
    expect(bad.map(show)).toEqual([]);
  });

  it("the emulator shares only wire types and the endpoint key with the client", () => {
    const bad = inDir("emulator").filter(
      (l) => moduleOf(l) === "lob" && !/lob\/(wire|endpoint)\.js$/.test(l.target),
    );
    expect(bad.map(show)).toEqual([]);
  });

  it("project/ reads the project file only: it imports core and manifest, and the engine sees its type", () => {
    const bad = [
      ...inDir("project").filter(
        (l) => l.target.startsWith("..") && !["core", "manifest"].includes(moduleOf(l)),
      ),
      ...ALL.filter(
        (l) =>
          moduleOf(l) === "project" &&
          !l.typeOnly &&
          !l.file.startsWith("cli/") &&
          !l.file.startsWith("project/"),
      ),
    ];
    expect(inDir("project").length).toBeGreaterThan(0);
    expect(bad.map(show)).toEqual([]);
  });

  it("nothing below the CLI imports the CLI, and the Lob client knows nothing of the engine", () => {
    const bad = ALL.filter(
      (l) =>
        (moduleOf(l) === "cli" && !l.file.startsWith("cli/") && l.file !== "bin.ts") ||
        (l.file.startsWith("lob/") && ["engine", "manifest", "state", "plan"].includes(moduleOf(l))),
    );
    expect(bad.map(show)).toEqual([]);
  });
});
