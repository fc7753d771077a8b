// Throughput and memory targets of the Lob client (run after `npm run build`):
//   node bench/lob-client.mjs
// 1. A 300-request burst on one endpoint at Lob's 150 req / 5 s finishes in about one window
//    (150 at once, 150 after window + safety margin) and never exceeds the limit server-side.
// 2. uploadFile of a 1,000,000-row CSV keeps RSS growth far below the file size (streamed).
// LOB_DIST overrides where the built client lives (default ../dist/lob).
import { createServer } from "node:http";
import { performance } from "node:perf_hooks";
import { clearInterval, setInterval } from "node:timers";
import { mkdtemp, rm } from "node:fs/promises";
import { createWriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const dist = process.env.LOB_DIST ?? new URL("../dist/lob/", import.meta.url).pathname;
const { createLobClient } = await import(pathToFileURL(join(dist, "client.js")).href);
const KEY = "test_benchkey0000000000";

const arrivals = [];
let uploadedBytes = 0;
const server = createServer((req, res) => {
  arrivals.push(performance.now());
  req.on("data", (c) => (uploadedBytes += c.length));
  req.on("end", () => {
    res.writeHead(req.url.endsWith("/file") ? 202 : 200, { "content-type": "application/json" });
    res.end(
      req.url.endsWith("/file")
        ? '{"message":"File uploaded successfully","filename":"a.csv"}'
        : '{"id":"cmp_1"}',
    );
  });
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${server.address().port}/v1`;
let failed = false;

{
  const client = createLobClient({ apiKey: KEY, baseUrl: base });
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 300 }, () => client.getCampaign("cmp_1")));
  const ms = performance.now() - t0;
  const sorted = arrivals.slice().sort((a, b) => a - b);
  let worst = 0;
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j < sorted.length && sorted[j] - sorted[i] < 5000) j++;
    worst = Math.max(worst, j - i);
  }
  const ok = worst <= 150 && ms < 2 * 5000;
  failed ||= !ok;
  console.log(
    `burst 300 @150/5s: ${Math.round(ms)} ms, max ${worst} in any 5 s window ${ok ? "OK" : "FAIL"}`,
  );
}

{
  const dir = await mkdtemp(join(tmpdir(), "lob-bench-"));
  const path = join(dir, "audience.csv");
  const out = createWriteStream(path);
  out.write("name,address_line1,address_city,address_state,address_zip\n");
  for (let i = 0; i < 1_000_000; i++) {
    if (!out.write(`Person ${i},${i} Main Street,Springfield,IL,62701\n`))
      await new Promise((r) => out.once("drain", r));
  }
  await new Promise((r) => out.end(r));
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const client = createLobClient({ apiKey: KEY, baseUrl: base, rateLimit: false });
  let total = 0;
  const t0 = performance.now();
  await client.uploadFile("upl_1", { path, onProgress: (_s, t) => (total = t) });
  clearInterval(timer);
  const growthMb = (peak - before) / 1e6;
  const ok = growthMb < 64 && uploadedBytes > total;
  failed ||= !ok;
  console.log(
    `uploadFile ${(total / 1e6).toFixed(1)} MB in ${Math.round(performance.now() - t0)} ms, RSS growth ${growthMb.toFixed(1)} MB ${ok ? "OK" : "FAIL"}`,
  );
  await rm(dir, { recursive: true, force: true });
}

server.close();
process.exitCode = failed ? 1 : 0;
