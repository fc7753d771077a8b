import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "../core/atomic-file.js";
import { createCampaignIndex } from "./campaign-index.js";
import type {
  ExportState,
  ExportType,
  InlineAddress,
  LobMode,
  OptionalAddressColumnMapping,
  RequiredAddressColumnMapping,
  ResourceType,
  UploadState,
} from "../lob/wire.js";

/**
 * The emulator's records. They are internal and mutable; views.ts turns them into wire objects.
 * An account is identified by a hash of its key, so no key ever reaches the disk.
 */
export interface CampaignRecord {
  id: string;
  account: string;
  mode: LobMode;
  seq: number;
  name: string;
  description: string | null;
  schedule_type: string;
  use_type: string | null;
  billing_group_id: string | null;
  target_delivery_date: string | null;
  send_date: string | null;
  cancel_window_campaign_minutes: number | null;
  metadata: Record<string, string>;
  auto_cancel_if_ncoa: boolean;
  print_speed: string | null;
  is_draft: boolean;
  deleted: boolean;
  date_created: string;
  date_modified: string;
}

export type ArtworkField = "front" | "back" | "file" | "inside" | "outside";

export type ArtworkRecord =
  | { kind: "template"; value: string }
  | { kind: "url"; value: string }
  /** Bytes stored under files/artwork/<sha256>; `html` when the content is an HTML document. */
  | { kind: "file"; sha256: string; size: number; filename: string; html: boolean };

export interface CreativeRecord {
  id: string;
  account: string;
  seq: number;
  campaign_id: string;
  resource_type: ResourceType;
  description: string | null;
  from: string | InlineAddress | null;
  details: Record<string, unknown>;
  artwork: Partial<Record<ArtworkField, ArtworkRecord>>;
  /** Merge variables the HTML artwork (and QR redirect URL) use; checked at send. */
  mergeVariables: string[];
  metadata: Record<string, string>;
  deleted: boolean;
  date_created: string;
  date_modified: string;
}

export interface UploadRecord {
  id: string;
  account: string;
  mode: LobMode;
  seq: number;
  campaignId: string;
  requiredAddressColumnMapping: RequiredAddressColumnMapping;
  optionalAddressColumnMapping: OptionalAddressColumnMapping;
  mergeVariableColumnMapping: Record<string, string> | null;
  metadata: { columns: string[] };
  state: UploadState;
  totalMailpieces: number;
  validatedMailpieces: number;
  failedMailpieces: number;
  bytesProcessed: number;
  originalFilename?: string;
  /** The stored audience file (files/uploads/<name>), its size and hash. */
  file?: { name: string; size: number; sha256: string };
  /** Header of the processed file (column names only) and why processing errored, if it did. */
  header?: string[];
  errorReason?: string;
  /**
   * The undeliverable-row setting in force when the campaign was sent, kept with the upload so a
   * validation resumed after a restart fails the same rows.
   */
  undeliverable?: UndeliverableRule;
  deleted: boolean;
  dateCreated: string;
  dateModified: string;
}

/** A resolved undeliverable setting: the seed is fixed. */
export interface UndeliverableRule {
  readonly ratio: number;
  readonly seed: number;
}

export interface ExportRecord {
  id: string;
  account: string;
  uploadId: string;
  type: ExportType;
  state: ExportState;
  /** File name under files/exports once written; unguessable, like a signed URL. */
  fileName: string | null;
  deleted: boolean;
  dateCreated: string;
  dateModified: string;
}

export interface StoreData {
  version: 1;
  clockOffsetMs: number;
  seq: number;
  campaigns: Record<string, CampaignRecord>;
  creatives: Record<string, CreativeRecord>;
  uploads: Record<string, UploadRecord>;
  exports: Record<string, ExportRecord>;
}

export interface Store {
  /** All records. Add creatives and uploads with addCreative/addUpload, which also index them. */
  readonly data: StoreData;
  /** Where uploaded files, artwork, per-row results and exports live. */
  readonly filesDir: string;
  readonly persistent: boolean;
  nextSeq(): number;
  addCreative(record: CreativeRecord): void;
  addUpload(record: UploadRecord): void;
  /** Every creative made for the campaign, oldest first, deleted ones included; O(1). */
  creativesOf(campaignId: string): readonly CreativeRecord[];
  /** Every upload made for the campaign, oldest first, deleted ones included; O(1). */
  uploadsOf(campaignId: string): readonly UploadRecord[];
  /** Bumped by every persist() (every mutation calls it): lets readers cache derived views. */
  readonly revision: number;
  /** Resolves once a write that includes every change made before the call is on disk. */
  persist(): Promise<void>;
  /** Drop everything (admin reset). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export const FILE_DIRS = ["uploads", "artwork", "results", "exports", "incoming"] as const;

function emptyData(): StoreData {
  return { version: 1, clockOffsetMs: 0, seq: 0, campaigns: {}, creatives: {}, uploads: {}, exports: {} };
}

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(8).toString("hex")}`;
}

export async function openStore(dataDir: string | undefined): Promise<Store> {
  const persistent = dataDir !== undefined;
  const filesDir = persistent
    ? join(dataDir, "files")
    : await mkdtemp(join(tmpdir(), "campaignctl-emulator-"));
  await ensureFileDirs(filesDir);
  const statePath = persistent ? join(dataDir, "state.json") : "";
  let data = persistent ? await loadData(statePath) : emptyData();
  const index = createCampaignIndex();
  index.rebuild(data);
  let revision = 0;

  let writing: Promise<void> | null = null;
  let queued: Promise<void> | null = null;

  async function writeNow(): Promise<void> {
    // In --sandbox this file sits under .campaignctl/: the key never reaches it (core/active-secrets.ts).
    await writeFileAtomic(statePath, JSON.stringify(data));
  }

  const store: Store = {
    get data() {
      return data;
    },
    filesDir,
    persistent,
    nextSeq() {
      data.seq += 1;
      return data.seq;
    },
    addCreative(record) {
      data.creatives[record.id] = record;
      index.addCreative(record);
    },
    addUpload(record) {
      data.uploads[record.id] = record;
      index.addUpload(record);
    },
    creativesOf: (campaignId) => index.creativesOf(campaignId),
    uploadsOf: (campaignId) => index.uploadsOf(campaignId),
    get revision() {
      return revision;
    },
    persist() {
      revision += 1;
      if (!persistent) return Promise.resolve();
      // One write at a time; callers arriving during a write share the next one.
      if (queued) return queued;
      if (!writing) {
        writing = writeNow().finally(() => {
          writing = null;
        });
        return writing;
      }
      queued = writing
        .catch(() => undefined)
        .then(() => {
          queued = null;
          writing = writeNow().finally(() => {
            writing = null;
          });
          return writing;
        });
      return queued;
    },
    async reset() {
      data = emptyData();
      index.rebuild(data);
      for (const dir of FILE_DIRS) await rm(join(filesDir, dir), { recursive: true, force: true });
      await ensureFileDirs(filesDir);
      await store.persist();
    },
    async close() {
      await (queued ?? writing ?? Promise.resolve()).catch(() => undefined);
      if (!persistent) await rm(filesDir, { recursive: true, force: true });
    },
  };
  return store;
}

/**
 * The clock of an emulator that is not running, from the data it persisted in `dataDir`: moved
 * forward by `advanceMs` (and saved) when that is not 0. What `campaignctl sandbox clock` uses; a
 * running emulator moves its own clock (`advanceClock`, `POST /_emulator/clock`), and would
 * overwrite this change with its own when it next saves, so the caller must know none is running.
 */
export async function advanceStoredClock(dataDir: string, advanceMs: number): Promise<Date> {
  const store = await openStore(dataDir);
  try {
    if (advanceMs !== 0) {
      store.data.clockOffsetMs += advanceMs;
      await store.persist();
    }
    return new Date(Date.now() + store.data.clockOffsetMs);
  } finally {
    await store.close();
  }
}

async function ensureFileDirs(filesDir: string): Promise<void> {
  for (const dir of FILE_DIRS) await mkdir(join(filesDir, dir), { recursive: true });
}

async function loadData(path: string): Promise<StoreData> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return emptyData();
    throw error;
  }
  const parsed = JSON.parse(text) as StoreData;
  if (parsed.version !== 1) throw new Error(`unsupported emulator data version in ${path}`);
  return parsed;
}
