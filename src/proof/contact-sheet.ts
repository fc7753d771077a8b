import type { ProofFinding } from "./checks.js";

/**
 * The `index.html` a person opens after a proof run: every proof with its campaign, side, row
 * number and findings. It holds no recipient value (only numbers, column names and the files' own
 * relative paths), though the images it shows do unless the run was `--redact`.
 */
export interface SheetEntry {
  readonly key: string;
  readonly side: string;
  readonly rowNumber: number;
  /** Paths relative to the sheet. */
  readonly files: readonly string[];
  readonly findings: readonly ProofFinding[];
  readonly missing: readonly string[];
}

export interface SheetNote {
  readonly key: string;
  readonly side: string;
  readonly message: string;
}

const esc = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );

export function contactSheet(opts: {
  readonly entries: readonly SheetEntry[];
  readonly notes: readonly SheetNote[];
  readonly redacted: boolean;
}): string {
  const cards = opts.entries.map((entry) => {
    const images = entry.files
      .filter((f) => f.endsWith(".png"))
      .map(
        (f) =>
          `<a href="${esc(f)}"><img src="${esc(f)}" alt="${esc(`${entry.key} ${entry.side} row ${entry.rowNumber}`)}"></a>`,
      );
    const pdfs = entry.files.filter((f) => f.endsWith(".pdf")).map((f) => `<a href="${esc(f)}">PDF</a>`);
    const findings = [
      ...entry.findings.map(
        (f) =>
          `<li class="${f.severity}">${f.severity}: ${esc(f.message)}${f.selector ? ` <code>${esc(f.selector)}</code>` : ""}</li>`,
      ),
    ];
    return [
      `<figure>`,
      images.join("\n"),
      `<figcaption><b>${esc(entry.key)}</b> · ${esc(entry.side)} · row ${entry.rowNumber} ${pdfs.join(" ")}`,
      findings.length ? `<ul>${findings.join("")}</ul>` : `<ul><li class="ok">no layout findings</li></ul>`,
      `</figcaption></figure>`,
    ].join("\n");
  });
  const notes = opts.notes.map((n) => `<li>${esc(n.key)} · ${esc(n.side)}: ${esc(n.message)}</li>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>campaignctl proofs</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222}
figure{display:inline-block;vertical-align:top;margin:0 24px 24px 0;max-width:640px}
figure img{max-width:640px;border:1px solid #ccc;display:block;margin-bottom:4px}
li.error{color:#b00}li.warning{color:#a60}li.ok{color:#070}
.banner{padding:8px 12px;background:${opts.redacted ? "#eef6ee" : "#fff3e0"};border:1px solid #ccc}
</style></head><body>
<h1>Proofs</h1>
<p class="banner">${
    opts.redacted
      ? "Redacted: merge variables show their column's name instead of recipients' values."
      : "These proofs contain recipients' personal data. Do not share them or commit them; use --redact for artifacts others can see."
  }</p>
${notes.length ? `<h2>Not rendered</h2><ul>${notes.join("")}</ul>` : ""}
${cards.join("\n")}
</body></html>
`;
}
