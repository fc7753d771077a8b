import { readFile } from "node:fs/promises";
import { CampaignctlError } from "../../core/errors.js";
import { PACKAGE_ROOT } from "../../package-info.js";
import type { CommandSpec } from "../context.js";
import { EXIT } from "../context.js";

export const command: CommandSpec = {
  name: "schema",
  summary: "Print the manifest JSON schema",
  usage: "campaignctl schema > manifest.v1.schema.json",
  details:
    "Prints schemas/manifest.v1.schema.json (JSON Schema 2020-12) exactly as shipped. Editors pick it up from a\n" +
    "'# yaml-language-server: $schema=…' comment at the top of a manifest.",
  options: {},
  allowPositionals: false,
  async run(_args, ctx) {
    const text = await readFile(`${PACKAGE_ROOT}schemas/manifest.v1.schema.json`, "utf8").catch(() => {
      throw new CampaignctlError({
        code: "INTERNAL",
        source: "toolkit",
        message: "the manifest schema is missing from this installation",
        hint: "reinstall campaignctl; schemas/ ships with the package",
      });
    });
    ctx.stdout.write(text);
    return EXIT.ok;
  },
};
