import type { RateLimit } from "./rate-limiter.js";
import type { TransportEvent } from "./transport.js";
import type {
  Campaign,
  CampaignDeleted,
  CampaignList,
  CampaignUpdatable,
  CampaignWritable,
  Creative,
  CreativeUpdatable,
  CreativeWritable,
  Export,
  ResourceProof,
  ResourceProofWritable,
  ExportCreated,
  ExportType,
  LobMode,
  Report,
  ReportRowStatus,
  Upload,
  UploadFileAccepted,
  UploadUpdatable,
  UploadWritable,
} from "./wire.js";
import type { RetryEvent } from "./with-retry.js";

/** The Lob client's interface and options; lob/client.ts implements it. */

export interface LobClientOptions {
  readonly apiKey: string;
  /** e.g. `https://api.lob.com/v1` (no trailing slash needed). */
  readonly baseUrl: string;
  /** Attempts per request, the first included. Default 5. */
  readonly maxAttempts?: number;
  /** Client-side limit per endpoint. Default LOB_RATE_LIMIT (150 per 5000 ms); false = off. */
  readonly rateLimit?: RateLimit | false;
  /** Socket idle timeout and time-to-response, ms. Default 30 000. File uploads get more. */
  readonly timeoutMs?: number;
  /** Default `campaignctl/<version>`. */
  readonly userAgent?: string;
  /** Waits between retries. Default setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Jitter source, uniform in [0, 1). Default Math.random. */
  readonly random?: () => number;
  readonly onEvent?: (e: LobClientEvent) => void;
  /** Requests in flight at once, all endpoints together. Default DEFAULT_MAX_IN_FLIGHT (16). */
  readonly maxInFlight?: number;
  /**
   * Clock, ms since epoch; default Date.now, and the client reads no other. When given, the rate
   * limiter also waits with `sleep` (a fake clock for tests); otherwise it waits on real timers.
   */
  readonly now?: () => number;
}

/** Every attempt, retry and rate-limiter wait, for progress output and `--verbose`. */
export type LobClientEvent = TransportEvent | RetryEvent;

export type CreativeFileField = "front" | "back" | "file" | "inside" | "outside";

export interface LocalFile {
  readonly path: string;
  readonly filename: string;
  readonly contentType: string;
  /** The file's bytes, already read and checked by the caller: sent instead of reading `path`. */
  readonly data?: Uint8Array;
}

export interface LobClientStats {
  /** Attempts sent (retries included). */
  readonly requests: number;
  readonly byEndpoint: Readonly<Record<string, number>>;
  readonly retries: number;
  readonly throttledMs: number;
  readonly rateLimited429: number;
}

export interface LobClient {
  readonly mode: LobMode;
  readonly baseUrl: string;
  listCampaigns(q?: {
    limit?: number;
    after?: string;
    before?: string;
    includeTotalCount?: boolean;
  }): Promise<CampaignList>;
  /** Every campaign, following next_url with limit=100 (fewest requests). */
  listAllCampaigns(): Promise<Campaign[]>;
  getCampaign(id: string): Promise<Campaign>;
  createCampaign(body: CampaignWritable): Promise<Campaign>;
  updateCampaign(id: string, body: CampaignUpdatable): Promise<Campaign>;
  deleteCampaign(id: string): Promise<CampaignDeleted>;
  sendCampaign(id: string): Promise<Campaign>;
  /** JSON when no files; multipart (files streamed, nested fields in bracket notation) otherwise. */
  createCreative(
    body: CreativeWritable,
    files?: Partial<Record<CreativeFileField, LocalFile>>,
  ): Promise<Creative>;
  getCreative(id: string): Promise<Creative>;
  updateCreative(id: string, body: CreativeUpdatable): Promise<Creative>;
  createUpload(body: UploadWritable): Promise<Upload>;
  listUploads(campaignId: string): Promise<Upload[]>;
  getUpload(id: string): Promise<Upload>;
  updateUpload(id: string, body: UploadUpdatable): Promise<Upload>;
  deleteUpload(id: string): Promise<void>;
  /**
   * Multipart part `file`, streamed from disk; progress reported as bytes are handed to the socket.
   * The caller checks the file first (AUDIENCE_INVALID is the engine's); one that cannot be read
   * here fails with FILE_ACCESS before any request. The same holds for createCreative's files.
   */
  uploadFile(
    uploadId: string,
    file: {
      path: string;
      filename?: string;
      onProgress?: (sentBytes: number, totalBytes: number) => void;
    },
  ): Promise<UploadFileAccepted & { readonly sentSha256: string }>;
  createExport(uploadId: string, type: ExportType): Promise<ExportCreated>;
  getExport(uploadId: string, exportId: string): Promise<Export>;
  getReport(
    uploadId: string,
    q?: { status?: ReportRowStatus; limit?: number; offset?: number },
  ): Promise<Report>;
  /** POST /resource_proofs (JSON, 201): Lob renders one mail piece; poll until not `processing`. */
  createResourceProof(body: ResourceProofWritable): Promise<ResourceProof>;
  getResourceProof(id: string): Promise<ResourceProof>;
  /** Absolute (signed) URL, fetched WITHOUT the API key; streamed to a temp file then renamed. */
  downloadToFile(url: string, destPath: string): Promise<{ bytes: number }>;
  stats(): LobClientStats;
  /**
   * Lob's clock, estimated from the Date header of the latest response (to the second); the local
   * clock until a response arrived. Cancel windows are Lob's, so deadlines are judged by this.
   */
  serverNow(): Date;
}
