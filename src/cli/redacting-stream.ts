import { Writable } from "node:stream";
import { redactActiveSecrets } from "../core/active-secrets.js";

/**
 * A stream that passes everything on to `target` with the active secrets redacted: the CLI's
 * stdout and stderr go through one of these, so no message, plan or progress line can show the
 * key, whichever code path printed it.
 *
 * Each chunk is handed on synchronously, and this stream's own callback is called at once: nothing
 * waits in a buffer here, so output written just before a signal handler calls process.exit is not
 * lost. Commands write whole lines or whole documents, so a key is never split across two chunks.
 */
export function redactingStream(target: Writable): Writable {
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      const text = typeof chunk === "string" ? chunk : chunk.toString("utf8");
      target.write(redactActiveSecrets(text), "utf8");
      callback();
    },
  });
  // The backpressure is the target's: a pipe (a CI log, `| less`) takes every write at once but
  // queues it in memory until the reader catches up (a 1,000-campaign plan: megabytes, promoted to
  // V8's old generation; issue 11). write() still hands each chunk on at once, so nothing waits
  // here; it returns false when the target is full, and 'drain' follows, for writers that can wait
  // (writeChunks). A target that closes also ends the wait.
  const write = stream.write.bind(stream);
  stream.write = ((...args: Parameters<Writable["write"]>) => {
    write(...args);
    return target.writableNeedDrain !== true;
  }) as Writable["write"];
  const drain = () => stream.emit("drain");
  target.on("drain", drain);
  target.on("close", drain);
  return stream;
}
