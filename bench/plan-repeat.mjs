// Repeated no-op plans of many managed campaigns against ONE long-lived emulator whose store keeps
// growing, as a shared sandbox's does. Target (issue 10): the plans stay flat. Gates, each the ratio
// of the last round to the first: the plan's wall time <= --budget (default 1.25x), and the
// emulator's time for the plan's requests <= --emulator-budget (default 2x, while the store grows
// 5x: a scan of the store per campaign, as before the index, grows with the store, ~9x here).
//   npm run build && node bench/plan-repeat.mjs [--campaigns 1000] [--rounds 5] [--plans 3] [--replays 5] [--growth 1000]
//
// Why it grew: a list page embeds each campaign's creatives and uploads. The emulator used to find
// them by scanning every creative and upload in the store for each campaign on the page, so a page
// cost grew with everything the emulator held, other accounts included. It now keeps them indexed
// by campaign (src/emulator/campaign-index.ts).
//
// The emulator runs as a child process (`node dist/bin.js emulator --port 0 --no-rate-limit`: the
// rate limit is not what this measures, and lifting it keeps the setup short) and lives for the
// whole bench. Setup: one `apply --auto-approve` of --campaigns campaigns (campaign, creative,
// upload and file each). Each round after the first first adds --growth campaigns, each with a
// creative and an upload, under another key (plain HTTP), so the store grows while the plan's own
// account does not. Each round runs `plan --detailed-exitcode .` (exit 0 = no changes) --plans
// times, then makes the plan's requests again with plain fetch, --replays times: every list page of
// the account, one after the other. That is the emulator's share of a plan. Each keeps its fastest
// time: the shared machine's load only ever adds time, so the fastest run is the closest to the cost
// itself. The plan's wall time alone cannot show it: the plan reads Lob while it loads and preflights
// the manifests, so offline work and the shared machine's load can hide it. CLI runs use a private
// copy of dist/ (bench/lib/harness.mjs).
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import {
  assertBuilt,
  fmtMs,
  loadAverage,
  lobCaller,
  makePostcardWorkspace,
  runCli,
  runLimited,
  startEmulatorChild,
  summarizeRequests,
} from "./lib/harness.mjs";

const { values } = parseArgs({
  options: {
    campaigns: { type: "string", default: "1000" },
    rounds: { type: "string", default: "5" },
    plans: { type: "string", default: "3" },
    growth: { type: "string", default: "1000" },
    budget: { type: "string", default: "1.25" },
    "emulator-budget": { type: "string", default: "2" },
    replays: { type: "string", default: "5" },
  },
});
const N = Number(values.campaigns);
const ROUNDS = Math.max(2, Number(values.rounds));
const PLANS = Math.max(1, Number(values.plans));
const REPLAYS = Math.max(1, Number(values.replays));
const GROWTH = Math.max(0, Number(values.growth));
const BUDGET = Number(values.budget);
const EMULATOR_BUDGET = Number(values["emulator-budget"]);

assertBuilt();
const log = (line) => process.stderr.write(`${line}\n`);
const rounds = [];
let failed = false;

const emulator = await startEmulatorChild(["--no-rate-limit"]);
const { admin } = emulator;
const apiKey = `test_bench_plan_repeat_${process.pid}`;
const env = { LOB_API_URL: emulator.url, LOB_API_KEY: apiKey };
const call = lobCaller(emulator.url, apiKey);
const otherAccount = lobCaller(emulator.url, `test_bench_plan_repeat_others_${process.pid}`);
const keys = Array.from({ length: N }, (_, i) => `bench-${String(i + 1).padStart(4, "0")}`);
const dir = makePostcardWorkspace(keys);
let storeCampaigns = 0;

try {
  log(`load average at start: ${loadAverage()}`);
  const tSetup = performance.now();
  const setup = await runCli(["apply", "--auto-approve", "."], { cwd: dir, env });
  if (setup.code !== 0) throw new Error(`setup apply exited ${setup.code}:\n${setup.stderr.slice(-2000)}`);
  storeCampaigns = N;
  log(`setup: apply of ${N} campaigns took ${fmtMs(performance.now() - tSetup)}`);
  for (let round = 1; round <= ROUNDS; round++) {
    if (round > 1 && GROWTH > 0) {
      const t = performance.now();
      await grow(GROWTH);
      storeCampaigns += GROWTH;
      log(
        `added ${GROWTH} campaigns with creative and upload to another account in ${fmtMs(performance.now() - t)}`,
      );
    }
    const plans = [];
    const lists = [];
    let requests;
    for (let i = 0; i < PLANS; i++) {
      await admin("DELETE", "/requests");
      const run = await runCli(["plan", "--detailed-exitcode", "."], { cwd: dir, env });
      if (run.code !== 0) {
        throw new Error(`plan exited ${run.code} (0 = no changes expected):\n${run.stderr.slice(-2000)}`);
      }
      requests = summarizeRequests((await admin("GET", "/requests")).requests);
      plans.push(run.ms);
    }
    for (let i = 0; i < REPLAYS; i++) lists.push(await listAllPages());
    const r = {
      round,
      storeCampaigns,
      planMs: Math.min(...plans),
      listMs: Math.min(...lists),
      load: loadAverage(),
    };
    rounds.push(r);
    log(
      `round ${round}: store holds ${storeCampaigns} campaigns; plans ${plans.map(fmtMs).join(", ")}, ` +
        `the same requests ${lists.map(fmtMs).join(", ")}, ${requests.total} requests ` +
        `${JSON.stringify(requests.perEndpoint)}; load ${r.load}`,
    );
  }
} catch (error) {
  failed = true;
  log(`ERROR: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await emulator.stop();
}

printSummary();

// ---------------------------------------------------------------------------------------------

/** `count` campaigns, each with a postcard creative and an upload, in the other account. */
async function grow(count) {
  await runLimited(
    Array.from({ length: count }, (_, i) => async () => {
      const campaign = await otherAccount("POST", "/campaigns", {
        name: `other ${storeCampaigns + i + 1}`,
        schedule_type: "immediate",
        use_type: "marketing",
      });
      await otherAccount("POST", "/creatives", {
        campaign_id: campaign.id,
        resource_type: "postcard",
        front: "tmpl_front",
        back: "tmpl_back",
        details: {},
      });
      await otherAccount("POST", "/uploads", { campaignId: campaign.id });
    }),
    16,
  );
}

/** Every list page of the plan's account, in sequence (each needs the previous cursor), as the plan reads them. */
async function listAllPages() {
  const t = performance.now();
  let next = `${emulator.url}/campaigns?limit=100&include%5B%5D=total_count`;
  while (next) next = (await call("GET", next)).next_url;
  return performance.now() - t;
}

function printSummary() {
  const first = rounds[0];
  const last = rounds[rounds.length - 1];
  const ratio = first && last ? last.planMs / first.planMs : Number.NaN;
  const emulatorRatio = first && last ? last.listMs / first.listMs : Number.NaN;
  const wallPass = ratio <= BUDGET;
  const emulatorPass = emulatorRatio <= EMULATOR_BUDGET;
  const pass = !failed && rounds.length === ROUNDS && wallPass && emulatorPass;
  const out = [
    "",
    `Repeated no-op plans of ${N} managed campaigns, one long-lived emulator, ${ROUNDS} rounds of ${PLANS} plans`,
    `(+${GROWTH} campaigns with creative and upload in another account before each round after the first)`,
    `load average at end: ${loadAverage()}`,
  ];
  for (const r of rounds) {
    out.push(
      `  round ${r.round}: store ${r.storeCampaigns} campaigns, fastest plan ${fmtMs(r.planMs)}, its requests again ${fmtMs(r.listMs)} (load ${r.load})`,
    );
  }
  out.push(
    `ratio last/first (plan wall time) = ${ratio.toFixed(2)}x  (target <= ${BUDGET}x): ${wallPass ? "PASS" : "FAIL"}`,
  );
  out.push(
    `ratio last/first (emulator time for the plan's requests) = ${emulatorRatio.toFixed(2)}x  (target <= ${EMULATOR_BUDGET}x): ${emulatorPass ? "PASS" : "FAIL"}`,
  );
  out.push(pass ? "plan-repeat: PASS" : "plan-repeat: FAIL");
  if (failed) out.push("FAIL: the benchmark did not complete (see ERROR above)");
  process.stdout.write(`${out.join("\n")}\n`);
  process.exitCode = pass ? 0 : 1;
}
