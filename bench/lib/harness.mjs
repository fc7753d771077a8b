// Shared helpers for the CLI benchmarks: an emulator in a child process, temp workspaces built
// from examples/postcard, timed CLI runs (with peak RSS), and cleanup that also runs on errors
// and Ctrl-C. Bench scripts import the built CLI from dist/ (run `npm run build` first).
/* global fetch */
import { Buffer } from "node:buffer";
import { spawn } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { clearInterval, setInterval } from "node:timers";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const RSS_WRAPPER = fileURLToPath(new URL("./rss-wrapper.mjs", import.meta.url));
const EXAMPLE = join(ROOT, "examples", "postcard");
/** The CLI entry every run uses: a private snapshot of dist/ once assertBuilt() has made one. */
let bin = join(ROOT, "dist", "bin.js");

/**
 * Checks dist/ exists and copies it (with package.json, schemas/ and data/) to bench/.data/cli-<pid>/, so
 * a rebuild by someone else during a long benchmark cannot swap modules under a running CLI.
 * node_modules is a symlink there, so bare imports resolve as they do from dist/.
 */
export function assertBuilt() {
  const dist = join(ROOT, "dist");
  if (!existsSync(join(dist, "bin.js"))) throw new Error("dist/bin.js is missing: run `npm run build` first");
  const snapshot = join(ROOT, "bench", ".data", `cli-${process.pid}`);
  tempDirs.add(snapshot);
  for (let attempt = 0; ; attempt++) {
    rmSync(snapshot, { recursive: true, force: true });
    mkdirSync(snapshot, { recursive: true });
    const before = newestMtime(dist);
    if (Date.now() - before < 3000 && attempt < 10) {
      // A build is probably writing dist/ right now: let it finish.
      sleepSync(3000);
      continue;
    }
    cpSync(dist, join(snapshot, "dist"), { recursive: true });
    if (newestMtime(dist) !== before && attempt < 10) continue;
    break;
  }
  cpSync(join(ROOT, "package.json"), join(snapshot, "package.json"));
  cpSync(join(ROOT, "schemas"), join(snapshot, "schemas"), { recursive: true });
  // The price table ships beside dist/ (package.json "files"); plan and apply read it.
  cpSync(join(ROOT, "data"), join(snapshot, "data"), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(snapshot, "node_modules"), "dir");
  bin = join(snapshot, "dist", "bin.js");
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true })) {
    newest = Math.max(newest, statSync(join(dir, entry)).mtimeMs);
  }
  return newest;
}

function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// ---------------------------------------------------------------------------------------------
// Cleanup: every child and temp dir is registered here and removed on exit, error or signal.

const children = new Set();
const tempDirs = new Set();

export function cleanup() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  }
  children.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}
process.once("exit", cleanup);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    cleanup();
    process.exit(signal === "SIGINT" ? 130 : 143);
  });
}

export function makeTempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

// ---------------------------------------------------------------------------------------------
// Machine facts.

export function loadAverage() {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Emulator in a child process, so its CPU never shares the benchmark's event loop.

/**
 * Starts `node dist/bin.js emulator --port 0 ...args`. Returns its API url (.../v1), its pid,
 * and `admin(method, path, body)` for the /_emulator control routes.
 */
export async function startEmulatorChild(args = []) {
  const child = spawn(process.execPath, [bin, "emulator", "--port", "0", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "ignore"],
  });
  children.add(child);
  const url = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`emulator exited early (${code})`)));
  });
  const origin = new URL(url).origin;
  async function admin(method, path, body) {
    const res = await fetch(`${origin}/_emulator${path}`, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} /_emulator${path} -> ${res.status}: ${text.slice(0, 200)}`);
    return text ? JSON.parse(text) : undefined;
  }
  return {
    url,
    origin,
    pid: child.pid,
    admin,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
      children.delete(child);
    },
  };
}

/** A fetch-based Lob caller for setup and baselines (HTTP Basic, key as username). */
export function lobCaller(url, apiKey) {
  const auth = `Basic ${Buffer.from(`${apiKey}:`).toString("base64")}`;
  return async function call(method, path, body) {
    const res = await fetch(path.startsWith("http") ? path : `${url}${path}`, {
      method,
      headers: {
        Authorization: auth,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path} -> ${res.status}: ${text.slice(0, 200)}`);
    return text ? JSON.parse(text) : undefined;
  };
}

/** Runs `tasks` (async thunks) with at most `limit` in flight; resolves to their results in order. */
export async function runLimited(tasks, limit) {
  const results = new Array(tasks.length);
  let next = 0;
  async function worker() {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** Request log summary: count per endpoint, 429s, and the span from first to last response. */
export function summarizeRequests(log) {
  const perEndpoint = {};
  let throttled = 0;
  for (const entry of log) {
    perEndpoint[entry.endpoint] = (perEndpoint[entry.endpoint] ?? 0) + 1;
    if (entry.status === 429) throttled += 1;
  }
  const times = log.map((e) => Date.parse(e.at));
  const spanMs = times.length > 1 ? Math.max(...times) - Math.min(...times) : 0;
  return { total: log.length, perEndpoint, throttled, spanMs };
}

/**
 * The least wall time a limit of `requests` per `windowMs` per endpoint allows for this request
 * mix: the first `requests` on an endpoint may go at once, each further batch waits a window.
 */
export function rateLimitMinimumMs(perEndpoint, limit = { requests: 150, windowMs: 5000 }) {
  let worst = 0;
  for (const n of Object.values(perEndpoint)) {
    if (n > 0) worst = Math.max(worst, Math.floor((n - 1) / limit.requests) * limit.windowMs);
  }
  return worst;
}

// ---------------------------------------------------------------------------------------------
// Workspaces built from examples/postcard (like test/support/workspace.ts).

export function postcardManifest() {
  return readFileSync(join(EXAMPLE, "campaign.yaml"), "utf8").replace(/^# yaml-language-server.*\n/, "");
}

/** A temp dir with the example's artwork and audience, and one manifest per key. */
export function makePostcardWorkspace(keys, edit = (yaml) => yaml) {
  const dir = makeTempDir("campaignctl-bench-");
  cpSync(join(EXAMPLE, "front.html"), join(dir, "front.html"));
  cpSync(join(EXAMPLE, "audience.csv"), join(dir, "audience.csv"));
  const base = postcardManifest();
  for (const key of keys) {
    const yaml = edit(
      base.replace("key: spring-promo", `key: ${key}`).replace("name: Spring Promo 2026", `name: ${key}`),
      key,
    );
    writeFileSync(join(dir, `${key}.yaml`), yaml);
  }
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Timed CLI runs.

/**
 * Runs `node dist/bin.js ...args` in `cwd`. With `measureRss`, runs it through rss-wrapper.mjs
 * (which reports the process's own peak RSS on exit) and samples VmRSS from /proc every
 * `sampleMs`, tagging each output line with its time so peaks can be attributed to phases.
 */
export async function runCli(args, { cwd, env, measureRss = false, sampleMs = 50 }) {
  const argv = measureRss ? [RSS_WRAPPER, bin, ...args] : [bin, ...args];
  const started = performance.now();
  const child = spawn(process.execPath, argv, {
    cwd,
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let stdout = "";
  let stderr = "";
  const lines = [];
  const samples = [];
  const tag = (stream) => (chunk) => {
    const at = performance.now() - started;
    const text = chunk.toString();
    if (stream === "stdout") stdout += text;
    else stderr += text;
    for (const line of text.split("\n")) if (line.trim()) lines.push({ at, stream, line });
  };
  child.stdout.on("data", tag("stdout"));
  child.stderr.on("data", tag("stderr"));
  let timer;
  if (measureRss) {
    timer = setInterval(() => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
        const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]);
        if (Number.isFinite(kb)) samples.push({ at: performance.now() - started, rssMb: kb / 1024 });
      } catch {
        // The process is gone between the check and the read.
      }
    }, sampleMs);
  }
  const code = await new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (c, signal) => resolve(c ?? (signal ? 128 : 1)));
  });
  if (timer) clearInterval(timer);
  children.delete(child);
  const ms = performance.now() - started;
  const maxRss = /__BENCH_MAXRSS_KB=(\d+)/.exec(stderr);
  return {
    code,
    ms,
    stdout,
    stderr: stderr.replace(/__BENCH_MAXRSS_KB=\d+\n?/, ""),
    lines: lines.filter((l) => !l.line.startsWith("__BENCH_MAXRSS_KB=")),
    samples,
    peakRssMb: maxRss ? Number(maxRss[1]) / 1024 : undefined,
  };
}

export const fmtMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
export const fmtMb = (mb) => `${mb.toFixed(1)} MB`;
