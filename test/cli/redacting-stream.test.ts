import { PassThrough, Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { writeChunks } from "../../src/cli/context.js";
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

/** A pipe-like target: takes each write at once, queues it, and lets `read()` drain it on demand. */
function slowPipe(highWaterMark: number) {
  const queued: string[] = [];
  let onWritten: (() => void)[] = [];
  const target = new Writable({
    highWaterMark,
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      queued.push(chunk.toString());
      onWritten.push(callback);
    },
  });
  const drainOne = () => {
    const callbacks = onWritten;
    onWritten = [];
    callbacks.forEach((cb) => cb());
  };
  return { target, queued, drainOne, pending: () => target.writableLength };
}

describe("writeChunks through a redacting stream", () => {
  it("hands every chunk on in order but waits while the target is full", async () => {
    const pipe = slowPipe(100);
    const stream = redactingStream(pipe.target);
    registerSecret(KEY);
    const chunks = Array.from(
      { length: 20 },
      (_, i) => `${String(i).padStart(2, "0")} ${"x".repeat(40)} ${KEY}\n`,
    );
    let written = 0;
    let maxPending = 0;
    const done = writeChunks(
      stream,
      (function* () {
        for (const chunk of chunks) {
          maxPending = Math.max(maxPending, pipe.pending());
          written += 1;
          yield chunk;
        }
      })(),
    );
    // The target is full after a few chunks: the rest are not made until it drains.
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toBeLessThan(chunks.length);
    while (written < chunks.length || pipe.pending() > 0) {
      pipe.drainOne();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await done;
    expect(maxPending).toBeLessThan(200);
    expect(pipe.queued.join("")).toBe(chunks.map((c) => c.replace(KEY, "[REDACTED]")).join(""));
  });

  it("does not hang when the target closes before it drains", async () => {
    const pipe = slowPipe(10);
    const stream = redactingStream(pipe.target);
    const done = writeChunks(stream, ["a".repeat(50), "b".repeat(50), "c"]);
    await new Promise((resolve) => setImmediate(resolve));
    pipe.target.destroy();
    await expect(done).resolves.toBeUndefined();
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
