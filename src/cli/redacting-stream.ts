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
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      const text = typeof chunk === "string" ? chunk : chunk.toString("utf8");
      target.write(redactActiveSecrets(text), "utf8");
      callback();
    },
  });
}
