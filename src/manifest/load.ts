import { stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Document, Node } from "yaml";
import { isMap, isScalar, LineCounter, parseAllDocuments, visit } from "yaml";
import type { AudienceMapping, PreflightReport, SharedPreflightReports } from "../audience/types.js";
import type { Diagnostic, DiagnosticCode } from "../core/diagnostics.js";
import { formatLocation, sortDiagnostics } from "../core/diagnostics.js";
import { createMutex, mapLimit } from "../core/concurrency.js";
import { CampaignctlError, isCampaignctlError } from "../core/errors.js";
import { isPlainObject } from "../core/objects.js";
import { shownName } from "../core/shown-name.js";
import type { ResourceType } from "../lob/wire.js";
import { discoverManifestFiles } from "./discover.js";
import { substituteEnv } from "./env-substitution.js";
import { readManifestText } from "./read-manifest.js";
import type { RuleFinding } from "./rules.js";
import type { FileAccessFinding, ProjectScope } from "./file-access.js";
import { MAX_ARTWORK_BYTES, checkProjectFile, isFinding, readBoundedFile } from "./file-access.js";
import { checkMergeVariables, classifyArtwork, displayPath, readHtml } from "./rules.js";
import type { MailingFinding } from "./mailing-rules.js";
import { checkCancelWindow, checkLetterPages, checkStandardMail } from "./mailing-rules.js";
import { checkAgainstSchema } from "./schema-pass.js";
import { suggestClosest } from "./suggest.js";
import type { Artwork, ArtworkField, CampaignManifest, CampaignSpec, CreativeSpec } from "./types.js";
import { ARTWORK_FIELDS } from "./types.js";
import type { PathSegment } from "./yaml-nodes.js";
import { formatPath, locate, parsePath, positionOfNode, yamlSyntaxDiagnostic } from "./yaml-nodes.js";

export interface LoadOptions {
  readonly cwd: string;
  /** Source of `${env:NAME}` values. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Check each audience CSV against its mapping and Lob's row rules. Default true. */
  readonly preflight?: boolean;
  /** Passed to the audience preflight (it caches results by file hash). */
  readonly cacheDir?: string;
  /**
   * The project the manifests belong to (src/project/): its root anchors the search when no path
   * is given, its `manifests` globs mark files that are always manifests, and artwork and audience
   * files must resolve inside `root` or an `allowPaths` directory. Default: cwd, nothing outside.
   */
  readonly project?: {
    readonly name: string;
    readonly root: string;
    readonly allowPaths: readonly string[];
    readonly manifestGlobs?: readonly string[] | undefined;
  };
}

export interface LoadResult {
  /** Only documents without errors (warnings allowed). */
  readonly manifests: readonly CampaignManifest[];
  /** Every problem found, sorted with sortDiagnostics. */
  readonly diagnostics: readonly Diagnostic[];
  /** By manifest key, for documents whose audience was checked. */
  readonly preflight: ReadonlyMap<string, PreflightReport>;
  /** Manifest files read (absolute paths). */
  readonly files: readonly string[];
}

/** One YAML document of a manifest file, with everything needed to point at its nodes. */
interface ManifestDocument {
  readonly file: string;
  readonly shown: string;
  readonly dir: string;
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
  readonly diagnostics: Diagnostic[];
  value: unknown;
  envMissing: string[];
  substituted: { path: string; value: string; reference: string }[];
  /** A letter's local PDF: its page count, once read. */
  letterPages?: number;
}

/**
 * A manifest's own top-level keys (`version` alone is not one: docker-compose files have it too).
 * A file found by searching a folder is read only if some line starts with one of them.
 */
const MANIFEST_KEYS = ["key", "campaign", "creative", "audience", "send"] as const;
const MANIFEST_TOP_LEVEL = new RegExp(`^(?:${MANIFEST_KEYS.join("|")})[ \\t]*:`, "m");
/** Alias expansions read per document; far more than any manifest needs, far fewer than a bomb. */
const MAX_ALIAS_COUNT = 100;

/**
 * Reads every manifest under `paths` and reports every problem at once: YAML syntax, schema, then
 * rules (unique keys, referenced files, merge variables) and the audience preflight. A problem in
 * one document never hides problems in the others. Throws CampaignctlError(MANIFEST_NOT_FOUND)
 * only when a path does not exist or a directory holds no manifests.
 */
export async function loadManifests(paths: readonly string[], opts: LoadOptions): Promise<LoadResult> {
  const found = await discoverManifestFiles(paths, opts.cwd, {
    root: opts.project?.root ?? opts.cwd,
    manifestGlobs: opts.project?.manifestGlobs,
  });
  const keys: KeyRegistry = new Map();
  const loadOpts: LoadRun = { ...opts, sharedReports: new Map(), htmlByPath: new Map() };
  // Each file goes through the whole pipeline (read → parse → schema → rules → build) on its own,
  // so its YAML tree and text die young instead of all 1,000 trees being held until the last file
  // is parsed (issue 11: they were most of an apply's old-generation heap). The synchronous part
  // (parse, schema, duplicate keys) runs in file order, so "already used by" names the first
  // document as before; file I/O and the rule checks overlap across files.
  let previousInOrder: Promise<void> = Promise.resolve();
  const perFile = await mapLimit(found, IO_CONCURRENCY, async ({ path: file, explicit }) => {
    // mapLimit starts the calls in file order: take this file's place in the chain before awaiting.
    const earlier = previousInOrder;
    let doneInOrder = (): void => undefined;
    previousInOrder = new Promise<void>((resolve) => (doneInOrder = resolve));
    const shown = displayPath(file, opts.cwd);
    const read = await readManifestText(file, shown).catch((error: unknown) => {
      doneInOrder();
      throw error;
    });
    let documents: ManifestDocument[];
    let fileResult: FileResult;
    try {
      await earlier;
      ({ documents, fileResult } = parseFile(read, file, shown, explicit, keys, loadOpts));
    } finally {
      doneInOrder();
    }
    fileResult.documents = await Promise.all(documents.map((document) => finishDocument(document, loadOpts)));
    return fileResult;
  });

  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const manifests: CampaignManifest[] = [];
  const preflight = new Map<string, PreflightReport>();
  for (const result of perFile) {
    if (!result.isManifestFile) continue;
    files.push(result.file);
    diagnostics.push(...result.diagnostics);
    for (const document of result.documents) {
      if (document.preflight) preflight.set(document.preflight.key, document.preflight.report);
      diagnostics.push(...document.diagnostics);
      if (document.manifest) manifests.push(document.manifest);
    }
  }
  if (files.length === 0) {
    throw new CampaignctlError({
      code: "MANIFEST_NOT_FOUND",
      message: `no campaign manifests found in ${paths.length === 0 ? displayPath(opts.project?.root ?? opts.cwd, opts.cwd) || "." : paths.join(", ")}`,
      hint: "a manifest is a YAML file with version, key, campaign, creative and audience; see examples/",
    });
  }
  return { manifests, diagnostics: sortDiagnostics(diagnostics), preflight, files };
}

/** What one loadManifests call hands down: its options, and what its documents share. */
interface LoadRun extends LoadOptions {
  readonly sharedReports: SharedPreflightReports;
  /** HTML artwork read by this load, by real path: manifests that share a template read it once. */
  readonly htmlByPath: Map<string, Promise<string | undefined>>;
}

/** Where each key was first used, in document order: the duplicate-key message points there. */
type KeyRegistry = Map<string, { readonly shown: string; readonly line: number; readonly col: number }>;

/** What is kept of one manifest file once its documents are done (no YAML tree, no text). */
interface FileResult {
  readonly file: string;
  /** False for a file found by searching a folder that holds no manifest: not ours, not listed. */
  readonly isManifestFile: boolean;
  /** Problems of the file itself (unreadable, YAML syntax). */
  readonly diagnostics: readonly Diagnostic[];
  documents: readonly DocumentResult[];
}

interface DocumentResult {
  readonly diagnostics: readonly Diagnostic[];
  /** Only for a document without errors. */
  readonly manifest?: CampaignManifest;
  readonly preflight?: { readonly key: string; readonly report: PreflightReport };
}

/** The synchronous, in-order part for one file: parse, `${env:…}`, schema, NUL, duplicate keys. */
function parseFile(
  read: Awaited<ReturnType<typeof readManifestText>>,
  file: string,
  shown: string,
  explicit: boolean,
  keys: KeyRegistry,
  opts: LoadOptions,
): { documents: ManifestDocument[]; fileResult: FileResult } {
  const skipped = {
    documents: [],
    fileResult: { file, isManifestFile: false, diagnostics: [], documents: [] },
  };
  if ("diagnostic" in read) {
    return {
      documents: [],
      fileResult: { ...skipped.fileResult, isManifestFile: true, diagnostics: [read.diagnostic] },
    };
  }
  // Found by searching a folder: only documents that look like manifests are ours.
  if (!explicit && !MANIFEST_TOP_LEVEL.test(read.text)) return skipped;
  const parsed = parseManifestText(read.text, file, shown, explicit);
  if (!explicit && parsed.documents.length === 0 && parsed.diagnostics.length === 0) return skipped;
  for (const document of parsed.documents) {
    applyEnv(document, opts.env);
    if (document.value !== undefined) {
      checkSchema(document);
      checkNulCharacters(document, document.value, []);
    }
    checkDuplicateKey(document, keys);
  }
  return {
    documents: parsed.documents,
    fileResult: { file, isManifestFile: true, diagnostics: parsed.diagnostics, documents: [] },
  };
}

/** The rule checks (file I/O, audience preflight), then the manifest; the YAML tree is dropped. */
async function finishDocument(document: ManifestDocument, opts: LoadRun): Promise<DocumentResult> {
  const checked = await checkRules(document, opts);
  const diagnostics = scrubSubstituted(document);
  const failed = document.diagnostics.some((d) => d.severity === "error");
  return {
    diagnostics,
    ...(failed ? {} : { manifest: buildManifest(document) }),
    ...(checked.report && checked.key ? { preflight: { key: checked.key, report: checked.report } } : {}),
  };
}

function fileDiagnostic(file: string, code: DiagnosticCode, message: string): Diagnostic {
  return {
    severity: "error",
    code,
    file,
    line: 0,
    col: 0,
    path: "",
    message,
    hint:
      code === "FILE_UNREADABLE" ? "check the file's permissions" : "see examples/ for a complete manifest",
  };
}

function parseManifestText(
  text: string,
  file: string,
  shown: string,
  explicit: boolean,
): { documents: ManifestDocument[]; diagnostics: Diagnostic[] } {
  const lineCounter = new LineCounter();
  // Repeated keys are found by duplicateKeyErrors: yaml's own check compares every key with every
  // other, which takes seconds for a mapping of 10,000 keys.
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const all = Array.isArray(parsed) ? parsed : [];
  const diagnostics: Diagnostic[] = [];
  const documents: ManifestDocument[] = [];
  for (const doc of all) {
    const errors = [...doc.errors, ...duplicateKeyErrors(doc)].sort((a, b) => a.pos[0] - b.pos[0]);
    if (errors.length > 0) {
      for (const error of errors) {
        diagnostics.push(yamlSyntaxDiagnostic(error, lineCounter, shown));
      }
      continue;
    }
    if (doc.contents === null) continue;
    if (!explicit && !looksLikeManifest(doc)) continue;
    documents.push({
      file,
      shown,
      dir: dirname(file),
      doc,
      lineCounter,
      diagnostics: [],
      value: undefined,
      envMissing: [],
      substituted: [],
    });
  }
  if (explicit && documents.length === 0 && diagnostics.length === 0) {
    diagnostics.push(fileDiagnostic(shown, "SCHEMA", `${shown} contains no campaign document`));
  }
  return { documents, diagnostics };
}

function looksLikeManifest(doc: Document.Parsed): boolean {
  const top = doc.contents;
  return (
    isMap(top) &&
    top.items.some((pair) => MANIFEST_KEYS.some((k) => isScalar(pair.key) && pair.key.value === k))
  );
}

/** A key repeated in one mapping, found with one Set per mapping (linear in the keys). */
function duplicateKeyErrors(
  doc: Document.Parsed,
): { pos: [number, number]; message: string; code: string }[] {
  const found: { pos: [number, number]; message: string; code: string }[] = [];
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const name = pair.key.value;
        if (seen.has(name)) {
          const at = pair.key.range?.[0] ?? 0;
          found.push({ pos: [at, at + 1], message: "Map keys must be unique", code: "DUPLICATE_KEY" });
        }
        seen.add(name);
      }
    },
  });
  return found;
}

function report(
  document: ManifestDocument,
  severity: "error" | "warning",
  code: DiagnosticCode,
  segments: readonly PathSegment[],
  anchor: "value" | "key",
  message: string,
  hint: string,
): void {
  const located = locate(document.doc, segments);
  const node = anchor === "key" && located.keyNode ? located.keyNode : located.node;
  const { line, col } = positionOfNode(node, document.lineCounter);
  document.diagnostics.push({
    severity,
    code,
    file: document.shown,
    line,
    col,
    path: formatPath(segments),
    message,
    hint,
  });
}

/** `${env:NAME}` references, replaced in the AST so positions stay exact (see env-substitution.ts). */
function applyEnv(document: ManifestDocument, env: LoadOptions["env"]): void {
  const result = substituteEnv(document.doc, env);
  for (const finding of result.findings) {
    report(document, "error", finding.code, finding.segments, "value", finding.message, finding.hint);
  }
  document.envMissing.push(...result.unresolvedPaths);
  document.substituted.push(...result.substituted);
  try {
    document.value = document.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // yaml throws on an alias bomb ("billion laughs"): too many aliases expanding into each other.
    document.value = undefined;
    let firstAlias: Node | null = null;
    visit(document.doc, {
      Alias(_key, node) {
        firstAlias = node;
        return visit.BREAK;
      },
    });
    const { line, col } = positionOfNode(firstAlias ?? document.doc.contents, document.lineCounter);
    document.diagnostics.push({
      severity: "error",
      code: "YAML_LIMIT",
      file: document.shown,
      line,
      col,
      path: "",
      message: `this document's aliases (*name) expand too much (${error instanceof Error ? error.message.split("\n")[0] : "limit exceeded"})`,
      hint: `write the values out instead of referring to anchors; at most ${MAX_ALIAS_COUNT} alias expansions per document are read`,
    });
  }
}

/**
 * Messages about a value that came from the environment name the reference (`${env:NAME}`), not
 * the value: the environment holds secrets, and CI logs and PR comments are public.
 */
function scrubSubstituted(document: ManifestDocument): Diagnostic[] {
  if (document.substituted.length === 0) return document.diagnostics;
  return document.diagnostics.map((d) => {
    let { message, hint } = d;
    for (const { path, value, reference } of document.substituted) {
      if (value === "" || !(d.path === path || d.path.startsWith(`${path}.`))) continue;
      message = message.split(value).join(reference);
      hint = hint.split(value).join(reference);
    }
    return message === d.message && hint === d.hint ? d : { ...d, message, hint };
  });
}

/**
 * A NUL character (from a `"\0"` escape) in any string: no Lob field takes one, and C-based
 * systems downstream would cut the value there, so a name could print differently than reviewed.
 */
function checkNulCharacters(document: ManifestDocument, value: unknown, segments: PathSegment[]): void {
  if (typeof value === "string") {
    if (value.includes("\u0000")) {
      report(
        document,
        "error",
        "SCHEMA",
        segments,
        "value",
        "contains a NUL character (\\0), which no Lob field accepts",
        'remove the "\\0" escape from the value',
      );
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => checkNulCharacters(document, item, [...segments, i]));
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) checkNulCharacters(document, item, [...segments, key]);
  }
}

/** Schema problems shown per document; past this, a generated or garbled file is only counted. */
const MAX_SCHEMA_PROBLEMS = 200;

function checkSchema(document: ManifestDocument): void {
  const problems = checkAgainstSchema(document.value).filter((problem) => {
    const path = formatPath(problem.segments);
    // A value left as `${env:…}` already has its ENV_MISSING; its pattern error would only repeat it.
    return !document.envMissing.some((p) => path === p || path.startsWith(`${p}.`));
  });
  for (const problem of problems.slice(0, MAX_SCHEMA_PROBLEMS)) {
    report(document, "error", "SCHEMA", problem.segments, problem.anchor, problem.message, problem.hint);
  }
  if (problems.length > MAX_SCHEMA_PROBLEMS) {
    report(
      document,
      "error",
      "SCHEMA",
      [],
      "value",
      `… and ${problems.length - MAX_SCHEMA_PROBLEMS} more schema problems in this document (the first ${MAX_SCHEMA_PROBLEMS} are shown)`,
      "fix the ones shown and run validate again; is this file really a campaign manifest?",
    );
  }
}

function keyOf(document: ManifestDocument): string | undefined {
  const key = (document.value as { key?: unknown } | null)?.key;
  return typeof key === "string" && key !== "" ? key : undefined;
}

function checkDuplicateKey(document: ManifestDocument, keys: KeyRegistry): void {
  const key = keyOf(document);
  if (key === undefined) return;
  const earlier = keys.get(key);
  if (earlier === undefined) {
    const { line, col } = positionOfNode(locate(document.doc, ["key"]).node, document.lineCounter);
    keys.set(key, { shown: document.shown, line, col });
    return;
  }
  report(
    document,
    "error",
    "DUPLICATE_KEY",
    ["key"],
    "value",
    `key '${key}' is already used by ${formatLocation({ file: earlier.shown, line: earlier.line, col: earlier.col })}`,
    "each campaign needs its own key; it is the campaign's identity in campaignctl's state",
  );
}

function hasErrorUnder(document: ManifestDocument, prefix: string): boolean {
  return document.diagnostics.some(
    (d) => d.severity === "error" && (d.path === prefix || d.path.startsWith(`${prefix}.`)),
  );
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return isPlainObject(value) ? value : undefined;
}

function pushFinding(
  document: ManifestDocument,
  finding: RuleFinding | FileAccessFinding | MailingFinding | null,
): void {
  if (finding) {
    report(
      document,
      finding.severity,
      finding.code,
      finding.segments,
      finding.anchor,
      finding.message,
      finding.hint,
    );
  }
}

async function checkRules(
  document: ManifestDocument,
  opts: LoadRun,
): Promise<{ key?: string; report?: PreflightReport }> {
  const root = asRecord(document.value);
  if (root === undefined) return {};
  const creative = asRecord(root.creative);
  const resourceType = creative?.resource_type;
  const artwork: Partial<Record<ArtworkField, Artwork>> = {};
  const html: Partial<Record<ArtworkField, string>> = {};
  if (creative && typeof resourceType === "string" && resourceType in ARTWORK_FIELDS) {
    for (const field of ARTWORK_FIELDS[resourceType as ResourceType]) {
      const value = creative[field];
      if (typeof value !== "string" || hasErrorUnder(document, `creative.${field}`)) continue;
      const resolved = classifyArtwork(value, document.dir);
      artwork[field] = resolved;
      if (resolved.kind !== "file") continue;
      const checked = await checkProjectFile(
        resolved.path,
        displayPath(resolved.path, opts.cwd),
        ["creative", field],
        `artwork file`,
        scopeOf(opts),
        MAX_ARTWORK_BYTES,
      );
      if (isFinding(checked)) {
        pushFinding(document, checked);
      } else if (resolved.mediaType === "html") {
        let reading = opts.htmlByPath.get(checked.realPath);
        if (reading === undefined) {
          reading = readHtml(checked.realPath);
          opts.htmlByPath.set(checked.realPath, reading);
        }
        const text = await reading;
        if (text !== undefined) html[field] = text;
      } else if (resolved.mediaType === "pdf" && resourceType === "letter") {
        await checkLetterPdf(document, checked.realPath, displayPath(resolved.path, opts.cwd), creative);
      }
    }
    const audience = asRecord(root.audience);
    const mappingValue = audience?.mergeVariableColumnMapping;
    const qr = asRecord(asRecord(creative.details)?.qr_code);
    const redirect = typeof qr?.redirect_url === "string" ? qr.redirect_url : undefined;
    if (!hasErrorUnder(document, "audience.mergeVariableColumnMapping")) {
      for (const finding of checkMergeVariables({
        resourceType: resourceType as ResourceType,
        artwork,
        html,
        qrRedirectUrl: redirect,
        mapping: asRecord(mappingValue) ?? null,
        cwd: opts.cwd,
      })) {
        pushFinding(document, finding);
      }
    }
  }

  const campaign = asRecord(root.campaign);
  if (campaign !== undefined && !document.diagnostics.some((d) => d.severity === "error")) {
    for (const finding of checkCancelWindow(campaign)) pushFinding(document, finding);
  }

  const audience = asRecord(root.audience);
  if (
    audience === undefined ||
    typeof audience.file !== "string" ||
    hasErrorUnder(document, "audience.file")
  ) {
    return {};
  }
  const csvPath = resolve(document.dir, audience.file);
  const csvShown = displayPath(csvPath, opts.cwd);
  const checked = await checkProjectFile(
    csvPath,
    csvShown,
    ["audience", "file"],
    "audience file",
    scopeOf(opts),
  );
  const missing = isFinding(checked) ? checked : null;
  pushFinding(document, missing);
  const key = keyOf(document);
  if (missing !== null || opts.preflight === false || hasErrorUnder(document, "audience")) return {};
  // A details block the schema refused (usps_standard on a 4x6 postcard, say) has its error already.
  const standardMail =
    asRecord(creative?.details)?.mail_type === "usps_standard" &&
    !hasErrorUnder(document, "creative.details");
  const report = await preflightCampaignAudience(
    document,
    audience as unknown as AudienceMapping,
    csvPath,
    csvShown,
    opts,
    standardMail,
  );
  if (report && standardMail) {
    for (const finding of checkStandardMail(report, csvShown)) pushFinding(document, finding);
  }
  return { key, report };
}

/** A letter's PDF: count its pages (pdf-lib, loaded only here) and apply the envelope rules. */
async function checkLetterPdf(
  document: ManifestDocument,
  realPath: string,
  shown: string,
  creative: Record<string, unknown>,
): Promise<void> {
  let pages: number;
  try {
    const { countPdfPages } = await import("./pdf-pages.js");
    pages = await countPdfPages(await readBoundedFile(realPath, MAX_ARTWORK_BYTES, "artwork file"));
  } catch (error) {
    pushFinding(document, {
      severity: "warning",
      code: "PDF_PAGES_UNKNOWN",
      segments: ["creative", "file"],
      anchor: "value",
      message: `cannot count the pages of ${shown} (${error instanceof Error ? error.message.split("\n")[0]!.slice(0, 200) : "unreadable PDF"}): the envelope rules are not checked and the cost is not estimated`,
      hint: "check that the file is a valid PDF (Lob will reject one it cannot read)",
    });
    return;
  }
  document.letterPages = pages;
  const doubleSided = asRecord(creative.details)?.double_sided !== false;
  for (const finding of checkLetterPages({ pages, doubleSided, file: shown })) pushFinding(document, finding);
}

function scopeOf(opts: LoadOptions): ProjectScope {
  return { root: opts.project?.root ?? opts.cwd, allowPaths: opts.project?.allowPaths ?? [] };
}

function mappingOf(audience: AudienceMapping): AudienceMapping {
  return {
    requiredAddressColumnMapping: audience.requiredAddressColumnMapping,
    optionalAddressColumnMapping: audience.optionalAddressColumnMapping,
    mergeVariableColumnMapping: audience.mergeVariableColumnMapping ?? null,
    metadata: audience.metadata ?? { columns: [] },
  };
}

/** Files read at once while loading manifests. */
const IO_CONCURRENCY = 8;
/** Audience files above this many bytes are preflighted one at a time. */
const LARGE_AUDIENCE_BYTES = 8 * 1024 * 1024;
const largePreflights = createMutex();

async function isLargeFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.size > LARGE_AUDIENCE_BYTES,
    () => false,
  );
}

async function preflightCampaignAudience(
  document: ManifestDocument,
  audience: AudienceMapping,
  csvPath: string,
  csvShown: string,
  opts: LoadRun,
  usOnly = false,
): Promise<PreflightReport | undefined> {
  // Loaded lazily: `validate --no-preflight` and the schema-only paths never pay for the CSV parser.
  const { preflightAudience } = await import("../audience/index.js");
  let result: PreflightReport;
  try {
    const run = () =>
      preflightAudience({
        file: csvPath,
        displayFile: csvShown,
        mapping: usOnly ? { ...mappingOf(audience), usOnly } : mappingOf(audience),
        ...(opts.cacheDir === undefined ? {} : { cacheDir: opts.cacheDir, shared: opts.sharedReports }),
      });
    // Small audiences preflight side by side; a large one runs alone, so memory stays that of one
    // preflight (the 150 MB budget of an apply holds for a 1,000,000-row file, not for several).
    result = (await isLargeFile(csvPath)) ? await largePreflights(run) : await run();
  } catch (error) {
    if (!isCampaignctlError(error)) throw error;
    report(
      document,
      "error",
      "FILE_UNREADABLE",
      ["audience", "file"],
      "value",
      error.message,
      error.hint ?? "",
    );
    return undefined;
  }
  const missingColumns = result.missingColumns ?? [];
  // Only cells known to be column names are ever shown (audience/header-trust.ts): when the first
  // row may be a recipient, the message gives counts and the mapped names found, nothing else.
  const trusted = result.headerTrusted === true;
  for (const missing of missingColumns) {
    const relativeSegments = parsePath(missing.mappingPath);
    const segments =
      relativeSegments[0] === "audience" ? relativeSegments : ["audience", ...relativeSegments];
    const column = shownName(missing.column);
    if (!trusted) {
      const found = result.header.map((name) => shownName(name)).join(", ");
      report(
        document,
        "error",
        "COLUMN_MISSING",
        segments,
        "value",
        `column '${column}' is not in the first row of ${csvShown}, which does not look like a header row (it has ${result.headerCells ?? result.header.length} cells${found ? `; mapped columns found in it: ${found}` : ""}; its content is not shown, as it may be a recipient)`,
        "make sure the file starts with a header row naming its columns, then map those names",
      );
      continue;
    }
    const guess = suggestClosest(missing.column, result.header);
    report(
      document,
      "error",
      "COLUMN_MISSING",
      segments,
      "value",
      `column '${column}' is not in the header of ${csvShown} (columns: ${listNames(result.header)})${guess ? `; did you mean '${shownName(guess)}'?` : ""}`,
      guess
        ? `change the mapping to '${shownName(guess)}', or rename the CSV column`
        : "map an existing CSV column, or add the column to the CSV",
    );
  }
  for (const diagnostic of result.diagnostics) {
    if (missingColumns.length > 0 && diagnostic.code === "COLUMN_MISSING") continue;
    document.diagnostics.push(diagnostic);
  }
  return result;
}

/** Header names for a message: each shortened, and at most 30 of them. */
function listNames(names: readonly string[]): string {
  if (names.length === 0) return "none";
  const shown = names.slice(0, 30).map((name) => shownName(name));
  return names.length > 30 ? `${shown.join(", ")}, … (${names.length} in all)` : shown.join(", ");
}

function buildManifest(document: ManifestDocument): CampaignManifest {
  // A copy: yaml's strings are slices of the file's text, and V8 keeps a whole text alive for as
  // long as any slice of it lives (1,000 manifests held 1,000 texts through an apply).
  const root = structuredClone(document.value) as Record<string, unknown>;
  const creative = root.creative as Record<string, unknown>;
  const resourceType = creative.resource_type as ResourceType;
  const artwork: Partial<Record<ArtworkField, Artwork>> = {};
  for (const field of ARTWORK_FIELDS[resourceType]) {
    artwork[field] = classifyArtwork(creative[field] as string, document.dir);
  }
  const creativeSpec: CreativeSpec = {
    resource_type: resourceType,
    artwork,
    details: creative.details as Record<string, unknown>,
    ...(creative.from === undefined ? {} : { from: creative.from as CreativeSpec["from"] }),
    ...(creative.description === undefined ? {} : { description: creative.description as string | null }),
    ...(creative.metadata === undefined ? {} : { metadata: creative.metadata as Record<string, string> }),
    ...(document.letterPages === undefined ? {} : { pages: document.letterPages }),
  };
  const audience = root.audience as Record<string, unknown> & AudienceMapping;
  const { line, col } = positionOfNode(document.doc.contents, document.lineCounter);
  return {
    key: root.key as string,
    source: { file: document.shown, line, col },
    campaign: root.campaign as CampaignSpec,
    creative: creativeSpec,
    audience: {
      ...mappingOf(audience),
      fileAsWritten: audience.file as unknown as string,
      file: resolve(document.dir, audience.file as unknown as string),
    },
    send: (root.send as CampaignManifest["send"] | undefined) ?? { enabled: false },
    ...(root.merge_strictness === undefined
      ? {}
      : { merge_strictness: root.merge_strictness as "strict" | "relaxed" }),
  };
}
