// Runs every benchmark in bench/ one after another and prints one table of their verdicts.
//   npm run bench                     quick sizes (about two minutes; smoke-checks every bench)
//   npm run bench -- --full           each bench's own defaults: the sizes BENCHMARKS.md records
//   npm run bench -- --only preflight,plan-noop
// Run after `npm run build`. Each bench runs in its own `node` process; its output streams to
// stderr as it runs, and the table goes to stdout. Exits 1 when any bench fails or misses its
// budget. Quick sizes show that every bench works and roughly where it stands; only --full
// numbers belong in BENCHMARKS.md.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** The lines of a bench's stdout that carry its verdict (budget lines, PASS/FAIL/OK lines). */
const verdictLines = (pattern) => (stdout) =>
  stdout
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => pattern.test(line));

/** emulator-upload prints one JSON object. */
function emulatorVerdict(stdout) {
  const start = stdout.indexOf("{");
  if (start === -1) return [];
  try {
    const r = JSON.parse(stdout.slice(start));
    return [
      `${r.rows} rows: send→scheduled ${r.sendToScheduledSeconds} s, peak RSS ${r.emulatorPeakRssMB} MB (budget ${r.budgetMB} MB)`,
    ];
  } catch {
    return [];
  }
}

/** Every bench, with the arguments of a quick run; a full run passes none (the bench's defaults). */
const BENCHES = [
  {
    name: "validate-startup",
    quick: ["7"],
    verdict: verdictLines(/^ratio:/),
  },
  {
    name: "preflight",
    quick: ["--rows", "100000", "--runs", "1", "--no-scale"],
    verdict: verdictLines(/^ratio ours\/papaparse|^preflightAudience x/),
  },
  {
    name: "lob-client",
    quick: [],
    verdict: verdictLines(/\b(OK|FAIL)$/),
  },
  {
    name: "emulator-upload",
    quick: ["--rows", "100000"],
    verdict: emulatorVerdict,
  },
  {
    name: "apply-large",
    quick: ["--rows", "100000"],
    verdict: verdictLines(/^\[[^\]]+\] (PASS|FAIL)\b|^FAIL:/),
  },
  {
    name: "plan-noop",
    // Quick: the no-op scenario only; the rate-limited scenarios need thousands of campaigns (--full).
    quick: ["--campaigns", "100", "--others", "0", "--runs", "1"],
    verdict: verdictLines(/^\[[^\]]+\] (PASS|FAIL)\b|^fewest requests|^ratio A.*: (PASS|FAIL)\)|^FAIL:/),
  },
  {
    name: "plan-repeat",
    // Quick: two rounds of one plan each, 200 campaigns (two list pages, so a request phase to
    // measure); the flatness target needs the full sizes (--full).
    quick: ["--campaigns", "200", "--rounds", "2", "--plans", "1", "--growth", "500"],
    verdict: verdictLines(/^ratio last\/first|^FAIL:/),
  },
  {
    name: "apply-many",
    // Quick: 200 campaigns (the fewest with a rate-limit floor above zero: 5 s); full: 1,000.
    quick: ["--campaigns", "200"],
    verdict: verdictLines(/^\[[^\]]+\] (PASS|FAIL|SKIP)\b|^ {2}ratio |^ {2}peak RSS|^FAIL:/),
  },
  {
    name: "state-write",
    quick: ["--sizes", "10,1000,10000", "--steps", "90", "--rounds", "3"],
    verdict: verdictLines(/^ratio step cost|^FAIL:/),
  },
];

function run(bench, args) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL(`./${bench.name}.mjs`, import.meta.url)), ...args],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let stdout = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      process.stderr.write(chunk);
    });
    child.once("error", (error) => resolve({ code: 1, stdout: `${stdout}\nFAIL: ${error.message}`, ms: 0 }));
    child.once("close", (code, signal) =>
      resolve({ code: code ?? (signal ? 128 : 1), stdout, ms: performance.now() - started }),
    );
  });
}

function table(rows) {
  const header = ["bench", "mode", "exit", "wall", "verdict"];
  const cells = rows.map((r) => [r.name, r.mode, String(r.code), r.wall, r.verdict]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...cells.map((c) => (c[i] ?? "").split("\n")[0].length)),
  );
  const line = (c) => c.map((cell, i) => (i === c.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ");
  const out = [line(header), line(widths.map((w) => "-".repeat(w)))];
  for (const c of cells) {
    const [first, ...more] = (c[4] ?? "").split("\n");
    out.push(line([...c.slice(0, 4), first ?? ""]));
    const indent = widths.slice(0, 4).reduce((sum, w) => sum + w + 2, 0);
    for (const extra of more) out.push(`${" ".repeat(indent)}${extra}`);
  }
  return out.join("\n");
}

async function main() {
  const { values } = parseArgs({
    options: { full: { type: "boolean", default: false }, only: { type: "string" } },
  });
  if (!existsSync(new URL("../dist/bin.js", import.meta.url))) {
    console.error("bench: dist/bin.js is missing; run `npm run build` first (npm ci runs it too)");
    process.exitCode = 1;
    return;
  }
  const wanted = values.only?.split(",").map((name) => name.trim());
  const unknown = (wanted ?? []).filter((name) => !BENCHES.some((b) => b.name === name));
  if (unknown.length > 0) {
    console.error(
      `bench: no bench named ${unknown.join(", ")} (have: ${BENCHES.map((b) => b.name).join(", ")})`,
    );
    process.exitCode = 1;
    return;
  }
  const mode = values.full ? "full" : "quick";
  const rows = [];
  for (const bench of BENCHES.filter((b) => !wanted || wanted.includes(b.name))) {
    const args = values.full ? [] : bench.quick;
    process.stderr.write(`\n=== ${bench.name} ${args.join(" ")}\n`);
    const result = await run(bench, args);
    const verdict = bench.verdict(result.stdout);
    rows.push({
      name: bench.name,
      mode,
      code: result.code,
      wall: `${(result.ms / 1000).toFixed(1)} s`,
      verdict:
        verdict.length > 0
          ? verdict.join("\n")
          : result.code === 0
            ? "(no verdict line)"
            : "FAILED (see output)",
    });
  }
  console.log(`\n${table(rows)}`);
  if (mode === "quick")
    console.log("\nquick sizes; `npm run bench -- --full` for the sizes BENCHMARKS.md records");
  process.exitCode = rows.some((r) => r.code !== 0) ? 1 : 0;
}

await main();
