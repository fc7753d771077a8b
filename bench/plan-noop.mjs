// No-op plan of many managed campaigns against the emulator with Lob's rate limit ON
// (150 requests per 5 s per key per endpoint). Targets (issue text): zero 429 responses, and wall
// time <= 1.2x the minimum the rate limit allows for the requests the plan makes.
//   npm run build && node bench/plan-noop.mjs [--campaigns 300] [--others 20000,40000] [--runs 3]
//
// Scenario "noop": N managed campaigns and nothing else in the account. The engine lists the
// account (100 per page, creatives and uploads embedded): ceil(N/100) requests, for which the rate
// limit's minimum is 0 s, so the target is taken against a measured floor (ratio A, the gate):
//   floor = max(rate-limit minimum, the same requests made with plain fetch + CLI startup)
// where CLI startup is `node dist/bin.js --version`. A plan also reads and preflights N manifests
// offline, which the floor does not include; ratio B adds that work (`campaignctl validate` of the
// same directory) to the floor, to show how much of any excess is the network part.
// Scenarios "others=K": the same account then also holds K unmanaged campaigns (created with plain
// HTTP while the emulator's limit is lifted), so a refresh costs either ~K/100 list pages or one GET
// per managed campaign; both exceed 150 requests, so the rate limit's minimum is 5 s.
// Levels are cumulative. The emulator runs as a child process; both it and every CLI run use a
// private copy of dist/ (see bench/lib/harness.mjs), so a rebuild mid-run cannot break them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  assertBuilt,
  fmtMs,
  loadAverage,
  lobCaller,
  makePostcardWorkspace,
  median,
  rateLimitMinimumMs,
  ROOT,
  runCli,
  runLimited,
  startEmulatorChild,
  summarizeRequests,
} from "./lib/harness.mjs";

const { values } = parseArgs({
  options: {
    campaigns: { type: "string", default: "300" },
    others: { type: "string", default: "20000,40000" },
    runs: { type: "string", default: "3" },
    budget: { type: "string", default: "1.2" },
  },
});
const N = Number(values.campaigns);
const OTHERS = values.others
  .split(",")
  .map((s) => Number(s.trim()))
  .filter((n) => n > 0);
const RUNS = Math.max(1, Number(values.runs));
const BUDGET = Number(values.budget);
const LIMIT = { requests: 150, windowMs: 5000 };

assertBuilt();
// The engine's client keeps at most this many requests in flight: the built client's own default,
// so the floor always matches what the plan really does.
const { DEFAULT_MAX_IN_FLIGHT: CLIENT_IN_FLIGHT } = await import(
  pathToFileURL(join(ROOT, "dist", "lob", "client.js")).href
);
if (!Number.isInteger(CLIENT_IN_FLIGHT) || CLIENT_IN_FLIGHT < 1) {
  throw new Error(`dist/lob/client.js exports no usable DEFAULT_MAX_IN_FLIGHT (${CLIENT_IN_FLIGHT})`);
}
const log = (line) => process.stderr.write(`${line}\n`);
const results = [];
let failed = false;

const emulator = await startEmulatorChild();
const { admin } = emulator;
const apiKey = `test_bench_plan_noop_${process.pid}`;
const env = { LOB_API_URL: emulator.url, LOB_API_KEY: apiKey };
const call = lobCaller(emulator.url, apiKey);
const keys = Array.from({ length: N }, (_, i) => `bench-${String(i + 1).padStart(4, "0")}`);
const dir = makePostcardWorkspace(keys);

try {
  log(`load average at start: ${loadAverage()}`);
  // --- Setup: create the managed campaigns through the CLI (rate limit on, like everything else).
  await admin("DELETE", "/requests");
  const tSetup = performance.now();
  const setup = await runCli(["apply", "--auto-approve", "."], { cwd: dir, env });
  if (setup.code !== 0) throw new Error(`setup apply exited ${setup.code}:\n${setup.stderr.slice(-2000)}`);
  const setupLog = summarizeRequests((await admin("GET", "/requests")).requests);
  log(
    `setup: apply of ${N} campaigns took ${fmtMs(performance.now() - tSetup)}, ` +
      `${setupLog.total} requests, ${setupLog.throttled} x 429`,
  );
  const state = JSON.parse(readFileSync(join(dir, ".campaignctl", "state.json"), "utf8"));
  const managedIds = Object.values(state.campaigns).map((r) => r.campaignId);
  if (managedIds.length !== N || managedIds.some((id) => !id)) {
    throw new Error(`state holds ${managedIds.length} campaign ids, expected ${N}`);
  }

  results.push(await measureScenario("noop", 0));
  let created = 0;
  for (const level of OTHERS) {
    const t = performance.now();
    await createOthers(level - created, created);
    log(`created ${level - created} unmanaged campaigns (now ${level}) in ${fmtMs(performance.now() - t)}`);
    created = level;
    results.push(await measureScenario(`others=${level}`, level));
  }
} catch (error) {
  failed = true;
  log(`ERROR: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await emulator.stop();
}

printSummary();
process.exitCode = failed || results.some((r) => !r.pass) ? 1 : 0;

// ---------------------------------------------------------------------------------------------

/** Unmanaged campaigns, created newest-last, with the emulator's limit lifted for the setup only. */
async function createOthers(count, offset) {
  await admin("POST", "/rate-limit", { enabled: false });
  try {
    await runLimited(
      Array.from(
        { length: count },
        (_, i) => () =>
          call("POST", "/campaigns", {
            name: `unmanaged ${offset + i + 1}`,
            schedule_type: "immediate",
            use_type: "marketing",
          }),
      ),
      16,
    );
  } finally {
    await admin("POST", "/rate-limit", LIMIT);
  }
}

async function measureScenario(name, others) {
  const runs = [];
  const startups = [];
  const offlines = [];
  for (let i = 0; i < RUNS; i++) {
    // Interleaved with the plan runs, so a burst of load on the shared machine hits all alike.
    startups.push((await runCli(["--version"], { cwd: dir, env })).ms);
    const validate = await runCli(["validate", "."], { cwd: dir, env });
    if (validate.code !== 0)
      throw new Error(`validate exited ${validate.code}:\n${validate.stderr.slice(-1000)}`);
    offlines.push(validate.ms);
    // Re-setting the limit starts fresh windows, so no run inherits the previous run's budget.
    await admin("POST", "/rate-limit", LIMIT);
    await admin("DELETE", "/requests");
    const load = loadAverage();
    const run = await runCli(["plan", "--detailed-exitcode", "."], { cwd: dir, env });
    if (run.code !== 0) {
      throw new Error(
        `[${name}] plan --detailed-exitcode exited ${run.code} (0 = no changes expected):\n${run.stderr.slice(-2000)}`,
      );
    }
    const requests = summarizeRequests((await admin("GET", "/requests")).requests);
    runs.push({ ms: run.ms, requests, load });
    log(
      `[${name}] run ${i + 1}: ${fmtMs(run.ms)}, ${requests.total} requests ${JSON.stringify(requests.perEndpoint)}, ` +
        `${requests.throttled} x 429, request phase ${fmtMs(requests.spanMs)}, load ${load}`,
    );
  }
  const startupMs = median(startups);
  const offlineMs = median(offlines);
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  const mid = sorted[Math.floor(sorted.length / 2)];
  const throttled = Math.max(...runs.map((r) => r.requests.throttled));
  const rateMinMs = rateLimitMinimumMs(mid.requests.perEndpoint, LIMIT);
  const bareMs = await bareRequests(mid.requests.perEndpoint);
  const floorMs = Math.max(rateMinMs, bareMs + startupMs);
  const offlineFloorMs = Math.max(rateMinMs, bareMs) + offlineMs;
  const phaseFloorMs = Math.max(rateMinMs, bareMs);
  const ratio = mid.ms / floorMs;
  const ratioOffline = mid.ms / offlineFloorMs;
  const ratioPhase = mid.requests.spanMs / phaseFloorMs;
  // Gate, as the issue states it: no 429s, and wall time within budget of the minimum the rate
  // limit allows (ratio A). Where that minimum is 0 s (a few requests, no window to wait for) the
  // ratio has no meaningful floor; there the gate is "fewest requests": one list page per 100
  // campaigns in the account. Ratio B (offline work added to the floor) shows where excess comes from.
  const fewestPages = Math.ceil((N + others) / 100);
  const rateBound = rateMinMs > 0;
  const pass = throttled === 0 && (rateBound ? ratio <= BUDGET : mid.requests.total <= fewestPages);
  return {
    name,
    others,
    load: mid.load,
    wallMs: mid.ms,
    phaseMs: mid.requests.spanMs,
    requests: mid.requests.total,
    perEndpoint: mid.requests.perEndpoint,
    throttled,
    rateBound,
    fewestPages,
    rateMinMs,
    bareMs,
    startupMs,
    offlineMs,
    floorMs,
    offlineFloorMs,
    ratio,
    ratioOffline,
    ratioPhase,
    pass,
  };
}

/**
 * The same request mix, back to back with plain fetch from this process (limit lifted, so only
 * the requests' own cost is measured): list pages in sequence (each needs the previous cursor),
 * GETs of managed campaigns CLIENT_IN_FLIGHT at a time, as the engine's client does.
 */
async function bareRequests(perEndpoint) {
  const listPages = perEndpoint["GET /campaigns"] ?? 0;
  const gets = perEndpoint["GET /campaigns/{id}"] ?? 0;
  const unknown = Object.keys(perEndpoint).filter(
    (e) => e !== "GET /campaigns" && e !== "GET /campaigns/{id}",
  );
  if (unknown.length > 0) throw new Error(`plan made unexpected requests: ${unknown.join(", ")}`);
  await admin("POST", "/rate-limit", { enabled: false });
  try {
    const t = performance.now();
    const seen = new Set();
    let next = `${emulator.url}/campaigns?limit=100&include%5B%5D=total_count`;
    for (let i = 0; i < listPages && next; i++) {
      const page = await call("GET", next);
      for (const c of page.data) seen.add(c.id);
      next = page.next_url;
    }
    const todo = managedIdsNotIn(seen).slice(0, gets);
    await runLimited(
      todo.map((id) => () => call("GET", `/campaigns/${id}`)),
      CLIENT_IN_FLIGHT,
    );
    return performance.now() - t;
  } finally {
    await admin("POST", "/rate-limit", LIMIT);
  }
}

function managedIdsNotIn(seen) {
  const state = JSON.parse(readFileSync(join(dir, ".campaignctl", "state.json"), "utf8"));
  return Object.values(state.campaigns)
    .map((r) => r.campaignId)
    .filter((id) => !seen.has(id));
}

function printSummary() {
  const out = [];
  out.push("");
  out.push(`No-op plan of ${N} managed campaigns, emulator rate limit 150 per 5 s per endpoint (ON)`);
  out.push(`median of ${RUNS} runs; load average at end: ${loadAverage()}`);
  for (const r of results) {
    out.push("");
    out.push(`[${r.name}] ${r.pass ? "PASS" : "FAIL"}`);
    out.push(`  requests            ${r.requests}  ${JSON.stringify(r.perEndpoint)}`);
    out.push(`  429 responses       ${r.throttled}  (target 0: ${r.throttled === 0 ? "PASS" : "FAIL"})`);
    out.push(`  plan wall time      ${fmtMs(r.wallMs)}  (load ${r.load})`);
    out.push(`  request phase       ${fmtMs(r.phaseMs)}  (first to last response, emulator log)`);
    out.push(`  rate-limit minimum  ${fmtMs(r.rateMinMs)}`);
    out.push(`  bare requests       ${fmtMs(r.bareMs)}  (same requests, plain fetch, limit lifted)`);
    out.push(`  CLI startup         ${fmtMs(r.startupMs)}  (node dist/bin.js --version)`);
    out.push(`  offline work        ${fmtMs(r.offlineMs)}  (node dist/bin.js validate . : same manifests)`);
    out.push(
      `  ratio A  wall / max(rate min, bare + startup)        = ${r.ratio.toFixed(2)}x  (floor ${fmtMs(r.floorMs)}; target <= ${BUDGET}x: ${r.rateBound ? (r.ratio <= BUDGET ? "PASS" : "FAIL") : "not gated: the rate limit allows these requests at once"})`,
    );
    if (!r.rateBound) {
      out.push(
        `  fewest requests     ${r.requests} <= ${r.fewestPages} list pages: ${r.requests <= r.fewestPages ? "PASS" : "FAIL"}`,
      );
    }
    out.push(
      `  ratio B  wall / (max(rate min, bare) + offline work)  = ${r.ratioOffline.toFixed(2)}x  (floor ${fmtMs(r.offlineFloorMs)}; ${r.ratioOffline <= BUDGET ? "within" : "over"} ${BUDGET}x, informational)`,
    );
    out.push(`  ratio C  request phase / max(rate min, bare)         = ${r.ratioPhase.toFixed(2)}x`);
  }
  if (failed) out.push("\nFAIL: the benchmark did not complete (see ERROR above)");
  process.stdout.write(`${out.join("\n")}\n`);
}
