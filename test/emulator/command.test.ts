import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.js";
import { emulatorOptionsFromFlags } from "../../src/cli/commands/emulator.js";
import { authHeader } from "./helpers.js";

describe("campaignctl emulator flags", () => {
  it("maps every flag to an option", () => {
    expect(
      emulatorOptionsFromFlags({
        port: "0",
        host: "127.0.0.1",
        data: "/tmp/x",
        latency: "25",
        "processing-rate": "500",
        "rate-limit": "10/1000",
        "fault-rate": "0.1",
        "fault-seed": "7",
        "fault-kinds": "500,commit_then_drop",
        "cancel-window-minutes": "5",
      }),
    ).toEqual({
      port: 0,
      host: "127.0.0.1",
      dataDir: "/tmp/x",
      latencyMs: 25,
      processingRowsPerSecond: 500,
      rateLimit: { requests: 10, windowMs: 1000 },
      faults: { rate: 0.1, seed: 7, kinds: ["500", "commit_then_drop"] },
      defaultCancelWindowMinutes: 5,
    });
    expect(emulatorOptionsFromFlags({ "no-rate-limit": true }).rateLimit).toBe(false);
  });

  it("refuses bad values with a usage error", () => {
    for (const values of [
      { port: "abc" },
      { port: "99999" },
      { "rate-limit": "150" },
      { "rate-limit": "1/1", "no-rate-limit": true },
      { "fault-rate": "2" },
      { "fault-rate": "0.5", "fault-kinds": "explode" },
      { "fault-seed": "3" },
    ]) {
      expect(() => emulatorOptionsFromFlags(values)).toThrow(expect.objectContaining({ code: "USAGE" }));
    }
    expect(() => emulatorOptionsFromFlags({ port: "99999" })).toThrow(
      "--port must be a whole number from 0 to 65535",
    );
  });
});

describe("campaignctl emulator", () => {
  it("prints the URL and the never-mailed line, serves, and stops cleanly on SIGTERM", async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = "";
    stdout.on("data", (c: Buffer) => (out += c.toString()));
    stderr.resume();
    const running = runCli({
      argv: ["emulator", "--port", "0", "--no-rate-limit"],
      env: {},
      cwd: process.cwd(),
      stdout,
      stderr,
      stdin: new PassThrough(),
      interactive: false,
      color: false,
    });
    const deadline = Date.now() + 10_000;
    while (!/listening on (\S+)/.test(out) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const url = /listening on (\S+)/.exec(out)![1]!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(out).toMatch(/nothing is ever printed or mailed/i);
    const res = await fetch(`${url}/campaigns`, { headers: { Authorization: authHeader() } });
    expect(res.status).toBe(200);
    process.emit("SIGTERM");
    expect(await running).toBe(0);
    await expect(fetch(`${url}/campaigns`, { headers: { Authorization: authHeader() } })).rejects.toThrow();
  });
});
