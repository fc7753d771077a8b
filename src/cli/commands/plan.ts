import { CampaignctlError } from "../../core/errors.js";
import type { CommandSpec } from "../context.js";

// Placeholder until the command lands; replaced by its real implementation.
export const command: CommandSpec = {
  name: "plan",
  summary: "(not available yet)",
  usage: "campaignctl plan",
  options: {},
  allowPositionals: true,
  run() {
    return Promise.reject(
      new CampaignctlError({ code: "USAGE", message: "'plan' is not available in this build yet" }),
    );
  },
};
