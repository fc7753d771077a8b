import { CampaignctlError } from "../../core/errors.js";
import type { CommandSpec } from "../context.js";
import { EXIT } from "../context.js";
import { projectFor } from "../project-arg.js";

const FORMATS = ["text", "json", "github"] as const;
type Format = (typeof FORMATS)[number];

export const command: CommandSpec = {
  name: "validate",
  summary: "Check manifests and audience files offline (no API key needed)",
  usage: "campaignctl validate [PATH...] [--format text|json|github] [--no-preflight]",
  details: [
    "PATH is a manifest file or a directory (searched recursively for manifests); default: the whole project.",
    "Reports every problem at once as file:line:col. Exit 0 when valid (warnings allowed), 1 when not.",
    "Codes and the JSON format: docs/diagnostics.md.",
  ].join("\n"),
  options: {
    format: {
      type: "string",
      default: "text",
      valueName: "FORMAT",
      description: "text, json (one stable object on stdout) or github (workflow annotations)",
    },
    "no-preflight": {
      type: "boolean",
      description: "skip reading the audience CSVs (schema, files and merge variables are still checked)",
    },
  },
  allowPositionals: true,
  async run({ values, positionals }, ctx) {
    const format = values.format as string;
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new CampaignctlError({
        code: "USAGE",
        message: `unknown format '${format}'`,
        hint: `use --format ${FORMATS.join(", --format ")}`,
      });
    }
    // Lazy: keeps `campaignctl --help` and other commands from loading yaml and the validator.
    const [{ loadManifests }, render] = await Promise.all([
      import("../../manifest/index.js"),
      import("../../render/diagnostics.js"),
    ]);
    const project = await projectFor(positionals, ctx);
    const result = await loadManifests(positionals, {
      cwd: ctx.cwd,
      env: ctx.env,
      project,
      preflight: values["no-preflight"] !== true,
    });
    const outcome = {
      diagnostics: result.diagnostics,
      manifestFiles: result.files.length,
      campaigns: result.manifests.map((m) => ({ key: m.key, file: m.source.file })),
      preflight: result.preflight,
    };
    const writers: Record<Format, (o: typeof outcome) => string> = {
      text: render.formatValidationText,
      json: render.formatValidationJson,
      github: render.formatValidationGithub,
    };
    ctx.stdout.write(writers[format as Format](outcome));
    if (ctx.env.GITHUB_ACTIONS === "true") {
      // Loaded only under GitHub Actions: validate's startup budget does not pay for it.
      const github = await import("../github-actions/index.js");
      await github.reportValidation(outcome, ctx, { annotate: format !== "github" });
    }
    return result.diagnostics.some((d) => d.severity === "error") ? EXIT.error : EXIT.ok;
  },
};
