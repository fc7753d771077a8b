import { createWriteStream } from "node:fs";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { writeFileAtomicWith } from "../core/atomic-file.js";
import { CampaignctlError } from "../core/errors.js";
import { toLobApiError } from "./to-lob-api-error.js";
import type { Transport } from "./transport.js";
import { withRetry } from "./with-retry.js";
import type { RetrySettings } from "./with-retry.js";

/** Statistics and rate-limit key of downloads: signed URLs are not Lob's API endpoints. */
export const DOWNLOAD_ENDPOINT = "GET (download)";

export interface DownloadContext {
  /** Relative URLs resolve against it. */
  readonly baseUrl: string;
  readonly transport: Transport;
  readonly retry: RetrySettings;
  readonly secrets: readonly string[];
}

/**
 * Fetches an absolute (signed) URL WITHOUT the API key into `destPath`: streamed to a temp file
 * beside it, renamed into place only when complete, so a failed download leaves nothing behind.
 * Retried like a GET. A destination that cannot be written is the user's to fix (FILE_ACCESS).
 */
export async function downloadToFile(
  ctx: DownloadContext,
  url: string,
  destPath: string,
): Promise<{ bytes: number }> {
  const target = new URL(url, ctx.baseUrl + "/");
  const shownPath = `${target.host}${target.pathname}`;
  const outcome = await withRetry(
    (attempt) =>
      ctx.transport.send(
        {
          method: "GET",
          url: target.toString(),
          endpoint: DOWNLOAD_ENDPOINT,
          credentials: "none",
          sink: (body) => writeAtomically(body, destPath),
        },
        attempt,
      ),
    { ...ctx.retry, method: "GET", endpoint: DOWNLOAD_ENDPOINT, idempotent: true },
  );
  if (outcome.networkCode === undefined && outcome.bytes !== undefined) return { bytes: outcome.bytes };
  throw toLobApiError(outcome, {
    method: "GET",
    path: shownPath,
    endpoint: DOWNLOAD_ENDPOINT,
    kind: "download",
    secrets: ctx.secrets,
  });
}

async function writeAtomically(body: NodeJS.ReadableStream, destPath: string): Promise<number> {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  try {
    // The one atomic writer (core/): temp beside the file, fsync, rename; the temp is removed on
    // failure. The folder must exist already: a download never creates directories.
    await writeFileAtomicWith(destPath, (tmp) => pipeline(body, counter, createWriteStream(tmp)), {
      createDirectories: false,
    });
    return bytes;
  } catch (err) {
    if (!isFsError(err)) throw err; // the connection broke: the transport reports it
    throw new CampaignctlError({
      code: "FILE_ACCESS",
      source: "user",
      message: `Could not write ${destPath}: ${(err as { code: string }).code}`,
      hint: "Check that the destination directory exists and is writable.",
    });
  }
}

function isFsError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    typeof code === "string" &&
    ["ENOENT", "EACCES", "EISDIR", "ENOTDIR", "EROFS", "ENOSPC", "EEXIST", "EPERM"].includes(code) &&
    !(err as { isAxiosError?: boolean }).isAxiosError
  );
}
