import { basename } from "node:path";
import { sleep as realSleep } from "../core/sleep.js";
import { packageVersion } from "../package-info.js";
import { createApiCall } from "./api-call.js";
import type { CreativeFileField, LobClient, LobClientOptions, LocalFile } from "./client-types.js";
import { downloadToFile } from "./download.js";
import { LOB_RATE_LIMIT } from "./endpoint.js";
import { createGate } from "./gate.js";
import { buildLocalMultipartBody, flattenFormFields } from "./multipart.js";
import type { MultipartPart } from "./multipart.js";
import { listAll } from "./paging.js";
import { createClientRateLimiter } from "./rate-limiter.js";
import { serverRequestedDelay } from "./retry.js";
import { createServerClock } from "./server-clock.js";
import { createTransport } from "./transport.js";
import type { Campaign, CampaignList, Creative, ResourceProof, Upload, UploadFileAccepted } from "./wire.js";
import type { RetrySettings } from "./with-retry.js";

export type * from "./client-types.js";
export { afterCursorOf } from "./paging.js";

export const DEFAULT_TIMEOUT_MS = 30_000;
/**
 * Requests in flight at once, all endpoints together. 16 lets a rate-limit window's 150 requests
 * go out in a fraction of a second; at 8, the first window's requests trickled out for ~0.8 s,
 * which pushed the next window (anchored on their responses) back by as much (bench/plan-noop.mjs).
 */
export const DEFAULT_MAX_IN_FLIGHT = 16;

/** Lob's API as a table of resource methods over one transport, one retry loop and a server clock. */
export function createLobClient(options: LobClientOptions): LobClient {
  const { apiKey } = options;
  // Bad options are the caller's mistake, reported as the gate and the limiter report theirs.
  if (options.maxAttempts !== undefined && !(options.maxAttempts >= 1)) {
    throw new RangeError("maxAttempts must be >= 1");
  }
  const secrets = [apiKey];
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  const emit = options.onEvent ?? (() => undefined);
  const rateLimit = options.rateLimit === undefined ? LOB_RATE_LIMIT : options.rateLimit;
  // A fake clock (tests) drives the limiter's waits as well; a real one waits on real timers.
  const limiterSleep = options.now === undefined ? realSleep : sleep;
  const limiter =
    rateLimit === false ? undefined : createClientRateLimiter({ ...rateLimit, now, sleep: limiterSleep });
  const serverClock = createServerClock(now);
  const transport = createTransport({
    apiKey,
    userAgent: options.userAgent ?? `campaignctl/${packageVersion()}`,
    timeoutMs,
    gate: createGate(options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT),
    limiter,
    onEvent: emit,
    onServerDate: (header) => serverClock.note(header),
  });
  const counters = { retries: 0, rateLimited429: 0 };
  const retry: RetrySettings = {
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    sleep,
    random: options.random ?? Math.random,
    now,
    onRetry: (event) => {
      counters.retries += 1;
      emit(event);
    },
  };
  const call = createApiCall({
    baseUrl,
    timeoutMs,
    transport,
    secrets,
    retry: {
      ...retry,
      onRateLimited: (endpoint, headers) => {
        counters.rateLimited429 += 1;
        const told = serverRequestedDelay(headers, now());
        if (told !== undefined) limiter?.blockUntil(endpoint, now() + told);
      },
    },
  });
  const id = (value: string): string => encodeURIComponent(value);

  return {
    mode: apiKey.startsWith("live_") ? "live" : "test",
    baseUrl,

    listCampaigns: (q = {}) =>
      call<CampaignList>({
        method: "GET",
        path: "/campaigns",
        query: {
          limit: q.limit,
          after: q.after,
          before: q.before,
          "include[]": q.includeTotalCount === true ? "total_count" : undefined,
        },
        expect: "json",
      }),
    listAllCampaigns: () =>
      listAll<Campaign>(
        "/campaigns",
        (query) => call<CampaignList>({ method: "GET", path: "/campaigns", query, expect: "json" }),
        secrets,
      ),
    getCampaign: (cmp) => call<Campaign>({ method: "GET", path: `/campaigns/${id(cmp)}`, expect: "json" }),
    createCampaign: (body) =>
      call<Campaign>({ method: "POST", path: "/campaigns", json: body, expect: "json" }),
    updateCampaign: (cmp, body) =>
      call<Campaign>({ method: "PATCH", path: `/campaigns/${id(cmp)}`, json: body, expect: "json" }),
    deleteCampaign: (cmp) => call({ method: "DELETE", path: `/campaigns/${id(cmp)}`, expect: "json" }),
    sendCampaign: (cmp) =>
      call<Campaign>({ method: "POST", path: `/campaigns/${id(cmp)}/send`, expect: "json" }),

    async createCreative(body, files) {
      const entries = Object.entries(files ?? {}).filter(
        (e): e is [CreativeFileField, LocalFile] => e[1] !== undefined,
      );
      if (entries.length === 0) {
        return call<Creative>({ method: "POST", path: "/creatives", json: body, expect: "json" });
      }
      const fields: Record<string, unknown> = { ...body };
      for (const [name] of entries) delete fields[name];
      const multipart = await buildLocalMultipartBody([
        ...flattenFormFields(fields).map((f): MultipartPart => ({ kind: "field", ...f })),
        ...entries.map(([name, f]): MultipartPart => ({ kind: "file", name, ...f })),
      ]);
      return call({ method: "POST", path: "/creatives", multipart, expect: "json" });
    },
    getCreative: (crv) => call<Creative>({ method: "GET", path: `/creatives/${id(crv)}`, expect: "json" }),
    updateCreative: (crv, body) =>
      call<Creative>({ method: "PATCH", path: `/creatives/${id(crv)}`, json: body, expect: "json" }),

    createUpload: (body) => call<Upload>({ method: "POST", path: "/uploads", json: body, expect: "json" }),
    listUploads: (cmp) =>
      call<Upload[]>({ method: "GET", path: "/uploads", query: { campaignId: cmp }, expect: "json" }),
    getUpload: (upl) => call<Upload>({ method: "GET", path: `/uploads/${id(upl)}`, expect: "json" }),
    updateUpload: (upl, body) =>
      call<Upload>({ method: "PATCH", path: `/uploads/${id(upl)}`, json: body, expect: "json" }),
    deleteUpload: (upl) => call<void>({ method: "DELETE", path: `/uploads/${id(upl)}`, expect: "none" }),

    async uploadFile(upl, file) {
      const filename = file.filename ?? basename(file.path);
      const multipart = await buildLocalMultipartBody([
        { kind: "file", name: "file", path: file.path, filename, contentType: "text/csv" },
      ]);
      const { onProgress } = file;
      const total = multipart.fileBytes;
      onProgress?.(0, total);
      const accepted = await call<UploadFileAccepted>({
        method: "POST",
        path: `/uploads/${id(upl)}/file`,
        multipart,
        ...(onProgress === undefined ? {} : { onFileBytes: (sent: number) => onProgress(sent, total) }),
        expect: "json",
      });
      return { ...accepted, sentSha256: multipart.sentFileSha256() ?? "" };
    },

    createExport: (upl, type) =>
      call({ method: "POST", path: `/uploads/${id(upl)}/exports`, json: { type }, expect: "json" }),
    getExport: (upl, ex) =>
      call({ method: "GET", path: `/uploads/${id(upl)}/exports/${id(ex)}`, expect: "json" }),
    getReport: (upl, q = {}) =>
      call({
        method: "GET",
        path: `/uploads/${id(upl)}/report`,
        query: { status: q.status, limit: q.limit, offset: q.offset },
        expect: "json",
      }),

    createResourceProof: (body) =>
      call<ResourceProof>({ method: "POST", path: "/resource_proofs", json: body, expect: "json" }),
    getResourceProof: (prf) =>
      call<ResourceProof>({ method: "GET", path: `/resource_proofs/${id(prf)}`, expect: "json" }),

    downloadToFile: (url, destPath) => downloadToFile({ baseUrl, transport, retry, secrets }, url, destPath),
    stats: () => ({ ...transport.counters(), ...counters }),
    serverNow: () => serverClock.now(),
  };
}
