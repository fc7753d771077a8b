import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { inProcessLock } from "../../src/engine/deps.js";
import type { EngineDeps } from "../../src/engine/deps.js";
import type { EngineEvent, EngineIo, EngineQuestion } from "../../src/engine/events.js";
import type { LobClient } from "../../src/lob/client.js";
import { LobApiError } from "../../src/lob/errors.js";
import type { Campaign, Creative, Upload } from "../../src/lob/wire.js";
import { applyChanges, assertExpectedVersion, keysTouched } from "../../src/state/changes.js";
import type { StateChange, StateFile, StateStore, StateTarget, StateVersion } from "../../src/state/types.js";

/**
 * An in-memory Lob for engine unit tests: no HTTP, no port, no env. It keeps campaigns,
 * creatives and uploads the way the engine needs them (tags, drafts, sends, one upload each) and
 * counts calls, so a test can prove what was (and was not) sent. Not a Lob emulator: the
 * end-to-end tests on src/emulator/ cover Lob's behaviour.
 */
export interface MemoryLob extends LobClient {
  readonly campaigns: Map<string, Campaign>;
  /** Calls by method name, e.g. `sendCampaign`. */
  readonly calls: Map<string, number>;
}

const NOW = new Date("2026-11-30T12:00:00.000Z");

export function memoryLob(): MemoryLob {
  const campaigns = new Map<string, Campaign>();
  const creatives = new Map<string, Creative>();
  const uploads = new Map<string, Upload>();
  const calls = new Map<string, number>();
  let seq = 0;
  const id = (prefix: string) => `${prefix}_${(++seq).toString(16).padStart(15, "0")}`;
  const count = (method: string) => calls.set(method, (calls.get(method) ?? 0) + 1);
  const notFound = (method: string, path: string) =>
    new LobApiError({
      code: "LOB_NOT_FOUND",
      status: 404,
      lobCode: "not_found",
      message: `${path} not found`,
      method,
      path,
      endpoint: `${method} ${path}`,
      retryable: false,
      ambiguous: false,
    });
  const view = (c: Campaign): Campaign => ({
    ...c,
    creatives: [...creatives.values()].filter((cr) =>
      (cr.campaigns as readonly { id: string }[]).some((x) => x.id === c.id),
    ),
    uploads: [...uploads.values()].filter((u) => u.campaignId === c.id),
  });
  const campaign = (cid: string, method = "GET"): Campaign => {
    const c = campaigns.get(cid);
    if (!c || c.deleted) throw notFound(method, `/campaigns/${cid}`);
    return view(c);
  };
  const upload = (uid: string, method = "GET"): Upload => {
    const u = uploads.get(uid);
    if (!u) throw notFound(method, `/uploads/${uid}`);
    return u;
  };
  const unused = (name: string) => () => {
    throw new Error(`memoryLob: ${name} is not used by the engine unit tests`);
  };
  const live = () => [...campaigns.values()].filter((c) => !c.deleted).map(view);

  return {
    campaigns,
    calls,
    mode: "test",
    baseUrl: "memory://lob",
    async listCampaigns() {
      count("listCampaigns");
      const data = live();
      return {
        data,
        object: "list",
        next_url: null,
        previous_url: null,
        count: data.length,
        total_count: data.length,
      };
    },
    async listAllCampaigns() {
      count("listAllCampaigns");
      return live();
    },
    async getCampaign(cid) {
      count("getCampaign");
      return campaign(cid);
    },
    async createCampaign(body) {
      count("createCampaign");
      const c = {
        id: id("cmp"),
        description: null,
        is_draft: true,
        creatives: [],
        uploads: [],
        auto_cancel_if_ncoa: false,
        cancel_window_campaign_minutes: null,
        send_date: null,
        target_delivery_date: null,
        billing_group_id: null,
        print_speed: "core",
        deleted: false,
        date_created: NOW.toISOString(),
        date_modified: NOW.toISOString(),
        object: "campaign",
        ...body,
        metadata: { ...(body.metadata ?? {}) },
      } as unknown as Campaign;
      campaigns.set(c.id, c);
      return view(c);
    },
    async updateCampaign(cid, body) {
      count("updateCampaign");
      const c = campaign(cid, "PATCH");
      const next = { ...c, ...body } as Campaign;
      campaigns.set(cid, next);
      return view(next);
    },
    async deleteCampaign(cid) {
      count("deleteCampaign");
      const c = campaign(cid, "DELETE");
      campaigns.set(cid, { ...c, deleted: true });
      return { id: cid, deleted: true } as Awaited<ReturnType<LobClient["deleteCampaign"]>>;
    },
    async sendCampaign(cid) {
      count("sendCampaign");
      const c = campaign(cid, "POST");
      const sent = { ...c, is_draft: false, send_date: NOW.toISOString() } as Campaign;
      campaigns.set(cid, sent);
      for (const u of uploads.values())
        if (u.campaignId === cid) uploads.set(u.id, { ...u, state: "Scheduled" });
      return view(sent);
    },
    async createCreative(body) {
      count("createCreative");
      const b = body as unknown as {
        campaign_id: string;
        resource_type: string;
        details: Record<string, unknown>;
      };
      campaign(b.campaign_id, "POST");
      const { campaign_id: _campaignId, ...fields } = b;
      const cr = {
        id: id("crv"),
        description: null,
        from: null,
        metadata: {},
        template_preview_urls: {},
        template_previews: [],
        date_created: NOW.toISOString(),
        date_modified: NOW.toISOString(),
        object: "creative",
        deleted: false,
        ...fields,
        campaigns: [{ id: b.campaign_id }],
      } as unknown as Creative;
      creatives.set(cr.id, cr);
      return cr;
    },
    getCreative: unused("getCreative"),
    async updateCreative(crid, body) {
      count("updateCreative");
      const cr = creatives.get(crid);
      if (!cr) throw notFound("PATCH", `/creatives/${crid}`);
      const next = { ...cr, ...body } as Creative;
      creatives.set(crid, next);
      return next;
    },
    async createUpload(body) {
      count("createUpload");
      campaign(body.campaignId, "POST");
      const u = {
        id: id("upl"),
        accountId: "acc_memory",
        campaignId: body.campaignId,
        requiredAddressColumnMapping: body.requiredAddressColumnMapping,
        optionalAddressColumnMapping: body.optionalAddressColumnMapping,
        mergeVariableColumnMapping: body.mergeVariableColumnMapping ?? {},
        metadata: body.metadata ?? { columns: [] },
        mode: "test",
        state: "Draft",
        totalMailpieces: 0,
        failedMailpieces: 0,
        validatedMailpieces: 0,
        bytesProcessed: 0,
        dateCreated: NOW.toISOString(),
        dateModified: NOW.toISOString(),
        originalFilename: null,
      } as unknown as Upload;
      uploads.set(u.id, u);
      return u;
    },
    async listUploads(cid) {
      count("listUploads");
      return [...uploads.values()].filter((u) => u.campaignId === cid);
    },
    async getUpload(uid) {
      count("getUpload");
      return upload(uid);
    },
    async updateUpload(uid, body) {
      count("updateUpload");
      const next = { ...upload(uid, "PATCH"), ...body } as Upload;
      uploads.set(uid, next);
      return next;
    },
    async deleteUpload(uid) {
      count("deleteUpload");
      upload(uid, "DELETE");
      uploads.delete(uid);
    },
    async uploadFile(uid, file) {
      count("uploadFile");
      const bytes = readFileSync(file.path);
      const rows = bytes.toString("utf8").trim().split("\n").length - 1;
      uploads.set(uid, {
        ...upload(uid, "POST"),
        originalFilename: file.filename,
        bytesProcessed: bytes.length,
        totalMailpieces: rows,
        validatedMailpieces: rows,
      } as Upload);
      file.onProgress?.(bytes.length, bytes.length);
      return {
        message: "File uploaded successfully",
        filename: file.filename,
        sentSha256: createHash("sha256").update(bytes).digest("hex"),
      };
    },
    createExport: unused("createExport"),
    getExport: unused("getExport"),
    getReport: unused("getReport"),
    downloadToFile: unused("downloadToFile"),
    stats: () => ({
      requests: [...calls.values()].reduce((a, b) => a + b, 0),
      byEndpoint: Object.fromEntries(calls),
      retries: 0,
      throttledMs: 0,
      rateLimited429: 0,
    }),
    serverNow: () => NOW,
  } as MemoryLob;
}

/** A state store in memory: what a file store would hold, with its serial, and nothing on disk. */
export function memoryStateStore(
  path = "/nonexistent/memory-state.json",
): StateStore & { current(): StateFile | undefined; readonly commits: readonly (readonly StateChange[])[] } {
  let state: StateFile | undefined;
  const versions: StateVersion[] = [];
  const commits: (readonly StateChange[])[] = [];
  const blobs = new Map<string, Uint8Array>();
  return {
    location: path,
    backend: "file",
    current: () => state,
    commits,
    async read() {
      return state === undefined ? undefined : structuredClone(state);
    },
    async commit(changes, expected, meta) {
      assertExpectedVersion(
        path,
        state && { lineage: state.lineage, serial: state.serial },
        expected,
        changes,
      );
      const next = applyChanges(state, changes);
      state = structuredClone({ ...next, serial: expected.serial + 1 });
      commits.push(structuredClone(changes));
      versions.unshift({
        serial: state.serial,
        at: NOW.toISOString(),
        command: meta.command,
        keys: keysTouched(changes),
      });
      return { lineage: state.lineage, serial: state.serial };
    },
    lock: () => Promise.reject(new Error("memoryStateStore: the engine locks through deps.lock")),
    async history(limit = 100) {
      return versions.slice(0, limit);
    },
    blobs: {
      async put(sha256, bytes) {
        blobs.set(sha256, new Uint8Array(bytes));
      },
      async get(sha256) {
        return blobs.get(sha256);
      },
    },
    async close() {},
  };
}

export const MEMORY_TARGET: StateTarget = { apiUrl: "memory://lob", mode: "test" };

/** An I/O host that records every event and answers questions with `answer` (default: the default). */
export function recordingIo(answer?: (question: EngineQuestion) => boolean): EngineIo & {
  readonly events: EngineEvent[];
  readonly questions: EngineQuestion[];
} {
  const events: EngineEvent[] = [];
  const questions: EngineQuestion[] = [];
  return {
    events,
    questions,
    notify: (event) => void events.push(event),
    async requestResponse(question) {
      questions.push(question);
      return answer ? answer(question) : question.defaultResponse;
    },
  };
}

/** Deps wholly in memory: the engine's world with no HTTP, no env and no files but the manifests. */
export function memoryDeps(parts: Partial<EngineDeps> = {}): EngineDeps & {
  readonly client: MemoryLob;
  readonly stateStore: ReturnType<typeof memoryStateStore>;
} {
  return {
    client: memoryLob(),
    stateStore: memoryStateStore(),
    lock: inProcessLock(),
    io: recordingIo(),
    clock: { now: () => NOW, sleep: async () => undefined },
    target: MEMORY_TARGET,
    ...parts,
  } as EngineDeps & { readonly client: MemoryLob; readonly stateStore: ReturnType<typeof memoryStateStore> };
}
