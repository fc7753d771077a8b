import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import type { Browser } from "puppeteer-core";
import { CampaignctlError } from "../core/errors.js";
import type { Artwork, ArtworkField, CampaignManifest } from "../manifest/types.js";
import { ARTWORK_FIELDS } from "../manifest/types.js";
import type { LaunchBrowser } from "./browser.js";
import type { ProofFinding } from "./checks.js";
import type { SheetEntry, SheetNote } from "./contact-sheet.js";
import { contactSheet } from "./contact-sheet.js";
import type { MergeStrictness, MergeValues } from "./merge.js";
import { helpersToSections, mergeHtml, mergeValuesFor, redactValues } from "./merge.js";
import type { ProofFormat } from "./render-page.js";
import { renderSide } from "./render-page.js";
import type { RowChoice } from "./rows.js";
import { chooseProofRows } from "./rows.js";
import type { ProofSurface } from "./sizes.js";
import { surfaceFor } from "./sizes.js";

/**
 * A proof run: for each campaign, the chosen rows, and for each row every artwork side, merged and
 * rendered in one browser (started once, on the first side that needs it). Writes only under
 * `outDir`. Returns what a caller reports; it never returns or prints a recipient's value.
 */
export interface ProofRunOptions {
  readonly manifests: readonly CampaignManifest[];
  readonly rows: RowChoice;
  readonly outDir: string;
  readonly formats: readonly ProofFormat[];
  readonly guides: boolean;
  readonly redact: boolean;
  readonly launch: LaunchBrowser;
  /** How to show a file in messages (relative to the working directory). */
  readonly shown: (file: string) => string;
  readonly onProgress?: (message: string) => void;
}

export interface ProofResult extends SheetEntry {
  readonly errors: number;
}

export interface ProofRunOutcome {
  readonly proofs: readonly ProofResult[];
  readonly notes: readonly SheetNote[];
  readonly index: string;
  readonly errors: number;
  readonly warnings: number;
}

/** The HTML a side renders from, with the template text it came from; or why it is not rendered. */
export type SideSource =
  | { readonly kind: "html"; readonly template: string; readonly mergeable: boolean }
  | { readonly kind: "pdf"; readonly bytes: Uint8Array }
  | { readonly kind: "skip"; readonly reason: string };

export async function sideSource(artwork: Artwork, surface: ProofSurface): Promise<SideSource> {
  if (artwork.kind === "template") {
    return {
      kind: "skip",
      reason: `a Lob template (${artwork.value}) is not rendered locally; use --renderer lob`,
    };
  }
  if (artwork.kind === "url")
    return { kind: "skip", reason: "a remote URL is not fetched: proofs render offline" };
  const bytes = await readFile(artwork.path).catch((error: NodeJS.ErrnoException) => {
    throw new CampaignctlError({
      code: "FILE_ACCESS",
      message: `cannot read artwork ${artwork.value}: ${error.code ?? error.message}`,
      hint: "check the path in the manifest (relative to the manifest's folder)",
    });
  });
  if (artwork.mediaType === "html")
    return { kind: "html", template: bytes.toString("utf8"), mergeable: true };
  if (artwork.mediaType === "pdf") return { kind: "pdf", bytes };
  const type = artwork.mediaType === "png" ? "image/png" : "image/jpeg";
  const html = `<!doctype html><html><body style="margin:0"><img src="data:${type};base64,${bytes.toString("base64")}" style="display:block;width:${surface.widthIn}in;height:${surface.heightIn}in"></body></html>`;
  return { kind: "html", template: html, mergeable: false };
}

export async function runProofs(options: ProofRunOptions): Promise<ProofRunOutcome> {
  await mkdir(options.outDir, { recursive: true });
  let browser: Browser | undefined;
  const browserFor = async () => (browser ??= await options.launch());
  const proofs: ProofResult[] = [];
  const notes: SheetNote[] = [];
  try {
    for (const manifest of options.manifests) {
      const strictness: MergeStrictness = manifest.merge_strictness ?? "relaxed";
      const chosen = await chooseProofRows(
        manifest.key,
        manifest.audience.file,
        manifest.audience,
        options.rows,
        options.shown(manifest.audience.file),
      );
      if (chosen.rows.length === 0) {
        notes.push({
          key: manifest.key,
          side: "all",
          message: "no valid row to render (every row fails Lob's rules)",
        });
        continue;
      }
      const keyDir = join(options.outDir, manifest.key);
      await mkdir(keyDir, { recursive: true });
      for (const field of ARTWORK_FIELDS[manifest.creative.resource_type]) {
        const artwork = manifest.creative.artwork[field];
        if (!artwork) continue;
        const surface = surfaceFor(manifest.creative.resource_type, field, manifest.creative.details);
        if (!surface) {
          notes.push({
            key: manifest.key,
            side: field,
            message: `unknown size '${String(manifest.creative.details["size"])}'`,
          });
          continue;
        }
        const source = await sideSource(artwork, surface);
        if (source.kind === "skip") {
          notes.push({ key: manifest.key, side: field, message: source.reason });
          continue;
        }
        // A PDF has no merge variables: one rendering shows every row.
        for (const row of source.kind === "pdf" ? chosen.rows.slice(0, 1) : chosen.rows) {
          const real = mergeValuesFor(manifest.audience, chosen.header, row.fields);
          const values = options.redact ? redactValues(real) : real;
          options.onProgress?.(`${manifest.key} ${field} row ${row.rowNumber}`);
          const result = await renderOne({
            browser: await browserFor(),
            source,
            field,
            surface,
            values,
            real,
            strictness,
            artworkName: options.shown(artwork.kind === "file" ? artwork.path : artwork.value),
            outBase: join(keyDir, `${field}-row${row.rowNumber}`),
            options,
          });
          proofs.push({
            key: manifest.key,
            side: field,
            rowNumber: row.rowNumber,
            files: result.files.map((f) => relative(options.outDir, f)),
            findings: result.findings,
            missing: result.missing,
            errors: result.findings.filter((f) => f.severity === "error").length,
          });
        }
      }
    }
  } finally {
    await (browser as Browser | undefined)?.close();
  }
  const index = join(options.outDir, "index.html");
  await writeFile(index, contactSheet({ entries: proofs, notes, redacted: options.redact }));
  return {
    proofs,
    notes,
    index,
    errors: proofs.reduce((n, p) => n + p.errors, 0),
    warnings: proofs.reduce((n, p) => n + p.findings.length - p.errors, 0),
  };
}

async function renderOne(args: {
  browser: Browser;
  source: Exclude<SideSource, { kind: "skip" }>;
  field: ArtworkField;
  surface: ProofSurface;
  values: MergeValues;
  real: MergeValues;
  strictness: MergeStrictness;
  artworkName: string;
  outBase: string;
  options: ProofRunOptions;
}): Promise<{ files: readonly string[]; findings: readonly ProofFinding[]; missing: readonly string[] }> {
  const { source, options } = args;
  if (source.kind === "pdf") {
    const { renderPdfPages } = await import("./pdf-pages.js");
    const rendered = await renderPdfPages(args.browser, source.bytes, args.outBase, options.formats);
    return { files: rendered.files, findings: [], missing: [] };
  }
  const merged = source.mergeable
    ? mergeOrExplain(source.template, args.values, args.artworkName)
    : { html: source.template, missing: [] };
  const findings: ProofFinding[] = merged.missing.map((name) => ({
    severity: args.strictness === "strict" ? "error" : "warning",
    code: "MISSING_MERGE_VARIABLE",
    message:
      args.strictness === "strict"
        ? `merge variable {{${name}}} has no value for this row: with merge_strictness strict, Lob refuses the piece`
        : `merge variable {{${name}}} has no value for this row: Lob mails it empty (merge_strictness relaxed)`,
  }));
  const rendered = await renderSide(args.browser, {
    html: merged.html,
    template: source.template,
    // Recipients' values stay out of selectors; a redacted page holds none (placeholders are no secret).
    values: options.redact ? [] : [...args.real.values()].map((v) => v.value).filter((v) => v.length > 0),
    surface: args.surface,
    guides: options.guides,
    formats: options.formats,
    outBase: args.outBase,
  });
  const blocked: ProofFinding[] =
    rendered.blockedRequests > 0
      ? [
          {
            severity: "warning",
            code: "REMOTE_RESOURCE",
            message: `${rendered.blockedRequests} remote resource(s) (images, fonts) not loaded: proofs render offline, so they are missing here`,
          },
        ]
      : [];
  return {
    files: rendered.files,
    findings: [...findings, ...rendered.findings, ...blocked],
    missing: merged.missing,
  };
}

/** Mustache's syntax errors name an offset; say which artwork, line and column instead. */
function mergeOrExplain(template: string, values: MergeValues, artworkName: string) {
  try {
    return mergeHtml(template, values);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const at = /at (\d+)$/.exec(text);
    let where = "";
    if (at) {
      const before = helpersToSections(template).slice(0, Number(at[1]));
      const line = before.split("\n").length;
      where = `:${line}:${before.length - before.lastIndexOf("\n")}`;
    }
    throw new CampaignctlError({
      code: "PROOF_FAILED",
      message: `${artworkName}${where}: the template does not parse: ${text.replace(/ at \d+$/, "")}`,
      hint: "check that every {{#section}} or {{#if x}} has its matching {{/section}} or {{/if}}",
    });
  }
}
