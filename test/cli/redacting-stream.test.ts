import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { redactingStream } from "../../src/cli/redacting-stream.js";
import { clearActiveSecrets, registerSecret } from "../../src/core/active-secrets.js";
import { runCli } from "../../src/cli/run.js";

const KEY = "test_StreamKey0123456789abc";
afterEach(() => clearActiveSecrets());

describe("redactingStream", () => {
  it("passes text through at once, with registered secrets redacted, strings and buffers alike", () => {
    const target = new PassThrough();
    const stream = redactingStream(target);
    registerSecret(KEY);
    stream.write(`plain ${KEY}\n`);
    stream.write(Buffer.from(`basic ${Buffer.from(`${KEY}:`).toString("base64")}\n`));
    stream.write("\r  progress 50%");
    // Synchronously handed on: nothing waits in this stream's buffer.
    expect(stream.writableLength).toBe(0);
    expect(target.read()?.toString()).toBe("plain [REDACTED]\nbasic [REDACTED]\n\r  progress 50%");
  });
});

describe("runCli", () => {
  it("redacts LOB_API_KEY from whatever a command prints", async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let err = "";
    stdout.resume();
    stderr.on("data", (c: Buffer) => (err += c.toString()));
    // An unknown command named after the key: the error message quotes it.
    const code = await runCli({
      argv: [KEY],
      env: { LOB_API_KEY: KEY },
      cwd: process.cwd(),
      stdout,
      stderr,
      stdin: new PassThrough(),
      interactive: false,
      color: false,
    });
    expect(code).toBe(1);
    expect(err).toContain("unknown command '[REDACTED]'");
    expect(err).not.toContain(KEY);
  });
});
