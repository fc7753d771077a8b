import type { CommandSpec } from "../context.js";

/**
 * Commands are imported lazily so that `campaignctl validate` never pays for loading axios or
 * the emulator. Keep this list in the order `--help` shows it.
 */
export const COMMANDS: Readonly<Record<string, { summary: string; load: () => Promise<CommandSpec> }>> = {
  validate: {
    summary: "Check manifests and audience files offline (no API key needed)",
    load: async () => (await import("./validate.js")).command,
  },
  plan: {
    summary: "Show what apply would change in Lob",
    load: async () => (await import("./plan.js")).command,
  },
  apply: {
    summary: "Create, update and (with --allow-send) send campaigns to match the manifests",
    load: async () => (await import("./apply.js")).command,
  },
  show: {
    summary: "Render a plan saved by 'plan --out' (text, markdown or json), like terraform show",
    load: async () => (await import("./show.js")).command,
  },
  status: {
    summary: "Show each managed campaign as Lob holds it now (sent, validated, cancel window)",
    load: async () => (await import("./status.js")).command,
  },
  destroy: {
    summary: "Delete drafts and cancel sent campaigns whose cancel window is open",
    load: async () => (await import("./destroy.js")).command,
  },
  state: {
    summary:
      "List, show, forget, rename or rebuild what the state records, or its history (state list|show|rm|mv|rebuild|history)",
    load: async () => (await import("./state.js")).command,
  },
  import: {
    summary: "Adopt a campaign created elsewhere (e.g. Lob's dashboard) under a manifest key",
    load: async () => (await import("./import.js")).command,
  },
  failures: {
    summary: "Export and download the failed rows of a sent campaign",
    load: async () => (await import("./failures.js")).command,
  },
  "force-unlock": {
    summary: "Remove a state lock left by a crashed run",
    load: async () => (await import("./force-unlock.js")).command,
  },
  schema: {
    summary: "Print the manifest JSON schema",
    load: async () => (await import("./schema.js")).command,
  },
  emulator: {
    summary: "Run a local Lob Campaigns API emulator",
    load: async () => (await import("./emulator.js")).command,
  },
  sandbox: {
    summary: "Control the --sandbox emulator: show or advance its clock",
    load: async () => (await import("./sandbox.js")).command,
  },
};
