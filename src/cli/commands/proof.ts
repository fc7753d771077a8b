import { isAbsolute, relative, resolve } from "node:path";
import { CampaignctlError } from "../../core/errors.js";
import { makeStyle } from "../../render/style.js";
import type { CommandSpec } from "../context.js";
import { EXIT } from "../context.js";
import { TARGET_OPTIONS } from "../options.js";
import { cliIoHost } from "../io-host.js";
import { projectFor } from "../project-arg.js";
import { stderrReporter } from "../reporter.js";
import { targetFrom, withEngine } from "../target-args.js";

const FORMATS = ["png", "pdf", "both"] as const;
const RENDERERS = ["local", "lob"] as const;
const DEFAULT_SAMPLE = 3;

export const command: CommandSpec = {
  name: "proof",
  summary: "Render every creative with real audience rows, as the printed piece will look",
  usage:
    "campaignctl proof [PATH...] [--key K] [--rows 1,5,9 | --sample N] --out DIR [--format png|pdf|both] [--guides] [--redact] [--renderer local|lob]",
  details: [
    "Renders each artwork side (postcard front and back, self-mailer inside and outside, letter pages)",
    "with the merge variables of chosen audience rows, in headless Chromium at the printed size with",
    "bleed, 300 DPI. Default: a sample of 3 valid rows per campaign. Writes DIR/index.html, a contact",
    "sheet with every proof, its row number and its layout findings.",
    "Proofs contain recipients' personal data: --redact renders each value as its column's name",
    "instead, for artifacts others may see. No API key needed for the local renderer; it works offline.",
    "Exit 0 with layout warnings; 1 on errors (a missing file or row, an external stylesheet).",
  ].join("\n"),
  options: {
    key: { type: "string", multiple: true, valueName: "KEY", description: "only this campaign (repeatable)" },
    rows: {
      type: "string",
      valueName: "1,5,9",
      description: "these data rows (1-based, header not counted)",
    },
    sample: {
      type: "string",
      valueName: "N",
      description: `N valid rows spread over the file (default ${DEFAULT_SAMPLE})`,
    },
    out: {
      type: "string",
      valueName: "DIR",
      description: "where to write the proofs and index.html (required)",
    },
    format: { type: "string", default: "png", valueName: "FORMAT", description: "png, pdf or both" },
    guides: { type: "boolean", description: "draw the trim line, the safe zone and the ink-free zone" },
    redact: {
      type: "boolean",
      description: "placeholders (the column's name) instead of recipients' values",
    },
    renderer: {
      type: "string",
      default: "local",
      valueName: "RENDERER",
      description:
        "local (headless Chromium, the default) or lob (Lob's resource proofs; needs a key or --sandbox)",
    },
    ...TARGET_OPTIONS,
  },
  allowPositionals: true,
  async run({ values, positionals }, ctx) {
    const format = pick(values.format, FORMATS, "--format");
    const renderer = pick(values.renderer, RENDERERS, "--renderer");
    if (typeof values.out !== "string" || values.out.trim() === "") {
      throw new CampaignctlError({
        code: "USAGE",
        message:
          "proof needs --out DIR: proofs contain recipients' personal data, so campaignctl does not pick a place for them",
        hint: "e.g. campaignctl proof --out proofs/ (and add proofs/ to .gitignore), or --redact for shareable proofs",
      });
    }
    const rows = rowChoice(values.rows, values.sample);
    const outDir = resolve(ctx.cwd, values.out);
    const redact = values.redact === true;
    const keys = (values.key as string[] | undefined) ?? [];

    const [{ loadManifests }, { formatValidationText }] = await Promise.all([
      import("../../manifest/index.js"),
      import("../../render/diagnostics.js"),
    ]);
    const project = await projectFor(positionals, ctx);
    const loaded = await loadManifests(positionals, {
      cwd: ctx.cwd,
      env: ctx.env,
      project,
      preflight: false,
    });
    const errors = loaded.diagnostics.filter((d) => d.severity === "error");
    if (errors.length > 0) {
      ctx.stderr.write(
        formatValidationText({
          diagnostics: errors,
          manifestFiles: loaded.files.length,
          campaigns: [],
          preflight: new Map(),
        }),
      );
      return EXIT.error;
    }
    const unknown = keys.filter((k) => !loaded.manifests.some((m) => m.key === k));
    if (unknown.length > 0) {
      throw new CampaignctlError({
        code: "USAGE",
        message: `no manifest has key ${unknown.map((k) => `'${k}'`).join(", ")}`,
        hint: `keys in these manifests: ${loaded.manifests.map((m) => m.key).join(", ") || "(none)"}`,
      });
    }
    const manifests =
      keys.length > 0 ? loaded.manifests.filter((m) => keys.includes(m.key)) : loaded.manifests;
    const style = makeStyle(ctx.color);
    const shown = (file: string) => {
      const rel = relative(ctx.cwd, file);
      return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? file : rel;
    };
    if (!redact) {
      ctx.stderr.write(
        `${style.yellow(
          `Warning: proofs contain recipients' personal data (names, addresses, merge values). They are written only under ${shown(outDir)}: keep it out of git and delete it when done. Use --redact for proofs others may see.`,
        )}\n`,
      );
    }
    const formats = format === "both" ? (["png", "pdf"] as const) : ([format] as const);
    const common = { manifests, rows, outDir, formats, guides: values.guides === true, redact, shown };
    const outcome =
      renderer === "local"
        ? await (async () => {
            const [{ runProofs }, { browserLauncher }] = await Promise.all([
              import("../../proof/run.js"),
              import("../../proof/browser.js"),
            ]);
            return runProofs({ ...common, launch: browserLauncher(ctx.env) });
          })()
        : await (async () => {
            // Lob's renderer: a key (or --sandbox), no state lock (nothing in the state changes).
            const { runLobProofs } = await import("../../proof/lob-proofs.js");
            const target = await targetFrom(values, ctx, { paths: positionals });
            const io = cliIoHost(ctx, { reporter: stderrReporter(ctx) });
            return withEngine(target, { io, command: "proof", readOnly: true }, ({ deps, sandbox }) =>
              runLobProofs({
                client: deps.client,
                manifests,
                rows,
                outDir,
                redact,
                shown,
                pollIntervalMs: sandbox ? 100 : 2000,
              }),
            );
          })();

    for (const note of outcome.notes)
      ctx.stderr.write(`${note.key} ${note.side}: not rendered: ${note.message}\n`);
    for (const proof of outcome.proofs) {
      for (const finding of proof.findings) {
        const paint = finding.severity === "error" ? style.red : style.yellow;
        ctx.stderr.write(
          `${paint(`${finding.severity === "error" ? "Error" : "Warning"}:`)} ${proof.key} ${proof.side} row ${proof.rowNumber}: ${finding.message}${finding.selector ? ` (${finding.selector})` : ""}\n`,
        );
      }
    }
    const files = outcome.proofs.reduce((n, p) => n + p.files.length, 0);
    ctx.stderr.write(
      `Proofs: ${outcome.proofs.length} rendered (${files} files), ${outcome.errors} error(s), ${outcome.warnings} warning(s). Open ${shown(outcome.index)}\n`,
    );
    ctx.stdout.write(`${shown(outcome.index)}\n`);
    return outcome.errors > 0 ? EXIT.error : EXIT.ok;
  },
};

function pick<T extends string>(value: unknown, allowed: readonly T[], flag: string): T {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw new CampaignctlError({
    code: "USAGE",
    message: `${flag} '${String(value)}' is not one of ${allowed.join(", ")}`,
    hint: `e.g. ${flag} ${allowed[0]}`,
  });
}

function rowChoice(rows: unknown, sample: unknown): { rows: number[] } | { sample: number } {
  if (rows !== undefined && sample !== undefined) {
    throw new CampaignctlError({
      code: "USAGE",
      message: "give --rows or --sample, not both",
      hint: "--rows 1,5,9 or --sample 3",
    });
  }
  if (typeof rows === "string") {
    const parts = rows.split(",").map((p) => p.trim());
    if (parts.length === 0 || parts.some((p) => !/^[1-9][0-9]*$/.test(p))) {
      throw new CampaignctlError({
        code: "USAGE",
        message: `--rows '${rows}' is not a list of row numbers`,
        hint: "e.g. --rows 1,5,9 (data rows, 1-based, header not counted)",
      });
    }
    return { rows: [...new Set(parts.map(Number))] };
  }
  if (typeof sample === "string") {
    if (!/^[1-9][0-9]*$/.test(sample.trim()) || Number(sample) > 1000) {
      throw new CampaignctlError({
        code: "USAGE",
        message: `--sample '${sample}' is not a whole number from 1 to 1000`,
        hint: "e.g. --sample 3",
      });
    }
    return { sample: Number(sample) };
  }
  return { sample: DEFAULT_SAMPLE };
}
