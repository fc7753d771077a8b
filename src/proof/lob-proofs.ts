import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { CampaignctlError } from "../core/errors.js";
import { pollUntil } from "../core/poll.js";
import type { LobClient } from "../lob/client-types.js";
import type { ResourceProof } from "../lob/wire.js";
import type { Artwork, CampaignManifest } from "../manifest/types.js";
import { ARTWORK_FIELDS } from "../manifest/types.js";
import type { ProofFinding } from "./checks.js";
import type { SheetNote } from "./contact-sheet.js";
import { contactSheet } from "./contact-sheet.js";
import type { MergeValues } from "./merge.js";
import { mergeValuesFor, redactValues } from "./merge.js";
import type { ProofResult, ProofRunOutcome } from "./run.js";
import type { RowChoice } from "./rows.js";
import { chooseProofRows } from "./rows.js";
import { formatCount } from "../core/en-us.js";

/**
 * `proof --renderer lob`: Lob renders each chosen row through POST /v1/resource_proofs (JSON, 201),
 * we poll until it is no longer `processing`, and download its PDF and thumbnails under `outDir`.
 * Lob merges the variables itself, so the body carries the raw artwork and `merge_variables`, plus
 * the recipient's `to` address (letters also `from` and `color`). With --redact, the values and the
 * address are placeholders: nothing of the row leaves the machine.
 */
export interface LobProofOptions {
  readonly client: LobClient;
  readonly manifests: readonly CampaignManifest[];
  readonly rows: RowChoice;
  readonly outDir: string;
  readonly redact: boolean;
  readonly shown: (file: string) => string;
  readonly pollIntervalMs: number;
  readonly timeoutMs?: number;
  readonly onProgress?: (message: string) => void;
}

/** Lob's limit on inline HTML (html_string: "under 10,000 characters"). */
export const LOB_INLINE_HTML_MAX = 10_000;

/** Lob's own sample address: where a redacted proof is "sent". */
const PLACEHOLDER_TO = {
  name: "RECIPIENT NAME",
  address_line1: "210 KING ST",
  address_city: "SAN FRANCISCO",
  address_state: "CA",
  address_zip: "94107",
};

async function artworkValue(artwork: Artwork, field: string, key: string, shown: (f: string) => string) {
  if (artwork.kind !== "file") return artwork.value;
  if (artwork.mediaType !== "html") {
    throw new CampaignctlError({
      code: "PROOF_FAILED",
      message: `${key} ${field}: ${shown(artwork.path)} is a local ${artwork.mediaType.toUpperCase()} file; Lob's resource proofs take inline HTML, a template id or a URL`,
      hint: "use the local renderer (--renderer local), or point the manifest at an https URL for this file",
    });
  }
  const html = await readFile(artwork.path, "utf8");
  if (html.length > LOB_INLINE_HTML_MAX) {
    throw new CampaignctlError({
      code: "PROOF_FAILED",
      message: `${key} ${field}: ${shown(artwork.path)} is ${formatCount(html.length)} characters; Lob's renderer takes inline HTML of at most ${formatCount(LOB_INLINE_HTML_MAX)}`,
      hint: "render it with --renderer local, or save it as a Lob template and use its tmpl_ id",
    });
  }
  return html;
}

function addressOf(manifest: CampaignManifest, header: readonly string[], fields: readonly string[]) {
  const mapping: Record<string, string | null> = {
    ...manifest.audience.requiredAddressColumnMapping,
    ...manifest.audience.optionalAddressColumnMapping,
  };
  const out: Record<string, string> = {};
  for (const [field, column] of Object.entries(mapping)) {
    const index = column === null ? -1 : header.indexOf(column);
    const value = index >= 0 ? (fields[index] ?? "").trim() : "";
    if (value !== "") out[field] = value;
  }
  return out;
}

const asObject = (values: MergeValues) => Object.fromEntries([...values].map(([name, v]) => [name, v.value]));

export async function runLobProofs(options: LobProofOptions): Promise<ProofRunOutcome> {
  await mkdir(options.outDir, { recursive: true });
  const proofs: ProofResult[] = [];
  const notes: SheetNote[] = [];
  for (const manifest of options.manifests) {
    const type = manifest.creative.resource_type;
    // Every artwork is checked before anything is sent.
    const artwork: Record<string, string> = {};
    for (const field of ARTWORK_FIELDS[type]) {
      const value = manifest.creative.artwork[field];
      if (value) artwork[field] = await artworkValue(value, field, manifest.key, options.shown);
    }
    const chosen = await chooseProofRows(
      manifest.key,
      manifest.audience.file,
      manifest.audience,
      options.rows,
      options.shown(manifest.audience.file),
    );
    const keyDir = join(options.outDir, manifest.key);
    await mkdir(keyDir, { recursive: true });
    for (const row of chosen.rows) {
      const real = mergeValuesFor(manifest.audience, chosen.header, row.fields);
      const values = options.redact ? redactValues(real) : real;
      const to = options.redact ? PLACEHOLDER_TO : addressOf(manifest, chosen.header, row.fields);
      const details = manifest.creative.details;
      const parameters: Record<string, unknown> = {
        ...artwork,
        to,
        merge_variables: asObject(values),
        ...(typeof details["size"] === "string" ? { size: details["size"] } : {}),
        ...(type === "letter"
          ? {
              from: manifest.creative.from,
              color: details["color"] === true,
              ...(details["double_sided"] === undefined ? {} : { double_sided: details["double_sided"] }),
              ...(details["address_placement"] === undefined
                ? {}
                : { address_placement: details["address_placement"] }),
            }
          : {}),
      };
      options.onProgress?.(`${manifest.key} row ${row.rowNumber}: asking Lob for a proof`);
      const created = await options.client.createResourceProof({
        resource_type: type,
        resource_parameters: parameters,
      });
      const { done, value: proof } = await pollUntil<ResourceProof>({
        read: () => options.client.getResourceProof(created.id),
        done: (p) => p.status !== "processing",
        intervalMs: options.pollIntervalMs,
        timeoutMs: options.timeoutMs ?? 120_000,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        now: () => Date.now(),
      });
      const findings: ProofFinding[] = [];
      const files: string[] = [];
      const base = join(keyDir, `piece-row${row.rowNumber}`);
      if (!done) {
        findings.push({
          severity: "error",
          code: "LOB_PROOF_FAILED",
          message: `Lob's proof ${created.id} is still processing after ${Math.round((options.timeoutMs ?? 120_000) / 1000)} s`,
        });
      } else if (proof.status !== "completed" || !proof.url) {
        // Codes only: a message from Lob could quote the address it was given.
        const codes = proof.errors.map((e) => e.code).join(", ") || "no error given";
        findings.push({
          severity: "error",
          code: "LOB_PROOF_FAILED",
          message: `Lob could not render proof ${proof.id} (${codes})`,
        });
      } else {
        await options.client.downloadToFile(proof.url, `${base}.pdf`);
        files.push(`${base}.pdf`);
        for (const [i, thumbnail] of proof.thumbnails.entries()) {
          const url = thumbnail.large ?? thumbnail.medium ?? thumbnail.small;
          if (!url) continue;
          const file = `${base}-${i + 1}.png`;
          await options.client.downloadToFile(url, file);
          files.push(file);
        }
      }
      proofs.push({
        key: manifest.key,
        side: "piece",
        rowNumber: row.rowNumber,
        files: files.map((f) => relative(options.outDir, f)),
        findings,
        missing: [],
        errors: findings.length,
      });
    }
  }
  const index = join(options.outDir, "index.html");
  await writeFile(index, contactSheet({ entries: proofs, notes, redacted: options.redact }));
  return { proofs, notes, index, errors: proofs.reduce((n, p) => n + p.errors, 0), warnings: 0 };
}
