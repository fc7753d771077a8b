// Runs a node entry script in this process and reports the process's peak RSS when it exits:
//   node bench/lib/rss-wrapper.mjs dist/bin.js apply ...
// The entry sees argv as if it had been started directly. The report is one stderr line,
// `__BENCH_MAXRSS_KB=<n>`, read by bench/lib/harness.mjs (getrusage ru_maxrss, in kB on Linux).
import { writeSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  process.stderr.write("usage: node rss-wrapper.mjs ENTRY [ARGS...]\n");
  process.exit(2);
}
process.argv = [process.argv[0], resolve(entry), ...args];
process.on("exit", () => {
  writeSync(2, `__BENCH_MAXRSS_KB=${process.resourceUsage().maxRSS}\n`);
});
await import(pathToFileURL(resolve(entry)).href);
