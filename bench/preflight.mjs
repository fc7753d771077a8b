// Audience preflight benchmark: our one-pass preflight vs papaparse merely parsing the same file.
//   npm run build && node bench/preflight.mjs [--rows 1000000] [--scale 10] [--runs 3] [--no-scale]
// Each contender runs in its own `node` child so its peak RSS (maxRSS) is measured in isolation.
// Then ours runs once more on rows*scale rows to show that memory stays flat.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ADDRESS_MAPPINGS } from "./lib/audience-columns.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const self = fileURLToPath(import.meta.url);

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    scale: { type: "string", default: "10" },
    runs: { type: "string", default: "3" },
    "no-scale": { type: "boolean", default: false },
    child: { type: "string" },
    file: { type: "string" },
  },
});

const MAPPING = {
  ...ADDRESS_MAPPINGS,
  mergeVariableColumnMapping: { first_name: "first_name", gift_code: "gift_code" },
  metadata: { columns: ["email"] },
};

async function runChild(kind, file) {
  const started = process.hrtime.bigint();
  let summary;
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
      MAPPING,
      (row) => {
        cells += row.fields.length;
      },
    );
    summary = { rows: result.totalRows, failing: result.failedRows, cells };
  } else {
    const { preflightAudience } = await import("../dist/audience/index.js");
    const report = await preflightAudience({ file, mapping: MAPPING });
    summary = {
      rows: report.totalRows,
      failing: report.failingRows,
      duplicates: report.duplicates.count,
      duplicatesChecked: report.duplicates.checkedRows,
      groups: report.failures.length,
      errors: report.diagnostics.filter((d) => d.severity === "error").length,
    };
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const usage = process.resourceUsage();
  const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
  const maxRssMb = usage.maxRSS / 1024;
  process.stdout.write(JSON.stringify({ kind, ms, cpuMs, maxRssMb, ...summary }) + "\n");
}

function ensureData(rows) {
  const file = `${here}.data/audience-${rows}.csv`;
  if (!existsSync(file)) {
    execFileSync(process.execPath, [`${here}gen-audience.mjs`, "--rows", String(rows), "--out", file], {
      stdio: "inherit",
    });
  }
  return file;
}

function measure(kind, file) {
  const res = spawnSync(process.execPath, [self, "--child", kind, "--file", file], { encoding: "utf8" });
  if (res.status !== 0) throw new Error(`${kind} child failed: ${res.stderr}`);
  return JSON.parse(res.stdout.trim().split("\n").pop());
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n) => n.toFixed(0);

async function main() {
  if (values.child) return runChild(values.child, values.file);
  if (!existsSync(new URL("../dist/audience/index.js", import.meta.url))) {
    throw new Error("dist/ is missing: run `npm run build` first");
  }
  const rows = Number(values.rows);
  const runs = Number(values.runs);
  const file = ensureData(rows);
  const mb = statSync(file).size / 1e6;
  console.log(
    `audience: ${rows} rows, ${mb.toFixed(1)} MB, node ${process.version}, ${runs} alternating runs`,
  );
  const papa = [];
  const ours = [];
  for (let i = 0; i < runs; i++) {
    papa.push(measure("papaparse", file));
    ours.push(measure("ours", file));
  }
  const pMs = median(papa.map((r) => r.ms));
  const oMs = median(ours.map((r) => r.ms));
  const pCpu = median(papa.map((r) => r.cpuMs));
  const oCpu = median(ours.map((r) => r.cpuMs));
  const last = ours[ours.length - 1];
  console.log(
    `papaparse parse only : ${fmt(pMs)} ms wall, ${fmt(pCpu)} ms CPU (medians), peak RSS ${fmt(median(papa.map((r) => r.maxRssMb)))} MB, rows ${papa[0].rows}`,
  );
  console.log(
    `preflightAudience    : ${fmt(oMs)} ms wall, ${fmt(oCpu)} ms CPU (medians), peak RSS ${fmt(median(ours.map((r) => r.maxRssMb)))} MB`,
  );
  console.log(
    `  report: ${last.rows} rows, ${last.failing} failing, ${last.groups} failure groups, ${last.duplicates} duplicates (checked ${last.duplicatesChecked})`,
  );
  console.log(
    `ratio ours/papaparse : ${(oMs / pMs).toFixed(2)} wall, ${(oCpu / pCpu).toFixed(2)} CPU (target <= 1.0)`,
  );
  const rowsRun = measure("rows", file);
  console.log(
    `validateAudienceRows : ${fmt(rowsRun.ms)} ms wall, ${fmt(rowsRun.cpuMs)} ms CPU, peak RSS ${fmt(rowsRun.maxRssMb)} MB (every row's cells materialised, as the emulator needs)`,
  );
  if (!values["no-scale"]) {
    const bigRows = rows * Number(values.scale);
    const bigFile = ensureData(bigRows);
    const big = measure("ours", bigFile);
    console.log(
      `preflightAudience x${values.scale}: ${bigRows} rows, ${(statSync(bigFile).size / 1e6).toFixed(0)} MB, ${fmt(big.ms)} ms wall, ${fmt(big.cpuMs)} ms CPU, peak RSS ${fmt(big.maxRssMb)} MB, duplicates checked for ${big.duplicatesChecked} rows`,
    );
  }
}

await main();
