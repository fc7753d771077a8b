import { randomBytes } from "node:crypto";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { CampaignctlError } from "../core/errors.js";

/**
 * A multipart/form-data body streamed from disk. Files are never read whole: the body is a
 * Readable that pulls file chunks as the socket drains, so memory stays flat for any file size,
 * and its exact length is known up front (Content-Length, no chunked encoding).
 */

export type MultipartPart =
  | { readonly kind: "field"; readonly name: string; readonly value: string }
  | {
      readonly kind: "file";
      readonly name: string;
      readonly path: string;
      readonly filename: string;
      readonly contentType: string;
      /** The bytes to send, when the caller already holds them (then `path` is not read). */
      readonly data?: Uint8Array;
    };

export interface MultipartBody {
  readonly contentType: string;
  readonly contentLength: number;
  /** Sum of file sizes: the denominator of progress. */
  readonly fileBytes: number;
  /** A fresh stream each call (a retried request needs a new one). */
  open(onFileBytes?: (sentFileBytes: number) => void): Readable;
  /** sha256 (hex) of the file bytes the last opened body streamed, once it has streamed them all. */
  sentFileSha256(): string | undefined;
}

/** Stats each file (throws the fs error when one is missing) and lays out the body. */
export async function buildMultipartBody(parts: readonly MultipartPart[]): Promise<MultipartBody> {
  const boundary = `----campaignctl${randomBytes(12).toString("hex")}`;
  const laid: Array<{ readonly head: Buffer; readonly part: MultipartPart; readonly size: number }> = [];
  for (const part of parts) {
    const size =
      part.kind === "field"
        ? Buffer.byteLength(part.value)
        : part.data !== undefined
          ? part.data.length
          : (await stat(part.path)).size;
    laid.push({ head: Buffer.from(partHeader(boundary, part)), part, size });
  }
  const tail = Buffer.from(`--${boundary}--\r\n`);
  const crlf = Buffer.from("\r\n");
  const contentLength = laid.reduce((sum, p) => sum + p.head.length + p.size + crlf.length, 0) + tail.length;
  const fileBytes = laid.reduce((sum, p) => sum + (p.part.kind === "file" ? p.size : 0), 0);

  let sentSha256: string | undefined;
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    contentLength,
    fileBytes,
    sentFileSha256: () => sentSha256,
    open(onFileBytes) {
      sentSha256 = undefined;
      async function* generate(): AsyncGenerator<Buffer> {
        let sent = 0;
        for (const { head, part, size } of laid) {
          yield head;
          if (part.kind === "field") {
            yield Buffer.from(part.value);
          } else {
            // Read no more than the size Content-Length was computed from, and hash what goes out,
            // so the caller can prove these are the bytes it checked (the file may change meanwhile).
            const hash = createHash("sha256");
            const chunks =
              part.data !== undefined
                ? sliceBytes(part.data, 64 * 1024)
                : size === 0
                  ? []
                  : createReadStream(part.path, { highWaterMark: 64 * 1024, start: 0, end: size - 1 });
            for await (const chunk of chunks) {
              const buf = chunk as Buffer;
              hash.update(buf);
              yield buf;
              // Counted after the consumer pulled the chunk, i.e. as it is handed to the socket.
              sent += buf.length;
              onFileBytes?.(sent);
            }
            sentSha256 = hash.digest("hex");
          }
          yield crlf;
        }
        yield tail;
      }
      return Readable.from(generate(), { objectMode: false });
    },
  };
}

function* sliceBytes(data: Uint8Array, size: number): Generator<Buffer> {
  for (let at = 0; at < data.length; at += size) {
    yield Buffer.from(data.buffer, data.byteOffset + at, Math.min(size, data.length - at));
  }
}

/**
 * A multipart body over local files. Whether a manifest's files exist is the engine's question,
 * asked before it calls; one that cannot be read here anyway (removed meanwhile) is reported as a
 * local file problem, before any request.
 */
export async function buildLocalMultipartBody(parts: readonly MultipartPart[]): Promise<MultipartBody> {
  try {
    return await buildMultipartBody(parts);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== "string") throw err;
    const path = (err as { path?: unknown }).path;
    throw new CampaignctlError({
      code: "FILE_ACCESS",
      source: "user",
      message: `Cannot read ${typeof path === "string" ? path : "a local file"}: ${code}`,
      hint: "Check that the file exists and is readable, then rerun the command.",
    });
  }
}

function partHeader(boundary: string, part: MultipartPart): string {
  const name = quoteParam(part.name);
  if (part.kind === "field") {
    return `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`;
  }
  return (
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${quoteParam(part.filename)}"\r\n` +
    `Content-Type: ${part.contentType.replace(/[\r\n]/g, "")}\r\n\r\n`
  );
}

/** Percent-escapes what would break a quoted header parameter (as browsers do, per WHATWG). */
function quoteParam(value: string): string {
  return value.replace(/\r/g, "%0D").replace(/\n/g, "%0A").replace(/"/g, "%22");
}

/**
 * Flattens a JSON body into form fields with bracket notation (`details[qr_code][width]`,
 * `metadata[key]`), the convention Lob uses for nested objects in form encodings.
 * `undefined` and `null` members are left out (absent means "default" on a create).
 */
export function flattenFormFields(
  value: Readonly<Record<string, unknown>>,
): Array<{ readonly name: string; readonly value: string }> {
  const out: Array<{ readonly name: string; readonly value: string }> = [];
  const walk = (prefix: string, v: unknown): void => {
    if (v === undefined || v === null) return;
    if (Array.isArray(v)) {
      v.forEach((item, i) => walk(`${prefix}[${i}]`, item));
    } else if (typeof v === "object") {
      for (const [k, inner] of Object.entries(v as Record<string, unknown>)) {
        walk(prefix === "" ? k : `${prefix}[${k}]`, inner);
      }
    } else {
      out.push({ name: prefix, value: String(v) });
    }
  };
  walk("", value);
  return out;
}
