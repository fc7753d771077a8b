// Startup budget for `campaignctl validate`: wall time of validating a one-campaign manifest
// (with its audience preflight) must stay within 3x `node -e 0` on the same machine.
// Run after `npm run build`:  node bench/validate-startup.mjs [runs]
// Runs are interleaved and the median is used, so a busy machine skews both sides alike.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const RUNS = Number(process.argv[2] ?? 21);
const BUDGET = 3;

function time(args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const baseline = [];
const validate = [];
const validateArgs = ["dist/bin.js", "validate", "examples/postcard/campaign.yaml"];
time(["-e", "0"]);
time(validateArgs);
for (let i = 0; i < RUNS; i++) {
  baseline.push(time(["-e", "0"]));
  validate.push(time(validateArgs));
}
const ratio = median(validate) / median(baseline);
console.log(`node -e 0:                  median ${median(baseline).toFixed(1)} ms over ${RUNS} runs`);
console.log(`campaignctl validate (1):   median ${median(validate).toFixed(1)} ms over ${RUNS} runs`);
console.log(`ratio: ${ratio.toFixed(2)}x (budget ${BUDGET}x) ${ratio <= BUDGET ? "OK" : "OVER BUDGET"}`);
process.exitCode = ratio <= BUDGET ? 0 : 1;
