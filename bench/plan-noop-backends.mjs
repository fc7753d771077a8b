// No-op plan of many managed campaigns with the state in PostgreSQL vs in the state file, against
// the emulator. Target (issue 11): Postgres wall time <= 1.1x the file backend's, measured in the
// same run (runs interleaved, medians), on the same account, manifests and state (pushed to
// Postgres with `state push`, so both hold the same lineage, serial and records).
//   npm run build && node bench/plan-noop-backends.mjs [--campaigns 300] [--runs 5] [--budget 1.1]
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import {
  assertBuilt,
  fmtMs,
  loadAverage,
  makePostcardWorkspace,
  median,
  runCli,
  startEmulatorChild,
} from "./lib/harness.mjs";
import { startPostgres } from "./lib/postgres.mjs";

const { values } = parseArgs({
  options: {
    campaigns: { type: "string", default: "300" },
    runs: { type: "string", default: "5" },
    budget: { type: "string", default: "1.1" },
  },
});
const N = Number(values.campaigns);
const RUNS = Math.max(1, Number(values.runs));
const BUDGET = Number(values.budget);
const log = (line) => process.stderr.write(`${line}\n`);

assertBuilt();
const emulator = await startEmulatorChild(["--no-rate-limit"]);
const pg = await startPostgres();
const env = { LOB_API_URL: emulator.url, LOB_API_KEY: `test_bench_backends_${process.pid}` };
const keys = Array.from({ length: N }, (_, i) => `bench-${String(i + 1).padStart(4, "0")}`);
const dir = makePostcardWorkspace(keys);
let failed = false;
try {
  log(`load average at start: ${loadAverage()}`);
  const t = performance.now();
  const setup = await runCli(["apply", "--auto-approve", "."], { cwd: dir, env });
  if (setup.code !== 0) throw new Error(`setup apply exited ${setup.code}:\n${setup.stderr.slice(-2000)}`);
  const push = await runCli(["state", "push", "--to", pg.url], { cwd: dir, env });
  if (push.code !== 0) throw new Error(`state push exited ${push.code}:\n${push.stderr.slice(-2000)}`);
  log(`setup: apply of ${N} campaigns and state push took ${fmtMs(performance.now() - t)}`);

  const times = { file: [], postgres: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const backend of i % 2 === 0 ? ["file", "postgres"] : ["postgres", "file"]) {
      const args = [
        "plan",
        "--detailed-exitcode",
        ...(backend === "postgres" ? ["--state", pg.url] : []),
        ".",
      ];
      const run = await runCli(args, { cwd: dir, env });
      if (run.code !== 0)
        throw new Error(`[${backend}] plan exited ${run.code} (0 = no changes):\n${run.stderr.slice(-2000)}`);
      times[backend].push(run.ms);
      log(`run ${i + 1} ${backend}: ${fmtMs(run.ms)}, load ${loadAverage()}`);
    }
  }
  const file = median(times.file);
  const postgres = median(times.postgres);
  const ratio = postgres / file;
  const pass = ratio <= BUDGET;
  failed = !pass;
  console.log(
    [
      `no-op plan of ${N} campaigns, median of ${RUNS} interleaved runs (load ${loadAverage()}):`,
      `  file backend:     ${fmtMs(file)}`,
      `  postgres backend: ${fmtMs(postgres)}`,
      `  ratio: ${ratio.toFixed(2)}x (budget ${BUDGET}x) ${pass ? "OK" : "OVER BUDGET"}`,
    ].join("\n"),
  );
} catch (error) {
  failed = true;
  log(`ERROR: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await emulator.stop();
  await pg.stop();
}
process.exitCode = failed ? 1 : 0;
