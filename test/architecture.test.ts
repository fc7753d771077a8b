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

/** The source file an import names, relative to src/: `../lob/wire.js` from `emulator/x.ts` → `lob/wire.ts`. */
function fileOf(line: ImportLine): string {
  return relative(SRC, join(SRC, line.file, "..", line.target)).replace(/\.js$/, ".ts");
}

/**
 * All the emulator may import from the rest of src/ besides core/ (the base layer, which imports
 * nothing from src): Lob's wire facts (types, endpoint keys, id prefixes, terminal states) and the
 * audience rules with the row scan that applies them, so preflight and the emulator agree by
 * construction. The next test checks that these reach nothing else (csv.ts and codes.ts are
 * the rules' own parts).
 */
const EMULATOR_MAY_IMPORT = [
  "lob/wire.ts",
  "lob/endpoint.ts",
  "audience/rules.ts",
  "audience/scan.ts",
  "audience/types.ts",
];

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

  it("only the emulator command and the sandbox import the emulator (the library entry does not)", () => {
    const allowed = (file: string) =>
      file.startsWith("emulator/") ||
      file.startsWith("cli/commands/emulator") ||
      file === "engine/sandbox.ts";
    const bad = ALL.filter((l) => moduleOf(l) === "emulator" && !allowed(l.file));
    expect(bad.map(show)).toEqual([]);
  });

  it("the emulator imports only Lob's wire facts, the audience rules and core/", () => {
    const outside = inDir("emulator").filter((l) => l.target.startsWith(".."));
    expect(outside.length).toBeGreaterThan(0);
    const bad = outside.filter(
      (l) => !EMULATOR_MAY_IMPORT.includes(fileOf(l)) && !fileOf(l).startsWith("core/"),
    );
    expect(bad.map(show)).toEqual([]);
  });

  it("what the emulator may import reaches nothing but the audience rules, the wire facts and core/", () => {
    const reached = new Set<string>();
    const visit = (file: string) => {
      if (reached.has(file)) return;
      reached.add(file);
      for (const l of ALL.filter((line) => line.file === file && line.target.startsWith(".")))
        visit(fileOf(l));
    };
    EMULATOR_MAY_IMPORT.forEach(visit);
    const beyond = [...reached].filter(
      (file) =>
        !file.startsWith("core/") &&
        !EMULATOR_MAY_IMPORT.includes(file) &&
        !/^audience\/(csv|codes)\.ts$/.test(file),
    );
    expect(reached.has("audience/csv.ts")).toBe(true);
    expect(beyond).toEqual([]);
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
