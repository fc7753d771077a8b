// A plan with one create in a large account: before creating a campaign, campaignctl reads every
// page of the campaign list to prove that Lob holds none for the key (issue 8 §2, decisions.md §14).
// Target (issue): with 20,000 campaigns in the account, the plan's wall time is at most 1.2x the
// floor for the pages it reads, Lob's rate limit on (150 requests per 5 s per key per endpoint).
//   npm run build && node bench/plan-create-scan.mjs [--others 20000] [--runs 3] [--budget 1.2]
//
// As in bench/plan-noop.mjs, the floor is max(rate-limit minimum for the requests made, the same
// requests with plain fetch + CLI startup), where the rate-limit minimum per endpoint is
// floor((n-1)/150) x 5 s and CLI startup is `node dist/bin.js --version`. The state is missing (the
// CI case of the issue), so the plan makes no request before it knows a create is planned; then it
// lists every page (100 campaigns each, creatives and uploads embedded), one after another.
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import {
  assertBuilt,
  fmtMs,
  loadAverage,
  lobCaller,
  makePostcardWorkspace,
  median,
  rateLimitMinimumMs,
  runCli,
  runLimited,
  startEmulatorChild,
  summarizeRequests,
} from "./lib/harness.mjs";

const { values } = parseArgs({
  options: {
    others: { type: "string", default: "20000" },
    runs: { type: "string", default: "3" },
    budget: { type: "string", default: "1.2" },
  },
});
const OTHERS = Number(values.others);
const RUNS = Math.max(1, Number(values.runs));
const BUDGET = Number(values.budget);
const LIMIT = { requests: 150, windowMs: 5000 };

assertBuilt();
const log = (line) => process.stderr.write(`${line}\n`);
const emulator = await startEmulatorChild();
const { admin } = emulator;
const apiKey = `test_bench_plan_create_${process.pid}`;
const env = { LOB_API_URL: emulator.url, LOB_API_KEY: apiKey };
const call = lobCaller(emulator.url, apiKey);
const dir = makePostcardWorkspace(["bench-new"]);
let result;
let failed = false;

try {
  log(`load average at start: ${loadAverage()}`);
  const t = performance.now();
  await admin("POST", "/rate-limit", { enabled: false });
  await runLimited(
    Array.from(
      { length: OTHERS },
      (_, i) => () =>
        call("POST", "/campaigns", {
          name: `unmanaged ${i + 1}`,
          schedule_type: "immediate",
          use_type: "marketing",
        }),
    ),
    16,
  );
  log(`created ${OTHERS} unmanaged campaigns in ${fmtMs(performance.now() - t)}`);

  const runs = [];
  const startups = [];
  for (let i = 0; i < RUNS; i++) {
    startups.push((await runCli(["--version"], { cwd: dir, env })).ms);
    // Fresh windows for every run, so none inherits the previous run's budget.
    await admin("POST", "/rate-limit", LIMIT);
    await admin("DELETE", "/requests");
    const load = loadAverage();
    const run = await runCli(["plan", "--detailed-exitcode", "."], { cwd: dir, env });
    if (run.code !== 2) {
      throw new Error(
        `plan --detailed-exitcode exited ${run.code} (2 = one create expected):\n${run.stderr}`,
      );
    }
    if (!run.stdout.includes("1 to create")) throw new Error(`expected one create:\n${run.stdout}`);
    const requests = summarizeRequests((await admin("GET", "/requests")).requests);
    runs.push({ ms: run.ms, requests, load });
    log(
      `run ${i + 1}: ${fmtMs(run.ms)}, ${requests.total} requests ${JSON.stringify(requests.perEndpoint)}, ` +
        `${requests.throttled} x 429, request phase ${fmtMs(requests.spanMs)}, load ${load}`,
    );
  }
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  const mid = sorted[Math.floor(sorted.length / 2)];
  const pages = mid.requests.perEndpoint["GET /campaigns"] ?? 0;
  const unexpected = Object.keys(mid.requests.perEndpoint).filter((e) => e !== "GET /campaigns");
  if (unexpected.length > 0) throw new Error(`plan made unexpected requests: ${unexpected.join(", ")}`);
  const rateMinMs = rateLimitMinimumMs(mid.requests.perEndpoint, LIMIT);
  const bareMs = await bareListing(pages);
  const startupMs = median(startups);
  const floorMs = Math.max(rateMinMs, bareMs + startupMs);
  const ratio = mid.ms / floorMs;
  const throttled = Math.max(...runs.map((r) => r.requests.throttled));
  const allPages = Math.ceil((OTHERS + 0) / 100);
  result = {
    wallMs: mid.ms,
    load: mid.load,
    pages,
    allPages,
    throttled,
    rateMinMs,
    bareMs,
    startupMs,
    floorMs,
    ratio,
    phaseMs: mid.requests.spanMs,
    pass: throttled === 0 && ratio <= BUDGET && pages >= allPages,
  };
} catch (error) {
  failed = true;
  log(`ERROR: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await emulator.stop();
}

if (result) {
  const r = result;
  process.stdout.write(
    [
      "",
      `Plan with one create in an account of ${OTHERS} campaigns (state missing), rate limit 150 per 5 s (ON)`,
      `median of ${RUNS} runs; load average at end: ${loadAverage()}`,
      `  list pages read     ${r.pages}  (every page: >= ${r.allPages}: ${r.pages >= r.allPages ? "PASS" : "FAIL"})`,
      `  429 responses       ${r.throttled}  (target 0: ${r.throttled === 0 ? "PASS" : "FAIL"})`,
      `  plan wall time      ${fmtMs(r.wallMs)}  (load ${r.load})`,
      `  request phase       ${fmtMs(r.phaseMs)}  (first to last response, emulator log)`,
      `  rate-limit minimum  ${fmtMs(r.rateMinMs)}`,
      `  bare requests       ${fmtMs(r.bareMs)}  (same pages, plain fetch, limit lifted)`,
      `  CLI startup         ${fmtMs(r.startupMs)}`,
      `  ratio  wall / max(rate min, bare + startup) = ${r.ratio.toFixed(2)}x  (floor ${fmtMs(r.floorMs)}; target <= ${BUDGET}x: ${r.ratio <= BUDGET ? "PASS" : "FAIL"})`,
      `${r.pass ? "PASS" : "FAIL"}`,
      "",
    ].join("\n"),
  );
}
process.exitCode = failed || !result?.pass ? 1 : 0;

/** The same pages back to back with plain fetch (limit lifted): each needs the previous cursor. */
async function bareListing(pages) {
  await admin("POST", "/rate-limit", { enabled: false });
  try {
    const t = performance.now();
    let next = `${emulator.url}/campaigns?limit=100&include%5B%5D=total_count`;
    for (let i = 0; i < pages && next; i++) next = (await call("GET", next)).next_url;
    return performance.now() - t;
  } finally {
    await admin("POST", "/rate-limit", LIMIT);
  }
}
