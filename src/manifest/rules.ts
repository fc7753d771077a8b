import { extname, isAbsolute, relative, resolve } from "node:path";
import type { ResourceType } from "../lob/wire.js";
import type { MergeVariableUse } from "./merge-variables.js";
import { extractMergeVariables, isValidMergeVariableName } from "./merge-variables.js";
import { MAX_ARTWORK_BYTES, readBoundedFile } from "./file-access.js";
import { suggestClosest } from "./suggest.js";
import type { Artwork, ArtworkField } from "./types.js";
import { ARTWORK_FIELDS } from "./types.js";
import type { PathSegment } from "./yaml-nodes.js";

/** A rule finding before it is pinned to a YAML node (the loader does that). */
export interface RuleFinding {
  readonly severity: "error" | "warning";
  readonly code:
    | "FILE_NOT_FOUND"
    | "FILE_UNREADABLE"
    | "MERGE_VARIABLE_UNMAPPED"
    | "MERGE_VARIABLE_UNUSED"
    | "MERGE_VARIABLE_NAME";
  readonly segments: readonly PathSegment[];
  readonly anchor: "value" | "key";
  readonly message: string;
  readonly hint: string;
}

const MEDIA_TYPES: Readonly<Record<string, "html" | "pdf" | "png" | "jpg">> = {
  ".html": "html",
  ".htm": "html",
  ".pdf": "pdf",
  ".png": "png",
  ".jpg": "jpg",
};

/** Where an artwork value points. Local paths are resolved against the manifest's directory. */
export function classifyArtwork(value: string, manifestDir: string): Artwork {
  if (/^tmpl_/.test(value)) return { kind: "template", value };
  if (/^https:\/\//.test(value)) return { kind: "url", value };
  return {
    kind: "file",
    value,
    path: resolve(manifestDir, value),
    mediaType: MEDIA_TYPES[extname(value).toLowerCase()] ?? "html",
  };
}

/** Display form of a path: relative to cwd when inside it. */
export function displayPath(absolute: string, cwd: string): string {
  const rel = relative(cwd, absolute);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : absolute;
}

interface MergeCheckInput {
  readonly resourceType: ResourceType;
  /** Artwork values that passed the schema, by field. */
  readonly artwork: Readonly<Partial<Record<ArtworkField, Artwork>>>;
  /** Readable HTML artwork contents, by field (only for fields whose file exists). */
  readonly html: Readonly<Partial<Record<ArtworkField, string>>>;
  readonly qrRedirectUrl: string | undefined;
  readonly mapping: Readonly<Record<string, unknown>> | null;
  readonly cwd: string;
}

function formatUse(file: string, use: MergeVariableUse): string {
  return `${file}:${use.line}:${use.col}`;
}

/**
 * Every merge variable the artwork (or the QR code's redirect_url) uses must be mapped, names must
 * be ones Lob accepts, and mapped variables nobody uses are worth a warning — but only when all
 * artwork is local HTML we could read, since a template id, URL or PDF cannot be inspected.
 */
export function checkMergeVariables(input: MergeCheckInput): RuleFinding[] {
  const findings: RuleFinding[] = [];
  const mapped = input.mapping ? Object.keys(input.mapping) : [];
  const used = new Set<string>();
  const sources: { segments: PathSegment[]; shown: string; uses: MergeVariableUse[] }[] = [];
  for (const field of ARTWORK_FIELDS[input.resourceType]) {
    const artwork = input.artwork[field];
    const html = input.html[field];
    if (artwork?.kind !== "file" || html === undefined) continue;
    sources.push({
      segments: ["creative", field],
      shown: displayPath(artwork.path, input.cwd),
      uses: extractMergeVariables(html),
    });
  }
  if (input.qrRedirectUrl !== undefined) {
    sources.push({
      segments: ["creative", "details", "qr_code", "redirect_url"],
      shown: "redirect_url",
      uses: extractMergeVariables(input.qrRedirectUrl),
    });
  }
  for (const source of sources) {
    const reported = new Set<string>();
    for (const use of source.uses) {
      used.add(use.name);
      if (reported.has(use.name)) continue;
      reported.add(use.name);
      const at = source.shown === "redirect_url" ? "redirect_url" : formatUse(source.shown, use);
      if (use.whitespace) {
        findings.push({
          severity: "error",
          code: "MERGE_VARIABLE_NAME",
          segments: source.segments,
          anchor: "value",
          message: `merge variable '${use.name}' at ${at} has spaces inside its braces, which Lob rejects`,
          hint: `write {{${use.name}}} without spaces`,
        });
      }
      if (!isValidMergeVariableName(use.name)) {
        findings.push({
          severity: "error",
          code: "MERGE_VARIABLE_NAME",
          segments: source.segments,
          anchor: "value",
          message: `merge variable '${use.name}' at ${at} contains characters Lob does not allow in a name`,
          hint: "use letters, digits and underscores, e.g. {{first_name}}",
        });
        continue;
      }
      if (!mapped.includes(use.name)) {
        const guess = suggestClosest(use.name, mapped);
        findings.push({
          severity: "error",
          code: "MERGE_VARIABLE_UNMAPPED",
          segments: source.segments,
          anchor: "value",
          message: `merge variable '${use.name}' (used at ${at}) is not in audience.mergeVariableColumnMapping${guess ? ` (did you mean '${guess}'?)` : ""}`,
          hint: `add '${use.name}: <CSV column>' under audience.mergeVariableColumnMapping; Lob will not send a campaign with unmapped variables`,
        });
      }
    }
  }
  const fields = ARTWORK_FIELDS[input.resourceType];
  const allInspectable = fields.every(
    (f) => input.artwork[f]?.kind === "file" && input.html[f] !== undefined,
  );
  if (allInspectable) {
    for (const name of mapped) {
      if (used.has(name)) continue;
      findings.push({
        severity: "warning",
        code: "MERGE_VARIABLE_UNUSED",
        segments: ["audience", "mergeVariableColumnMapping", name],
        anchor: "key",
        message: `merge variable '${name}' is mapped but no artwork uses {{${name}}}`,
        hint: "remove the mapping, or use the variable in the artwork",
      });
    }
  }
  return findings;
}

/**
 * Reads HTML artwork for merge-variable checks (a regular file within the artwork size limit);
 * undefined when it cannot be read (reported elsewhere).
 */
export async function readHtml(path: string): Promise<string | undefined> {
  return readBoundedFile(path, MAX_ARTWORK_BYTES, "artwork file").then(
    (bytes) => bytes.toString("utf8"),
    () => undefined,
  );
}
