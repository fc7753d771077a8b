#!/usr/bin/env node
import { colorEnabled } from "./cli/color.js";
import { runCli } from "./cli/run.js";

// The only place that touches process.exitCode: everything below returns a number.
const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
runCli({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  interactive,
  // Plans go to stdout and chatter to stderr: by default colour only when both are terminals, so a
  // piped or redirected plan never carries escape codes (FORCE_COLOR / NO_COLOR: see color.ts).
  color: colorEnabled(process.env, {
    stdout: Boolean(process.stdout.isTTY),
    stderr: Boolean(process.stderr.isTTY),
  }),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`Internal error (this is a bug in campaignctl): ${String(error)}\n`);
    process.exitCode = 3;
  },
);
