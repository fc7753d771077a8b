import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { CliContext } from "../../src/cli/context.js";
import { stderrReporter } from "../../src/cli/reporter.js";

function capture(interactive: boolean) {
  const stderr = new PassThrough();
  let text = "";
  stderr.on("data", (c: Buffer) => (text += c.toString()));
  const ctx = { stderr, interactive, color: false } as unknown as CliContext;
  return { report: stderrReporter(ctx), text: () => text };
}

describe("stderrReporter", () => {
  it("draws an upload progress bar on a terminal, redrawing one line", async () => {
    const { report, text } = capture(true);
    report({ type: "upload_progress", code: "upload_progress", key: "k", sentBytes: 0, totalBytes: 200 });
    report({ type: "upload_progress", code: "upload_progress", key: "k", sentBytes: 100, totalBytes: 200 });
    report({ type: "upload_progress", code: "upload_progress", key: "k", sentBytes: 200, totalBytes: 200 });
    await new Promise((r) => setImmediate(r));
    expect(text()).toContain(`\r  k: uploading [${"#".repeat(15)}${" ".repeat(15)}] 50%`);
    expect(text()).toContain(`\r  k: uploading [${"#".repeat(30)}] 100%\n`);
  });

  it("prints no progress bar in a log, and a processing line only when the state changes", async () => {
    const { report, text } = capture(false);
    report({ type: "upload_progress", code: "upload_progress", key: "k", sentBytes: 100, totalBytes: 200 });
    for (const done of [10, 20, 30]) {
      report({
        type: "processing",
        code: "processing",
        key: "k",
        state: "Validating",
        validated: done,
        failed: 0,
        total: done,
      });
    }
    await new Promise((r) => setImmediate(r));
    expect(text()).not.toContain("uploading");
    expect(text().match(/Lob is validating the audience: Validating/g)).toHaveLength(1);
  });
});
