import { connect } from "node:net";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.js";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { authHeader, startTestEmulator } from "./helpers.js";

let running: RunningEmulator | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const clock = (url: string, headers: Record<string, string> = {}) =>
  fetch(url.replace(/\/v1$/, "/_emulator/clock"), { headers });

describe("emulator exposure", () => {
  it("on loopback (the default) the control routes stay open and no token exists", async () => {
    running = await startTestEmulator();
    expect(running.loopbackOnly).toBe(true);
    expect(running.controlToken).toBeUndefined();
    expect(running.listenUrl).toBe(running.url);
    expect((await clock(running.url)).status).toBe(200);
  });

  it("bound to every interface it reports that address and locks the control routes with a token", async () => {
    running = await startTestEmulator({ host: "0.0.0.0" });
    expect(running.loopbackOnly).toBe(false);
    expect(running.listenUrl).toBe(`http://0.0.0.0:${running.port}/v1`);
    expect(running.url).toBe(`http://127.0.0.1:${running.port}/v1`);
    const token = running.controlToken!;
    expect(token).toMatch(/^[0-9a-f]{32}$/);

    const refused = await clock(running.url);
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain("X-Emulator-Token");
    expect((await clock(running.url, { "X-Emulator-Token": "wrong-token" })).status).toBe(401);
    const reset = await fetch(running.url.replace(/\/v1$/, "/_emulator/reset"), { method: "POST" });
    expect(reset.status).toBe(401);
    expect((await clock(running.url, { "X-Emulator-Token": token })).status).toBe(200);
    // The API itself still authenticates by Lob key as before.
    const api = await fetch(`${running.url}/campaigns`, { headers: { Authorization: authHeader() } });
    expect(api.status).toBe(200);
  });

  it("uses a given token, also on loopback, and refuses one too short to be a secret", async () => {
    running = await startTestEmulator({ controlToken: "given-token-123" });
    expect((await clock(running.url)).status).toBe(401);
    expect((await clock(running.url, { "X-Emulator-Token": "given-token-123" })).status).toBe(200);
    await expect(startTestEmulator({ controlToken: "short" })).rejects.toThrow(/at least 8/);
  });

  it("logs a request the client aborted as aborted, not as the fault drawn for it", async () => {
    running = await startTestEmulator();
    const emulator = running;
    emulator.injectNext("commit_then_drop", { count: 2 });
    for (let i = 0; i < 2; i++) {
      await new Promise<void>((resolve) => {
        const socket = connect(emulator.port, "127.0.0.1", () => {
          // Promise a body, send half of it, and give up.
          socket.write(
            [
              "POST /v1/campaigns HTTP/1.1",
              "Host: 127.0.0.1",
              `Authorization: ${authHeader()}`,
              "Content-Type: application/json",
              "Content-Length: 500",
              "",
              '{"name": "half',
            ].join("\r\n"),
          );
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 50);
        });
      });
    }
    const deadline = Date.now() + 5_000;
    while (emulator.requests().length < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const logged = emulator.requests();
    expect(logged).toHaveLength(2);
    for (const entry of logged) {
      expect(entry).toMatchObject({ method: "POST", status: 0, aborted: true });
      expect(entry.fault).toBeUndefined();
    }
    // Nothing was committed.
    const list = await fetch(`${emulator.url}/campaigns`, { headers: { Authorization: authHeader() } });
    expect(((await list.json()) as { data: unknown[] }).data).toEqual([]);
  });
});

describe("campaignctl emulator --host 0.0.0.0", () => {
  it("prints the real address, warns, and prints the generated control token", async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = "";
    let err = "";
    stdout.on("data", (c: Buffer) => (out += c.toString()));
    stderr.on("data", (c: Buffer) => (err += c.toString()));
    const cli = runCli({
      argv: ["emulator", "--port", "0", "--host", "0.0.0.0"],
      env: {},
      cwd: process.cwd(),
      stdout,
      stderr,
      stdin: new PassThrough(),
      interactive: false,
      color: false,
    });
    const deadline = Date.now() + 10_000;
    while (!/X-Emulator-Token: (\w+)/.test(out) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    process.emit("SIGTERM");
    expect(await cli).toBe(0);
    expect(out).toMatch(/listening on http:\/\/0\.0\.0\.0:\d+\/v1\n/);
    expect(out).toMatch(/From this machine: http:\/\/127\.0\.0\.1:\d+\/v1/);
    expect(out).toMatch(/'X-Emulator-Token: [0-9a-f]{32}'/);
    expect(err).toMatch(
      /Warning: the emulator listens on http:\/\/0\.0\.0\.0:\d+\/v1, not only on this machine/,
    );
  });
});
