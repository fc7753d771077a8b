// Proofs per run: N postcard proofs (default 100) rendered by one `campaignctl proof` run's
// pipeline (merge, page per proof, layout checks, PNG), timed per proof, against a baseline
// measured in the same browser in the same run: the bare page render (new page, viewport, the
// same HTML set as content, screenshot, close) with none of our work. The browser's start-up is
// timed apart (paid once per run).
// Run after `npm run build`:  node bench/proof.mjs [--proofs 100]
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const { values } = parseArgs({ options: { proofs: { type: "string", default: "100" } } });
const N = Number(values.proofs);
const BUDGET = 2; // our time per proof ≤ 2× the bare render

const { loadManifests } = await import(`${ROOT}dist/manifest/index.js`);
const { runProofs } = await import(`${ROOT}dist/proof/run.js`);
const { browserLauncher } = await import(`${ROOT}dist/proof/browser.js`);

const dir = mkdtempSync(join(tmpdir(), "campaignctl-bench-proof-"));
try {
  const example = join(ROOT, "examples", "postcard");
  cpSync(join(example, "front.html"), join(dir, "front.html"));
  const [header, ...rows] = readFileSync(join(example, "audience.csv"), "utf8").trim().split("\n");
  const valid = rows.filter((r) => !/^C-10(10|12),/.test(r)); // rows 10 and 12 fail Lob's rules
  const lines = [header];
  for (let i = 0; i < N; i++) lines.push(valid[i % valid.length].replace(/^C-\d+/, `C-${2000 + i}`));
  writeFileSync(join(dir, "audience.csv"), `${lines.join("\n")}\n`);
  writeFileSync(
    join(dir, "campaign.yaml"),
    readFileSync(join(example, "campaign.yaml"), "utf8").replace(/^# yaml-language-server.*\n/, ""),
  );
  const loaded = await loadManifests([join(dir, "campaign.yaml")], { cwd: dir, env: {}, preflight: false });

  const launch = browserLauncher(process.env);
  let launchMs = 0;
  const timedLaunch = async () => {
    const t = performance.now();
    const browser = await launch();
    launchMs = performance.now() - t;
    return browser;
  };
  const t0 = performance.now();
  const outcome = await runProofs({
    manifests: loaded.manifests,
    rows: { sample: N },
    outDir: join(dir, "out"),
    formats: ["png"],
    guides: false,
    redact: true,
    shown: (f) => f,
    launch: timedLaunch,
  });
  const runMs = performance.now() - t0;
  if (outcome.proofs.length !== N) throw new Error(`rendered ${outcome.proofs.length} proofs, expected ${N}`);
  const ours = (runMs - launchMs) / N;

  // Baseline: the same HTML, bare, in one browser.
  const browser = await launch();
  const html = readFileSync(join(dir, "front.html"), "utf8");
  const t1 = performance.now();
  for (let i = 0; i < N; i++) {
    const page = await browser.newPage();
    await page.setViewport({ width: 600, height: 408, deviceScaleFactor: 300 / 96 });
    await page.setContent(html, { waitUntil: "load" });
    const png = await page.screenshot({ type: "png", clip: { x: 0, y: 0, width: 600, height: 408 } });
    writeFileSync(join(dir, `bare-${i}.png`), png);
    await page.close();
  }
  const bare = (performance.now() - t1) / N;
  await browser.close();

  console.log(`proofs: ${N} in one run, browser start ${launchMs.toFixed(0)} ms (once)`);
  console.log(`per proof: ours ${ours.toFixed(1)} ms, bare page render ${bare.toFixed(1)} ms`);
  const ratio = ours / bare;
  console.log(
    `ratio ours/bare: ${ratio.toFixed(2)} (budget ${BUDGET}): ${ratio <= BUDGET ? "PASS" : "FAIL"}`,
  );
  if (ratio > BUDGET) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
