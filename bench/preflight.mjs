// Audience preflight benchmark: the whole `campaignctl validate` process, and preflightAudience
// alone, against a papaparse process that merely parses the same file.
//   npm run build && node bench/preflight.mjs [--rows 1000000] [--runs 9] [--profiles a,b]
//                                             [--scale 10] [--scale-runs 3] [--no-scale] [--no-rows]
//                                             [--base DIR]
// With --base, `validate` of another checkout's build (DIR/dist/bin.js, e.g. the main branch)
// runs in the same interleaved rounds, for before/after numbers from one machine state.
// Profiles (bench/gen-audience.mjs): A = 11 columns, ~105 bytes/row, quoting, embedded newlines,
// ~2% failing rows, ~0.5% repeated recipients; B = a plain 8-column CRM export, ~68 bytes/row,
// every recipient distinct. Every contender runs alone in a child `node` process; runs are
// interleaved (contender order alternates from run to run) and medians are reported. Wall time
// is the child process from spawn to exit (node's own start included on both sides); CPU time and
// peak RSS are the child's getrusage at exit (all threads). Then `validate` runs on rows*scale rows
// to show that memory stays flat.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { writeSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ADDRESS_MAPPINGS, CRM_MAPPING } from "./lib/audience-columns.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = fileURLToPath(new URL("../", import.meta.url));
const self = fileURLToPath(import.meta.url);

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    runs: { type: "string", default: "9" },
    profiles: { type: "string", default: "a,b" },
    scale: { type: "string", default: "10" },
    "scale-runs": { type: "string", default: "3" },
    "no-scale": { type: "boolean", default: false },
    "no-rows": { type: "boolean", default: false },
    child: { type: "string" },
    file: { type: "string" },
    profile: { type: "string" },
    base: { type: "string" },
  },
});

const MAPPINGS = {
  a: {
    ...ADDRESS_MAPPINGS,
    mergeVariableColumnMapping: { first_name: "first_name", gift_code: "gift_code" },
    metadata: { columns: ["email"] },
  },
  b: CRM_MAPPING,
};

async function runChild(kind, file, profile) {
  const mapping = MAPPINGS[profile];
  let summary;
  if (kind === "validate" || kind === "base") {
    // The CLI in this process, as `campaignctl validate <manifest>` would run it.
    const bin = join(kind === "base" ? values.base : root, "dist", "bin.js");
    process.argv = [process.argv[0], bin, "validate", file];
    process.on("exit", () => report({ exitCode: process.exitCode ?? 0 }));
    await import(pathToFileURL(bin).href);
    return;
  }
  if (kind === "papaparse") {
    const { createReadStream } = await import("node:fs");
    const Papa = (await import("papaparse")).default;
    let rows = 0;
    await new Promise((resolve, reject) => {
      Papa.parse(createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 }), {
        skipEmptyLines: true,
        chunk: (results) => {
          rows += results.data.length;
        },
        complete: () => resolve(),
        error: reject,
      });
    });
    summary = { rows };
  } else if (kind === "rows") {
    // What the emulator does: every row's verdict and cells, streamed from disk.
    const { createReadStream } = await import("node:fs");
    const { validateAudienceRows } = await import("../dist/audience/index.js");
    let cells = 0;
    const result = await validateAudienceRows(
      createReadStream(file, { highWaterMark: 1 << 18 }),
      mapping,
      (row) => {
        cells += row.fields.length;
      },
    );
    summary = { rows: result.totalRows, failing: result.failedRows, cells };
  } else {
    const { preflightAudience } = await import("../dist/audience/index.js");
    const result = await preflightAudience({ file, mapping });
    summary = {
      rows: result.totalRows,
      failing: result.failingRows,
      duplicates: result.duplicates.count,
      duplicatesChecked: result.duplicates.checkedRows,
      groups: result.failures.length,
      errors: result.diagnostics.filter((d) => d.severity === "error").length,
    };
  }
  report(summary);
}

/**
 * CPU time of the process's main thread alone (Linux, 10 ms ticks; undefined elsewhere): the
 * parsing thread is the critical path, and unlike wall time this barely moves with the load.
 */
function mainThreadCpuMs() {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

function report(summary) {
  const usage = process.resourceUsage();
  const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
  const mainCpuMs = mainThreadCpuMs();
  writeSync(
    2,
    `__BENCH__${JSON.stringify({ cpuMs, mainCpuMs, maxRssMb: usage.maxRSS / 1024, ...summary })}\n`,
  );
}

function ensureData(profile, rows) {
  const name = profile === "a" ? `audience-${rows}.csv` : `audience-b-${rows}.csv`;
  const file = `${here}.data/${name}`;
  if (!existsSync(file)) {
    execFileSync(
      process.execPath,
      [`${here}gen-audience.mjs`, "--profile", profile, "--rows", String(rows), "--out", file],
      { stdio: "inherit" },
    );
  }
  return file;
}

/** A workspace with the postcard example's manifest, its audience replaced by `file` and `mapping`. */
function makeWorkspace(profile, rows, file) {
  const dir = `${here}.data/validate-${profile}-${rows}`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // Artwork using only the merge variable both profiles map.
  writeFileSync(join(dir, "front.html"), "<html><body><p>Hello {{first_name}}</p></body></html>\n");
  symlinkSync(file, join(dir, "audience.csv"));
  const example = readFileSync(join(root, "examples", "postcard", "campaign.yaml"), "utf8");
  const start = example.indexOf("\naudience:\n");
  const end = example.indexOf("\nsend:\n");
  if (start < 0 || end < 0) throw new Error("examples/postcard/campaign.yaml changed shape");
  const m = MAPPINGS[profile];
  // JSON is YAML's flow style, so the mapping goes in as it is.
  const audience = [
    "audience:",
    "  file: ./audience.csv",
    ...Object.entries(m).map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`),
  ].join("\n");
  const manifest = join(dir, "campaign.yaml");
  writeFileSync(manifest, `${example.slice(0, start + 1)}${audience}${example.slice(end)}`);
  return manifest;
}

function measure(kind, file, profile) {
  const started = process.hrtime.bigint();
  const base = values.base === undefined ? [] : ["--base", values.base];
  const res = spawnSync(
    process.execPath,
    [self, "--child", kind, "--file", file, "--profile", profile, ...base],
    {
      encoding: "utf8",
      maxBuffer: 64 << 20,
    },
  );
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const line = /__BENCH__(.*)/.exec(res.stderr ?? "");
  if (res.status !== 0 || !line) throw new Error(`${kind} child failed (${res.status}): ${res.stderr}`);
  return { kind, ms, ...JSON.parse(line[1]) };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const fmt = (n) => n.toFixed(0);
const load = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

function summarize(label, runs) {
  const ms = runs.map((r) => r.ms);
  return {
    label,
    wall: median(ms),
    cpu: median(runs.map((r) => r.cpuMs)),
    rss: median(runs.map((r) => r.maxRssMb)),
    mainCpu: median(runs.map((r) => r.mainCpuMs ?? NaN)),
    text: `${label.padEnd(22)}: ${fmt(median(ms))} ms wall (${fmt(Math.min(...ms))}-${fmt(Math.max(...ms))}), ${fmt(median(runs.map((r) => r.cpuMs)))} ms CPU (main thread ${fmt(median(runs.map((r) => r.mainCpuMs ?? NaN)))}), peak RSS ${fmt(median(runs.map((r) => r.maxRssMb)))} MB (max ${fmt(Math.max(...runs.map((r) => r.maxRssMb)))})`,
  };
}

async function main() {
  if (values.child) return runChild(values.child, values.file, values.profile);
  if (!existsSync(new URL("../dist/audience/index.js", import.meta.url))) {
    throw new Error("dist/ is missing: run `npm run build` first");
  }
  const rows = Number(values.rows);
  const runs = Number(values.runs);
  const profiles = values.profiles.split(",");
  const setups = profiles.map((profile) => {
    const file = ensureData(profile, rows);
    return { profile, file, manifest: makeWorkspace(profile, rows, file), results: {} };
  });
  console.log(`node ${process.version}, ${runs} interleaved runs, load average before: ${load()}`);
  const kinds = ["papaparse", "validate", "preflight", ...(values.base === undefined ? [] : ["base"])];
  for (let i = 0; i < runs; i++) {
    for (const setup of setups) {
      const order = i % 2 === 0 ? kinds : [...kinds].reverse();
      for (const kind of order) {
        const target = kind === "validate" || kind === "base" ? setup.manifest : setup.file;
        (setup.results[kind] ??= []).push(measure(kind, target, setup.profile));
      }
    }
  }
  console.log(`load average after: ${load()}`);
  for (const setup of setups) {
    const { profile, file, results } = setup;
    console.log(
      `\nprofile ${profile.toUpperCase()}: ${rows} rows, ${(statSync(file).size / 1e6).toFixed(1)} MB (${file})`,
    );
    const papa = summarize("papaparse parse only", results.papaparse);
    const validate = summarize("campaignctl validate", results.validate);
    const preflight = summarize("preflightAudience", results.preflight);
    for (const s of [papa, validate, preflight]) console.log(s.text);
    const last = results.preflight[results.preflight.length - 1];
    console.log(
      `  report: ${last.rows} rows, ${last.failing} failing, ${last.groups} failure groups, ${last.duplicates} duplicates (checked ${last.duplicatesChecked})`,
    );
    console.log(
      `ratio validate/papaparse : ${(validate.wall / papa.wall).toFixed(2)} wall, ${(validate.cpu / papa.cpu).toFixed(2)} CPU, ${(validate.mainCpu / papa.mainCpu).toFixed(2)} main-thread CPU (target <= 0.8 wall, stretch 0.5)`,
    );
    console.log(
      `ratio preflight/papaparse: ${(preflight.wall / papa.wall).toFixed(2)} wall, ${(preflight.cpu / papa.cpu).toFixed(2)} CPU`,
    );
    if (results.base) {
      const base = summarize("validate of --base", results.base);
      console.log(base.text);
      console.log(
        `ratio base/papaparse     : ${(base.wall / papa.wall).toFixed(2)} wall, ${(base.cpu / papa.cpu).toFixed(2)} CPU; validate/base ${(validate.wall / base.wall).toFixed(2)} wall, ${(validate.cpu / base.cpu).toFixed(2)} CPU, ${(validate.mainCpu / base.mainCpu).toFixed(2)} main-thread CPU`,
      );
    }
    if (!values["no-rows"]) {
      const r = measure("rows", file, profile);
      console.log(
        `validateAudienceRows    : ${fmt(r.ms)} ms wall, ${fmt(r.cpuMs)} ms CPU, peak RSS ${fmt(r.maxRssMb)} MB (one run; every row's cells materialised, as the emulator needs)`,
      );
    }
  }
  if (!values["no-scale"]) {
    const bigRows = rows * Number(values.scale);
    const scaleRuns = Number(values["scale-runs"]);
    for (const setup of setups) {
      const bigFile = ensureData(setup.profile, bigRows);
      const manifest = makeWorkspace(setup.profile, bigRows, bigFile);
      const big = [];
      for (let i = 0; i < scaleRuns; i++) big.push(measure("validate", manifest, setup.profile));
      const small = summarize("", setup.results.validate);
      const s = summarize(`validate x${values.scale}`, big);
      console.log(
        `\nprofile ${setup.profile.toUpperCase()} x${values.scale}: ${bigRows} rows, ${(statSync(bigFile).size / 1e6).toFixed(0)} MB, ${scaleRuns} runs, load ${load()}`,
      );
      console.log(s.text);
      console.log(`peak RSS ${fmt(small.rss)} MB at ${rows} rows -> ${fmt(s.rss)} MB at ${bigRows} rows`);
    }
  }
}

await main();
