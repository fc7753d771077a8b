import { CampaignctlError } from "../../core/errors.js";
import type { EmulatorOptions, FaultKind } from "../../emulator/index.js";
import type { CommandSpec } from "../context.js";
import { EXIT } from "../context.js";

const FAULT_KIND_NAMES = ["500", "503", "429", "reset_before", "commit_then_drop"] as const;

function usage(message: string): CampaignctlError {
  return new CampaignctlError({
    code: "USAGE",
    message,
    hint: "run 'campaignctl help emulator' for its options",
  });
}

function readNumber(
  value: unknown,
  flag: string,
  opts: { min?: number; max?: number; integer?: boolean } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (
    !Number.isFinite(n) ||
    (opts.integer && !Number.isInteger(n)) ||
    (opts.min !== undefined && n < opts.min) ||
    (opts.max !== undefined && n > opts.max)
  ) {
    const range =
      opts.min !== undefined && opts.max !== undefined
        ? ` from ${opts.min} to ${opts.max}`
        : opts.min !== undefined
          ? ` >= ${opts.min}`
          : "";
    throw usage(`--${flag} must be a ${opts.integer ? "whole " : ""}number${range}`);
  }
  return n;
}

/** Turns the command's flags into emulator options (exported for tests). */
export function emulatorOptionsFromFlags(
  values: Readonly<Record<string, string | boolean | string[] | undefined>>,
): EmulatorOptions {
  const options: EmulatorOptions = {};
  const port = readNumber(values.port, "port", { min: 0, max: 65535, integer: true });
  if (port !== undefined) options.port = port;
  if (typeof values.host === "string") options.host = values.host;
  if (typeof values["control-token"] === "string") options.controlToken = values["control-token"];
  if (typeof values.data === "string") options.dataDir = values.data;
  const latency = readNumber(values.latency, "latency", { min: 0 });
  if (latency !== undefined) options.latencyMs = latency;
  const rate = readNumber(values["processing-rate"], "processing-rate", { min: 1 });
  if (rate !== undefined) options.processingRowsPerSecond = rate;
  if (values["no-rate-limit"] === true) {
    if (values["rate-limit"] !== undefined)
      throw usage("use either --rate-limit or --no-rate-limit, not both");
    options.rateLimit = false;
  } else if (typeof values["rate-limit"] === "string") {
    const match = /^(\d+)\/(\d+)$/.exec(values["rate-limit"]);
    if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) {
      throw usage("--rate-limit must look like N/MS, e.g. 150/5000 (requests per window in ms)");
    }
    options.rateLimit = { requests: Number(match[1]), windowMs: Number(match[2]) };
  }
  // --seed seeds every random choice: which rows --undeliverable-ratio fails, and faults unless
  // --fault-seed says otherwise.
  const seed = readNumber(values.seed, "seed", { integer: true });
  const undeliverable = readNumber(values["undeliverable-ratio"], "undeliverable-ratio", { min: 0, max: 1 });
  if (undeliverable !== undefined) {
    options.undeliverable = { ratio: undeliverable, ...(seed !== undefined ? { seed } : {}) };
  }
  const faultRate = readNumber(values["fault-rate"], "fault-rate", { min: 0 });
  if (seed !== undefined && undeliverable === undefined && faultRate === undefined) {
    throw usage("--seed needs --undeliverable-ratio or --fault-rate (it seeds their random draws)");
  }
  if (faultRate !== undefined) {
    if (faultRate > 1) throw usage("--fault-rate must be between 0 and 1");
    const faultSeed = readNumber(values["fault-seed"], "fault-seed", { integer: true }) ?? seed;
    let kinds: FaultKind[] | undefined;
    if (typeof values["fault-kinds"] === "string") {
      kinds = values["fault-kinds"].split(",").map((k) => k.trim()) as FaultKind[];
      const bad = kinds.filter((k) => !(FAULT_KIND_NAMES as readonly string[]).includes(k));
      if (bad.length > 0)
        throw usage(`unknown fault kind(s) ${bad.join(", ")}; use ${FAULT_KIND_NAMES.join(", ")}`);
    }
    options.faults = {
      rate: faultRate,
      ...(faultSeed !== undefined ? { seed: faultSeed } : {}),
      ...(kinds ? { kinds } : {}),
    };
  } else if (values["fault-seed"] !== undefined || values["fault-kinds"] !== undefined) {
    throw usage("--fault-seed and --fault-kinds need --fault-rate");
  }
  const window = readNumber(values["cancel-window-minutes"], "cancel-window-minutes", {
    min: 0,
    integer: true,
  });
  if (window !== undefined) options.defaultCancelWindowMinutes = window;
  if (values["accept-metadata-after-send"] === true) options.acceptMetadataAfterSend = true;
  return options;
}

export const command: CommandSpec = {
  name: "emulator",
  summary: "Run a local Lob Campaigns API emulator",
  usage:
    "campaignctl emulator [--port 4010] [--host 127.0.0.1] [--data DIR] [--latency MS] [--processing-rate ROWS_PER_S] " +
    "[--rate-limit N/MS | --no-rate-limit] [--fault-rate R] [--fault-seed S] [--fault-kinds k1,k2] [--undeliverable-ratio R] [--seed N] " +
    "[--cancel-window-minutes M] " +
    "[--control-token TOKEN]",
  details: [
    "Serves Lob's Campaigns API (campaigns, creatives, uploads, exports, report) under /v1 on this machine.",
    "Nothing is ever printed or mailed. Point campaignctl at it with LOB_API_URL=<the printed URL> and any",
    "key like test_local123. Test controls live under /_emulator/ (clock, faults, latency, rate limit,",
    "undeliverable rows).",
    "It listens on 127.0.0.1 unless --host says otherwise. Bound to any other address, the /_emulator",
    "routes require a control token (header X-Emulator-Token): --control-token, CAMPAIGNCTL_EMULATOR_TOKEN,",
    "or one generated and printed at start. Runs until Ctrl-C (SIGINT) or SIGTERM.",
  ].join("\n"),
  options: {
    port: {
      type: "string",
      default: "4010",
      valueName: "PORT",
      description: "port to listen on (0 = any free port)",
    },
    host: { type: "string", default: "127.0.0.1", valueName: "HOST", description: "address to listen on" },
    data: {
      type: "string",
      valueName: "DIR",
      description: "keep everything in DIR across restarts (default: memory)",
    },
    latency: { type: "string", valueName: "MS", description: "fixed delay before every API response" },
    "processing-rate": {
      type: "string",
      valueName: "ROWS_PER_S",
      description: "audience validation speed after send (default 100000)",
    },
    "rate-limit": {
      type: "string",
      valueName: "N/MS",
      description: "requests per window per key per endpoint (default 150/5000)",
    },
    "no-rate-limit": { type: "boolean", description: "turn rate limiting off" },
    "fault-rate": {
      type: "string",
      valueName: "R",
      description: "probability 0..1 of a fault per API request",
    },
    "fault-seed": { type: "string", valueName: "S", description: "seed for reproducible faults" },
    "fault-kinds": {
      type: "string",
      valueName: "K1,K2",
      description: "faults to draw from: 500, 503, 429, reset_before, commit_then_drop (default all)",
    },
    "undeliverable-ratio": {
      type: "string",
      valueName: "R",
      description:
        "share 0..1 of rows that pass Lob's rules but fail after send as undeliverable (for the max_failed_ratio guard)",
    },
    seed: {
      type: "string",
      valueName: "N",
      description:
        "seed for the random draws (undeliverable rows; faults unless --fault-seed): same seed, same rows",
    },
    "cancel-window-minutes": {
      type: "string",
      valueName: "M",
      description: "account default cancel window (default 240)",
    },
    "control-token": {
      type: "string",
      valueName: "TOKEN",
      description:
        "require this token (X-Emulator-Token header) on /_emulator routes; default CAMPAIGNCTL_EMULATOR_TOKEN, generated when --host is not loopback",
    },
    "accept-metadata-after-send": {
      type: "boolean",
      description: "let PATCH change a sent campaign's metadata (undocumented in Lob; default: refused)",
    },
  },
  allowPositionals: false,
  async run({ values }, ctx) {
    const options = emulatorOptionsFromFlags(values);
    const envToken = (ctx.env.CAMPAIGNCTL_EMULATOR_TOKEN ?? "").trim();
    if (options.controlToken === undefined && envToken !== "") options.controlToken = envToken;
    const { startEmulator } = await import("../../emulator/index.js");
    const emulator = await startEmulator({
      ...options,
      log: (line) => ctx.stderr.write(`${line}\n`),
    });
    ctx.stdout.write(`Lob emulator listening on ${emulator.listenUrl}\n`);
    if (emulator.listenUrl !== emulator.url) ctx.stdout.write(`From this machine: ${emulator.url}\n`);
    ctx.stdout.write("This is a local emulator: nothing is ever printed or mailed.\n");
    if (!emulator.loopbackOnly) {
      ctx.stderr.write(
        `Warning: the emulator listens on ${emulator.listenUrl}, not only on this machine: anyone who can reach this address can use its API.\n`,
      );
    }
    if (emulator.controlToken !== undefined) {
      // Printed only when generated: a token the user gave is theirs already, and must not land in logs.
      const generated = options.controlToken === undefined;
      ctx.stdout.write(
        generated
          ? `The /_emulator control routes need the header 'X-Emulator-Token: ${emulator.controlToken}'.\n`
          : "The /_emulator control routes need the header 'X-Emulator-Token' with the token you gave.\n",
      );
    }
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        resolve();
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    ctx.stderr.write("Stopping the emulator...\n");
    await emulator.close();
    ctx.stderr.write("Emulator stopped.\n");
    return EXIT.ok;
  },
};
