// Throughput/memory benchmark of the emulator: a 1,000,000-row audience is accepted (streamed
// multipart), validated after send and reported, while the emulator's peak RSS stays <= 200 MB.
//   npm run build && node bench/emulator-upload.mjs [--rows 1000000] [--budget-mb 200] [--processing-rate N] [--repeat 3]
// After validation it times report pages (first, last, deep in Failed; each read --repeat times,
// median) and an "all" export, which re-read the per-row results file.
// The emulator runs in a child process (`node dist/bin.js emulator`); its peak RSS is VmHWM from
// /proc/<pid>/status (Linux). The audience comes from bench/gen-audience.mjs (generated if missing).
/* global fetch, FormData */
import { Buffer } from "node:buffer";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, openAsBlob, readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { ADDRESS_MAPPINGS } from "./lib/audience-columns.mjs";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    "budget-mb": { type: "string", default: "200" },
    "processing-rate": { type: "string" },
    repeat: { type: "string", default: "3" },
  },
});
const rows = Number(values.rows);
const budgetMb = Number(values["budget-mb"]);
const root = fileURLToPath(new URL("..", import.meta.url));
const csvPath = fileURLToPath(new URL(`./.data/audience-${rows}.csv`, import.meta.url));
const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
if (!existsSync(bin)) throw new Error("dist/bin.js is missing: run `npm run build` first");

if (!existsSync(csvPath)) {
  const gen = spawnSync(
    process.execPath,
    [fileURLToPath(new URL("./gen-audience.mjs", import.meta.url)), "--rows", String(rows), "--out", csvPath],
    {
      stdio: "inherit",
    },
  );
  if (gen.status !== 0) throw new Error("could not generate the audience");
}
const csvBytes = statSync(csvPath).size;

const rate = values["processing-rate"] === undefined ? [] : ["--processing-rate", values["processing-rate"]];
const child = spawn(process.execPath, [bin, "emulator", "--port", "0", "--no-rate-limit", ...rate], {
  cwd: root,
  stdio: ["ignore", "pipe", "ignore"],
});
const url = await new Promise((resolve, reject) => {
  let out = "";
  child.stdout.on("data", (chunk) => {
    out += chunk;
    const match = /listening on (http:\/\/\S+)/.exec(out);
    if (match) resolve(match[1]);
  });
  child.once("exit", (code) => reject(new Error(`emulator exited early (${code})`)));
});

function peakRssMb() {
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

const auth = `Basic ${Buffer.from("test_bench_emulator:").toString("base64")}`;
async function call(method, path, body, form) {
  const headers = { Authorization: auth };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path.startsWith("http") ? path : `${url}${path}`, {
    method,
    headers,
    body: form ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} -> ${res.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

const t0 = performance.now();
try {
  const campaign = await call("POST", "/campaigns", {
    name: "bench",
    schedule_type: "immediate",
    use_type: "marketing",
  });
  await call("POST", "/creatives", {
    campaign_id: campaign.id,
    resource_type: "postcard",
    front: "tmpl_benchfront",
    back: "tmpl_benchback",
    details: {},
  });
  const upload = await call("POST", "/uploads", {
    campaignId: campaign.id,
    ...ADDRESS_MAPPINGS,
    mergeVariableColumnMapping: null,
    metadata: { columns: [] },
  });
  const form = new FormData();
  form.append("file", await openAsBlob(csvPath), "audience.csv");
  const tUpload = performance.now();
  await call("POST", `/uploads/${upload.id}/file`, undefined, form);
  const uploadMs = performance.now() - tUpload;

  const tSend = performance.now();
  await call("POST", `/campaigns/${campaign.id}/send`);
  let state;
  let maxPollMs = 0;
  for (;;) {
    const tPoll = performance.now();
    state = await call("GET", `/uploads/${upload.id}`);
    maxPollMs = Math.max(maxPollMs, performance.now() - tPoll);
    if (["Scheduled", "Errored", "Cancelled"].includes(state.state)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const processMs = performance.now() - tSend;
  if (state.state !== "Scheduled") throw new Error(`upload ended ${state.state}`);

  const tReport = performance.now();
  const firstPage = await call("GET", `/uploads/${upload.id}/report?limit=100`);
  const failedPage = await call("GET", `/uploads/${upload.id}/report?status=Failed&limit=100`);
  const lastPage = await call(
    "GET",
    `/uploads/${upload.id}/report?limit=100&offset=${state.totalMailpieces - 100}`,
  );
  const reportMs = performance.now() - tReport;
  if (
    firstPage.total_count !== state.totalMailpieces ||
    lastPage.data.at(-1)?.rowNumber !== state.totalMailpieces
  ) {
    throw new Error("report does not cover every row");
  }
  // Each page alone, repeated, median: the deep ones used to re-read the results file from the top.
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const timePage = async (query) => {
    const times = [];
    let page;
    for (let i = 0; i < Number(values.repeat); i++) {
      const t = performance.now();
      page = await call("GET", `/uploads/${upload.id}/report?${query}`);
      times.push(performance.now() - t);
    }
    return { ms: Math.round(median(times)), rows: page.data.length };
  };
  const pages = {
    first: await timePage("limit=100"),
    last: await timePage(`limit=100&offset=${state.totalMailpieces - 100}`),
    failedDeep: await timePage(`status=Failed&limit=100&offset=${Math.max(0, state.failedMailpieces - 100)}`),
    validatedMiddle: await timePage(
      `status=Validated&limit=100&offset=${Math.floor(state.validatedMailpieces / 2)}`,
    ),
  };
  const tExport = performance.now();
  const ex = await call("POST", `/uploads/${upload.id}/exports`, { type: "all" });
  for (;;) {
    const e = await call("GET", `/uploads/${upload.id}/exports/${ex.exportId}`);
    if (e.state === "succeeded") break;
    if (e.state === "failed") throw new Error("export failed");
    await new Promise((r) => setTimeout(r, 50));
  }
  const exportMs = performance.now() - tExport;
  const peak = peakRssMb();
  const result = {
    rows: state.totalMailpieces,
    csvMB: +(csvBytes / 1e6).toFixed(1),
    validated: state.validatedMailpieces,
    failed: state.failedMailpieces,
    failedPageCount: failedPage.count,
    uploadSeconds: +(uploadMs / 1000).toFixed(2),
    sendToScheduledSeconds: +(processMs / 1000).toFixed(2),
    reportPagesMs: Math.round(reportMs),
    reportPageMedianMs: Object.fromEntries(Object.entries(pages).map(([k, v]) => [k, v.ms])),
    exportAllSeconds: +(exportMs / 1000).toFixed(2),
    slowestPollMs: Math.round(maxPollMs),
    totalSeconds: +((performance.now() - t0) / 1000).toFixed(2),
    emulatorPeakRssMB: +peak.toFixed(1),
    budgetMB: budgetMb,
    pass: peak <= budgetMb,
  };
  console.log(JSON.stringify(result, null, 2));
  if (!result.pass) process.exitCode = 1;
} finally {
  child.kill("SIGTERM");
}
