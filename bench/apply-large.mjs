// Memory of `campaignctl apply` with a large audience. Target (issue text): an apply of a
// 1,000,000-row audience peaks at <= 150 MB RSS.
//   npm run build && node bench/apply-large.mjs [--rows 1000000] [--budget-mb 150] [--processing-rate 100000]
//
// Two cold runs, each in its own workspace and emulator account:
//   apply           `apply --auto-approve DIR`: preflight, plan, create campaign/creative/upload, upload the file
//   apply+send      the same with `send.enabled: true` and `--allow-send`, waiting for the emulator to
//                   validate every row after the send
// The CLI's peak RSS is getrusage's ru_maxrss of its own process (bench/lib/rss-wrapper.mjs runs
// dist/bin.js in-process and reports it at exit). VmRSS is also sampled from /proc every 50 ms and
// split into phases at the CLI's own output lines, to show where a peak happens.
// The audience comes from bench/gen-audience.mjs (bench/.data/, generated when missing); the
// emulator runs as a child process (`node dist/bin.js emulator`, rate limit on).
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  assertBuilt,
  fmtMb,
  fmtMs,
  loadAverage,
  makeTempDir,
  removeTempDir,
  ROOT,
  runCli,
  startEmulatorChild,
} from "./lib/harness.mjs";
import { ADDRESS_MAPPINGS } from "./lib/audience-columns.mjs";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    "budget-mb": { type: "string", default: "150" },
    "processing-rate": { type: "string", default: "100000" },
    "skip-send": { type: "boolean", default: false },
  },
});
const rows = Number(values.rows);
const budgetMb = Number(values["budget-mb"]);
const csvPath = fileURLToPath(new URL(`./.data/audience-${rows}.csv`, import.meta.url));

assertBuilt();
const log = (line) => process.stderr.write(`${line}\n`);

if (!existsSync(csvPath)) {
  const gen = spawnSync(
    process.execPath,
    [fileURLToPath(new URL("./gen-audience.mjs", import.meta.url)), "--rows", String(rows), "--out", csvPath],
    { stdio: "inherit" },
  );
  if (gen.status !== 0) throw new Error("could not generate the audience");
}
const csvBytes = statSync(csvPath).size;

const results = [];
let failed = false;
const emulator = await startEmulatorChild(["--processing-rate", values["processing-rate"]]);
try {
  log(`audience: ${rows.toLocaleString("en-US")} rows, ${fmtMb(csvBytes / 2 ** 20)}; load ${loadAverage()}`);
  results.push(await measureApply("apply", { send: false }));
  if (!values["skip-send"]) results.push(await measureApply("apply+send", { send: true }));
} catch (error) {
  failed = true;
  log(`ERROR: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await emulator.stop();
}

printSummary();
process.exitCode = failed || results.some((r) => !r.pass) ? 1 : 0;

// ---------------------------------------------------------------------------------------------

/** A one-campaign workspace whose audience is the generated CSV (mapping = its header). */
function makeWorkspace(send) {
  const dir = makeTempDir("campaignctl-bench-large-");
  cpSync(join(ROOT, "examples", "postcard", "front.html"), join(dir, "front.html"));
  const manifest = [
    "version: 1",
    "key: large-audience",
    "campaign:",
    "  name: Large audience benchmark",
    "  schedule_type: immediate",
    "  use_type: marketing",
    "creative:",
    "  resource_type: postcard",
    "  front: ./front.html",
    "  back: tmpl_c94e83ca2cd5121",
    "  details:",
    "    size: 4x6",
    "    mail_type: usps_first_class",
    "audience:",
    `  file: ${JSON.stringify(csvPath)}`,
    // JSON is YAML: the flow mappings come straight from the shared column list.
    `  requiredAddressColumnMapping: ${JSON.stringify(ADDRESS_MAPPINGS.requiredAddressColumnMapping)}`,
    `  optionalAddressColumnMapping: ${JSON.stringify(ADDRESS_MAPPINGS.optionalAddressColumnMapping)}`,
    "  mergeVariableColumnMapping:",
    "    first_name: first_name",
    "    discount_code: gift_code",
    "send:",
    `  enabled: ${send}`,
    `  max_pieces: ${Math.max(1, rows * 2)}`,
    "",
  ].join("\n");
  writeFileSync(join(dir, "campaign.yaml"), manifest);
  // The audience stays in bench/.data (100 MB, not copied): the project file allows that folder.
  writeFileSync(
    join(dir, "campaignctl.yaml"),
    `version: 1\nproject: bench-large\nallow_paths: [${JSON.stringify(dirname(csvPath))}]\n`,
  );
  return dir;
}

async function measureApply(name, { send }) {
  const dir = makeWorkspace(send);
  try {
    const env = {
      LOB_API_URL: emulator.url,
      LOB_API_KEY: `test_bench_apply_large_${name.replace(/\W/g, "_")}`,
    };
    const load = loadAverage();
    const args = ["apply", "--auto-approve", ...(send ? ["--allow-send"] : []), "."];
    const run = await runCli(args, { cwd: dir, env, measureRss: true });
    log(`[${name}] exit ${run.code} in ${fmtMs(run.ms)}, peak RSS ${run.peakRssMb?.toFixed(1)} MB`);
    if (run.code !== 0) throw new Error(`[${name}] apply exited ${run.code}:\n${run.stderr.slice(-2000)}`);
    if (send && !/pieces validated/.test(run.stderr)) {
      throw new Error(`[${name}] the apply did not report a validated send:\n${run.stderr.slice(-2000)}`);
    }
    const phases = splitPhases(run);
    const peakMb = run.peakRssMb ?? Math.max(...run.samples.map((s) => s.rssMb));
    return { name, load, ms: run.ms, peakMb, phases, pass: peakMb <= budgetMb };
  } finally {
    removeTempDir(dir);
  }
}

/**
 * Phases end at the CLI's progress lines: the plan on stdout (load + preflight + observe + plan),
 * then each "  key: <step> ✓" and processing line on stderr. Each phase gets the highest VmRSS
 * sampled in it.
 */
function splitPhases(run) {
  const marks = [];
  const firstOut = run.lines.find((l) => l.stream === "stdout");
  if (firstOut) marks.push({ at: firstOut.at, label: "load manifest + preflight + plan" });
  for (const l of run.lines) {
    if (l.stream !== "stderr") continue;
    const step = /^\s+[\w-]+: (.+?)(?: (?:cmp|crv|upl)_\w+)?(?: \(.*\))? ✓$/.exec(l.line);
    if (step) marks.push({ at: l.at, label: step[1] });
    else if (/validating the audience/.test(l.line))
      marks.push({ at: l.at, label: `until "${l.line.trim().replace(/^[\w-]+: /, "")}"` });
    else if (/pieces validated/.test(l.line)) marks.push({ at: l.at, label: "wait for validation" });
  }
  marks.push({ at: run.ms, label: "exit" });
  const phases = [];
  let from = 0;
  for (const mark of marks.sort((a, b) => a.at - b.at)) {
    const inside = run.samples.filter((s) => s.at > from && s.at <= mark.at);
    phases.push({
      label: mark.label,
      fromMs: from,
      toMs: mark.at,
      peakMb: inside.length > 0 ? Math.max(...inside.map((s) => s.rssMb)) : undefined,
    });
    from = mark.at;
  }
  return phases;
}

function printSummary() {
  const out = [
    "",
    `Apply of a ${rows.toLocaleString("en-US")}-row audience (${fmtMb(csvBytes / 2 ** 20)} CSV)`,
  ];
  out.push(`budget: CLI peak RSS <= ${budgetMb} MB; load average at end: ${loadAverage()}`);
  for (const r of results) {
    out.push("");
    out.push(
      `[${r.name}] ${r.pass ? "PASS" : "FAIL"}  peak RSS ${fmtMb(r.peakMb)} (budget ${budgetMb} MB), wall ${fmtMs(r.ms)}, load ${r.load}`,
    );
    for (const p of r.phases) {
      out.push(
        `  ${fmtMs(p.fromMs).padStart(9)} - ${fmtMs(p.toMs).padEnd(9)} ${(p.peakMb === undefined ? "-" : fmtMb(p.peakMb)).padStart(9)}  ${p.label}`,
      );
    }
  }
  if (failed) out.push("\nFAIL: the benchmark did not complete (see ERROR above)");
  process.stdout.write(`${out.join("\n")}\n`);
}
