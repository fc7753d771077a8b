import { CampaignctlError } from "../../core/errors.js";
import type { CommandSpec } from "../context.js";

// Placeholder until the command lands; replaced by its real implementation.
export const command: CommandSpec = {
  name: "force-unlock",
  summary: "(not available yet)",
  usage: "campaignctl force-unlock",
  options: {},
  allowPositionals: true,
  run() {
    return Promise.reject(
      new CampaignctlError({ code: "USAGE", message: "'force-unlock' is not available in this build yet" }),
    );
  },
};
