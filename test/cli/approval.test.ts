import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.js";
import { useEmulator } from "../support/emulator.js";
import { writeRequests } from "../support/lob-inspect.js";
import { enableSend, makeWorkspace, TEST_API_KEY } from "../support/workspace.js";

const emulator = useEmulator({ rateLimit: false });

/** Run apply as if on a terminal, typing `answer` at the prompt. */
async function applyOnTerminal(answer: string, extra: string[] = [], edit = (y: string) => y) {
  const ws = makeWorkspace();
  ws.addCampaign("prompted", edit);
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c: Buffer) => (out += c.toString()));
  stderr.on("data", (c: Buffer) => {
    err += c.toString();
    if (err.includes("Enter a value:") && !stdin.writableEnded) stdin.end(`${answer}\n`);
  });
  emulator.clearRequests();
  try {
    const code = await runCli({
      argv: ["apply", ...extra, ws.dir],
      env: {
        LOB_API_KEY: `${TEST_API_KEY}${Math.random().toString(36).slice(2)}`,
        LOB_API_URL: emulator.url,
      },
      cwd: ws.dir,
      stdout,
      stderr,
      stdin,
      interactive: true,
      color: false,
    });
    return { code, out, err, writes: writeRequests(emulator) };
  } finally {
    ws.cleanup();
  }
}

describe("approval on a terminal", () => {
  it("applies after 'yes'", async () => {
    const run = await applyOnTerminal("yes");
    expect(run.code, run.err).toBe(0);
    expect(run.err).toContain("Only 'yes' will be accepted");
    expect(run.writes.length).toBeGreaterThan(0);
  });

  it("changes nothing after any other answer", async () => {
    const run = await applyOnTerminal("y");
    expect(run.code).toBe(1);
    expect(run.err).toContain("cancelled: nothing was changed");
    expect(run.writes).toEqual([]);
  });

  it("highlights a SEND and its piece count when --allow-send is given", async () => {
    const run = await applyOnTerminal("no", ["--allow-send"], enableSend);
    expect(run.err).toContain(
      "This will SEND 1 campaign(s): 10 pieces. Sending is irreversible and costs money.",
    );
    expect(run.writes).toEqual([]);
  });

  it("warns that sends will be skipped without --allow-send", async () => {
    const run = await applyOnTerminal("no", [], enableSend);
    expect(run.err).toContain("1 send(s) will be SKIPPED: --allow-send was not given.");
  });
});
