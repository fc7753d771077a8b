import { stat } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import type { Document } from "yaml";
import { isScalar, LineCounter, parseDocument, visit } from "yaml";
import type { Diagnostic } from "../core/diagnostics.js";
import { formatLocation, sortDiagnostics } from "../core/diagnostics.js";
import { CampaignctlError } from "../core/errors.js";
import { describeSchemaErrors } from "../manifest/schema-messages.js";
import type { SchemaError } from "../manifest/schema-messages.js";
import type { PathSegment } from "../manifest/yaml-nodes.js";
import { readManifestText } from "../manifest/read-manifest.js";
import {
  formatPath,
  locate,
  positionOfNode,
  segmentsFromAncestors,
  yamlSyntaxDiagnostic,
} from "../manifest/yaml-nodes.js";
import { validate } from "./generated/project-validator.js";
import type { PriceOverride, Project, ProjectBudget, ProjectPricing } from "./types.js";
import { DEFAULT_PROJECT_NAME, PROJECT_FILE_NAME } from "./types.js";

const ENV_REFERENCE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** A project file with problems: carries every diagnostic so the CLI prints them all. */
export class ProjectFileInvalid extends CampaignctlError {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === "error").length;
    super({
      code: "PROJECT_INVALID",
      message: `${errors} error${errors === 1 ? "" : "s"} in ${PROJECT_FILE_NAME}; nothing was read`,
      hint: `fix the project file (see README "Project file"), then run this again`,
    });
  }
}

export interface ResolveProjectOptions {
  /** The command's path arguments (the first one decides where the search starts). */
  readonly paths: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * Finds the project a command works on, as git finds its repository: walk up from the first path
 * argument (or the working directory) to the nearest campaignctl.yaml. Without one, the root is the
 * nearest folder holding `.git`, else the folder of the first path, and the project is `default`.
 * The result never depends on the directory the command was started from, only on where the
 * manifests are, so two runs over the same manifests always share one state.
 */
export async function resolveProject(options: ResolveProjectOptions): Promise<Project> {
  const start = await startFolder(options.paths[0], options.cwd);
  const file = await findUp(start, (dir) => isFile(join(dir, PROJECT_FILE_NAME)));
  if (file !== undefined) return readProjectFile(join(file, PROJECT_FILE_NAME), options);
  const repository = await findUp(start, (dir) => exists(join(dir, ".git")));
  return {
    name: DEFAULT_PROJECT_NAME,
    root: repository ?? start,
    file: undefined,
    manifestGlobs: undefined,
    state: undefined,
    allowPaths: [],
  };
}

async function startFolder(first: string | undefined, cwd: string): Promise<string> {
  if (first === undefined) return cwd;
  const absolute = isAbsolute(first) ? first : resolve(cwd, first);
  const info = await stat(absolute).catch(() => undefined);
  // A missing path is reported by manifest discovery, with its own message; search from its folder.
  return info?.isDirectory() === true ? absolute : dirname(absolute);
}

async function findUp(start: string, found: (dir: string) => Promise<boolean>): Promise<string | undefined> {
  for (let dir = start; ; dir = dirname(dir)) {
    if (await found(dir)) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() === true;
}

/** Reads and validates campaignctl.yaml; every problem is a `file:line:col` diagnostic. */
export async function readProjectFile(
  file: string,
  options: Pick<ResolveProjectOptions, "cwd" | "env">,
): Promise<Project> {
  const shown = displayRelative(file, options.cwd);
  const root = dirname(file);
  // The same guarded read as a manifest: regular files only (no FIFO, /proc or device), a size
  // limit, and an encoding error instead of U+FFFD.
  const read = await readManifestText(file, shown);
  if ("diagnostic" in read) throw new ProjectFileInvalid([read.diagnostic]);
  const text = read.text;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const diagnostics: Diagnostic[] = [];
  for (const error of doc.errors) {
    diagnostics.push(yamlSyntaxDiagnostic(error, lineCounter, shown));
  }
  if (diagnostics.length > 0) throw new ProjectFileInvalid(diagnostics);

  const report = (
    segments: readonly PathSegment[],
    anchor: "value" | "key",
    code: Diagnostic["code"],
    message: string,
    hint: string,
  ) => {
    const located = locate(doc, segments);
    const node = anchor === "key" && located.keyNode ? located.keyNode : located.node;
    const { line, col } = positionOfNode(node, lineCounter);
    diagnostics.push({
      severity: "error",
      code,
      file: shown,
      line,
      col,
      path: formatPath(segments),
      message,
      hint,
    });
  };
  substituteEnv(doc, options.env, report);
  const value: unknown = doc.toJS({ maxAliasCount: 10 });
  if (diagnostics.length === 0) {
    const run = validate as { (data: unknown): boolean; errors?: readonly SchemaError[] | null };
    if (!run(value)) {
      for (const problem of describeSchemaErrors(run.errors ?? [], value)) {
        report(problem.segments, problem.anchor, "SCHEMA", problem.message, problem.hint);
      }
    }
  }
  if (diagnostics.length > 0) throw new ProjectFileInvalid(sortDiagnostics(diagnostics));

  const settings = value as {
    project: string;
    manifests?: string[];
    state?: string;
    allow_paths?: string[];
    pricing?: { tier?: string; table?: string; overrides?: Omit<PriceOverride, "at">[] };
    budget?: { max_cost_per_run?: number };
  };
  const at = (segments: readonly PathSegment[]) =>
    formatLocation({ file: shown, ...positionOfNode(locate(doc, segments).node, lineCounter) });
  return {
    name: settings.project,
    root,
    file,
    manifestGlobs: settings.manifests,
    state: settings.state,
    allowPaths: (settings.allow_paths ?? []).map((p) => resolve(root, p)),
    ...(settings.pricing ? { pricing: pricingOf(settings.pricing, root, at) } : {}),
    ...(settings.budget ? { budget: budgetOf(settings.budget) } : {}),
  };
}

function pricingOf(
  pricing: { tier?: string; table?: string; overrides?: Omit<PriceOverride, "at">[] },
  root: string,
  at: (segments: readonly PathSegment[]) => string,
): ProjectPricing {
  return {
    ...(pricing.tier !== undefined ? { tier: pricing.tier, tierAt: at(["pricing", "tier"]) } : {}),
    ...(pricing.table !== undefined
      ? { table: resolve(root, pricing.table), tableAsWritten: pricing.table }
      : {}),
    overrides: (pricing.overrides ?? []).map((o, i) => ({ ...o, at: at(["pricing", "overrides", i]) })),
  };
}

function budgetOf(budget: { max_cost_per_run?: number }): ProjectBudget {
  return budget.max_cost_per_run !== undefined ? { maxCostPerRun: budget.max_cost_per_run } : {};
}

/** `${env:NAME}` in any string, replaced in the AST so positions stay exact (e.g. `state: ${env:DATABASE_URL}`). */
function substituteEnv(
  doc: Document.Parsed,
  env: ResolveProjectOptions["env"],
  report: (
    segments: readonly PathSegment[],
    anchor: "value",
    code: "ENV_MISSING",
    message: string,
    hint: string,
  ) => void,
): void {
  visit(doc, {
    Scalar(key, node, ancestors) {
      if (
        key === "key" ||
        !isScalar(node) ||
        typeof node.value !== "string" ||
        !node.value.includes("${env:")
      )
        return;
      const segments = segmentsFromAncestors(ancestors, typeof key === "number" ? key : null);
      node.value = node.value.replace(ENV_REFERENCE, (whole, name: string) => {
        const value = env[name];
        if (value !== undefined && value !== "") return value;
        report(
          segments,
          "value",
          "ENV_MISSING",
          `environment variable ${name} is not set`,
          `export ${name}=… before running campaignctl, or write the value into ${PROJECT_FILE_NAME}`,
        );
        return whole;
      });
    },
  });
}

function displayRelative(file: string, cwd: string): string {
  const rel = file.startsWith(`${cwd}/`) ? file.slice(cwd.length + 1) : file;
  return rel;
}
