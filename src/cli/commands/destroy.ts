import { CampaignctlError } from "../../core/errors.js";
import type { CommandSpec } from "../context.js";

// Placeholder until the command lands; replaced by its real implementation.
export const command: CommandSpec = {
  name: "destroy",
  summary: "(not available yet)",
  usage: "campaignctl destroy",
  options: {},
  allowPositionals: true,
  run() {
    return Promise.reject(
      new CampaignctlError({ code: "USAGE", message: "'destroy' is not available in this build yet" }),
    );
  },
};
