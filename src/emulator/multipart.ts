import busboy from "busboy";
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReplyError } from "./http.js";
import { parseForm } from "./http.js";

export interface StoredPart {
  readonly field: string;
  readonly filename: string;
  readonly mimeType: string;
  /** Where the bytes were streamed to. */
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

export interface MultipartResult {
  readonly fields: Record<string, unknown>;
  readonly files: readonly StoredPart[];
}

/**
 * Streams a multipart body: text fields are collected (bracket notation → nested objects, via qs)
 * and each file part whose name is in `fileFields` is streamed to `incomingDir` while hashed. Never
 * holds a whole file in memory. `fileFields` empty = every file part is drained and ignored.
 */
export function readMultipart(
  req: IncomingMessage,
  opts: {
    readonly incomingDir: string;
    readonly fileFields: readonly string[];
    readonly invalid: (message: string) => ReplyError;
    readonly maxFiles?: number;
  },
): Promise<MultipartResult> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { files: opts.maxFiles ?? 10, fields: 1000, fieldSize: 5 * 1024 * 1024 },
      });
    } catch {
      reject(opts.invalid("malformed multipart/form-data request"));
      return;
    }
    const pairs: string[] = [];
    const writes: Promise<StoredPart | null>[] = [];
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      req.unpipe(parser);
      req.resume();
      void Promise.allSettled(writes).then((results) => {
        for (const r of results)
          if (r.status === "fulfilled" && r.value) void rm(r.value.path, { force: true });
        reject(error);
      });
    };
    parser.on("field", (name, value) => {
      pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
    });
    parser.on("file", (field, stream, info) => {
      if (!opts.fileFields.includes(field)) {
        stream.resume();
        return;
      }
      const path = join(opts.incomingDir, `${randomBytes(8).toString("hex")}.part`);
      const hash = createHash("sha256");
      let size = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      });
      writes.push(
        pipeline(stream, meter, createWriteStream(path)).then(() => ({
          field,
          filename: info.filename || `${field}`,
          mimeType: info.mimeType,
          path,
          size,
          sha256: hash.digest("hex"),
        })),
      );
    });
    parser.on("error", () => fail(opts.invalid("malformed multipart/form-data request")));
    parser.on("close", () => {
      if (failed) return;
      Promise.all(writes).then(
        (files) => resolve({ fields: parseForm(pairs.join("&")), files: files.filter((f) => f !== null) }),
        (error: unknown) => fail(error),
      );
    });
    req.on("error", (error) => fail(error));
    req.pipe(parser);
  });
}

export async function readMultipartFields(
  req: IncomingMessage,
  invalid: (message: string) => ReplyError,
): Promise<Record<string, unknown>> {
  const { fields } = await readMultipart(req, { incomingDir: "", fileFields: [], invalid });
  return fields;
}

/** Moves a streamed part to its final place (same file system, so rename is atomic). */
export async function keepPart(part: StoredPart, destination: string): Promise<void> {
  await rename(part.path, destination);
}

export async function discardParts(parts: readonly StoredPart[]): Promise<void> {
  await Promise.all(parts.map((p) => rm(p.path, { force: true })));
}
