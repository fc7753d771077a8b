import { basename } from "node:path";
import { sha256Hex } from "../core/canonical.js";
import { CampaignctlError } from "../core/errors.js";
import type { LobClient, LocalFile } from "../lob/client.js";
import { isLobApiError, type LobApiError } from "../lob/errors.js";
import type { Campaign, CampaignUpdatable, CampaignWritable, CreativeWritable, Upload } from "../lob/wire.js";
import { isTerminalUploadState } from "../lob/wire.js";
import type { CampaignManifest } from "../manifest/types.js";
import { campaignTags } from "../plan/campaign-fields.js";
import { DEFAULT_CANCEL_WINDOW_MINUTES } from "../plan/plan-apply.js";
import type { CampaignPlan, DesiredCampaign, FieldChange, Plan, PlannedAction } from "../plan/types.js";
import { addMinutes } from "../plan/values.js";
import { DEFAULT_PROJECT } from "../core/tags.js";
import { withCampaign, withDestroyed } from "../state/index.js";
import type {
  AppliedRecord,
  CampaignRecord,
  DestroyedRecord,
  PendingIntent,
  StateFile,
  StateStore,
  UnknownApplied,
} from "../state/types.js";
import { readArtworkBytes } from "./artwork-bytes.js";
import type { CrashHook, Reporter } from "./events.js";
import { assertAudienceFileReadable } from "./local-files.js";
import { findTaggedCampaigns } from "./observe.js";

export interface ExecuteOptions {
  readonly client: LobClient;
  readonly store: StateStore;
  readonly state: StateFile;
  readonly manifests: ReadonlyMap<string, CampaignManifest>;
  readonly desired: ReadonlyMap<string, DesiredCampaign>;
  readonly reporter: Reporter;
  /** Sends happen only with --allow-send; otherwise they are skipped with a message. */
  readonly allowSend: boolean;
  /** Watch the upload after a send until Lob has built the pieces. */
  readonly waitForProcessing: boolean;
  /** Campaigns converged at once (steps within a campaign always run in order). */
  readonly parallelism: number;
  readonly pollIntervalMs: number;
  readonly waitTimeoutMs: number;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  readonly crash?: CrashHook;
  /** Called with every local HTML artwork we create a creative from, for later text diffs. */
  readonly rememberHtml?: (sha256: string, html: string) => Promise<void>;
  /** The project's name, tagged on every campaign created (`campaignctl_project`). Default `default`. */
  readonly project?: string;
}

export interface ExecuteResult {
  readonly state: StateFile;
  /** Campaign keys whose actions could not all be carried out. */
  readonly failed: readonly { key: string; reason: string }[];
  readonly skippedSends: readonly string[];
  readonly sent: readonly string[];
}

/**
 * Carry out a plan, campaign by campaign, action by action, saving state after every step so a
 * killed run resumes where it stopped. Before each create the intent is saved; after an
 * ambiguous failure (the request may have been processed) we look for what it made and adopt it.
 */
export async function executePlan(plan: Plan, options: ExecuteOptions): Promise<ExecuteResult> {
  const run = new Execution(options, plan.operation);
  const queue = [...plan.campaigns];
  // Campaigns are independent: up to `parallelism` converge at once (steps within one stay in order).
  const worker = async () => {
    for (let campaign = queue.shift(); campaign; campaign = queue.shift()) {
      try {
        await run.campaign(campaign);
      } catch (error) {
        // A bug: stop taking new campaigns, but let the others in flight finish their step.
        if (!(error instanceof CampaignctlError) || error.code === "INTERNAL") {
          queue.length = 0;
          throw error;
        }
        // A lost response or server failure leaves this campaign half-done; the others go on.
        run.failed.push({ key: campaign.key, reason: error.message });
        options.reporter({
          type: "refused",
          key: campaign.key,
          reason: error.message,
          ...(error.hint ? { hint: error.hint } : {}),
        });
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(options.parallelism, queue.length)) }, worker);
  // Let every worker finish before anything propagates: returning early would release the lock
  // (and stop a sandbox) while other campaigns' requests are still in flight.
  const settled = await Promise.allSettled(workers);
  await run.flushed();
  const crashed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (crashed) throw crashed.reason;
  return { state: run.state, failed: run.failed, skippedSends: run.skippedSends, sent: run.sent };
}

class Execution {
  state: StateFile;
  readonly failed: { key: string; reason: string }[] = [];
  readonly skippedSends: string[] = [];
  readonly sent: string[] = [];

  constructor(
    private readonly o: ExecuteOptions,
    private readonly operation: Plan["operation"],
  ) {
    this.state = o.state;
  }

  private get project(): string {
    return this.o.project ?? DEFAULT_PROJECT;
  }

  private record(key: string): CampaignRecord {
    return this.state.campaigns[key] ?? { key, applied: {} };
  }

  /** The last state write; writes are chained so they land in order and none is lost. */
  private writing: Promise<void> = Promise.resolve();

  /**
   * Update one record and write the state; resolves once a write including this update is on
   * disk. Concurrent campaigns update the same in-memory state, and each write takes the latest.
   */
  private async save(
    key: string,
    update: (rec: CampaignRecord) => CampaignRecord | undefined,
    destroyed?: DestroyedRecord | null,
  ): Promise<void> {
    this.state = withCampaign(this.state, key, (rec) => update(rec ?? { key, applied: {} }));
    // null: the key lives again (created anew); a record: destroy just removed it.
    if (destroyed !== undefined) this.state = withDestroyed(this.state, key, destroyed ?? undefined);
    const write = this.writing.then(async () => {
      const written = await this.o.store.write(this.state);
      this.state = { ...this.state, serial: written.serial };
    });
    this.writing = write.catch(() => undefined);
    await write;
  }

  async flushed(): Promise<void> {
    await this.writing;
  }

  private async intend(key: string, step: PendingIntent["step"]): Promise<void> {
    await this.save(key, (rec) => ({ ...rec, pending: { step, since: this.o.now().toISOString() } }));
    this.o.crash?.(`${step}:before`);
  }

  private step(key: string, action: string, status: "start" | "done", id?: string, detail?: string): void {
    this.o.reporter({
      type: "step",
      key,
      action,
      status,
      ...(id ? { id } : {}),
      ...(detail ? { detail } : {}),
    });
  }

  async campaign(plan: CampaignPlan): Promise<void> {
    for (const action of plan.actions) await this.action(plan.key, action);
  }

  private desired(key: string): DesiredCampaign {
    const d = this.o.desired.get(key);
    if (!d) throw new Error(`internal: no desired campaign for '${key}'`);
    return d;
  }

  private manifest(key: string): CampaignManifest {
    const m = this.o.manifests.get(key);
    if (!m) throw new Error(`internal: no manifest for '${key}'`);
    return m;
  }

  private campaignId(key: string): string {
    const id = this.record(key).campaignId;
    if (!id) throw new Error(`internal: '${key}' has no campaign id at this step`);
    return id;
  }

  private async action(key: string, action: PlannedAction): Promise<void> {
    const { client } = this.o;
    switch (action.kind) {
      case "blocked":
        this.o.reporter({ type: "refused", key, reason: action.reason, hint: action.hint });
        return;
      case "adopt":
        await this.save(key, (rec) => adoptInto(rec, action.resource, action.id));
        this.step(key, `adopt ${action.resource}`, "done", action.id);
        return;
      case "create":
        if (action.resource === "campaign") return this.createCampaign(key);
        if (action.resource === "creative") return this.createCreative(key);
        return this.createUpload(key);
      case "update":
        return this.update(key, action.resource, action.id, action.changes);
      case "replace": {
        this.step(key, `replace ${action.resource}`, "start", action.id);
        if (action.resource === "campaign") {
          await this.deleteDraft(key, action.id);
          await this.save(key, (rec) => ({ key: rec.key, applied: {} }));
        } else {
          await ignoreNotFound(client.deleteUpload(action.id));
          await this.save(key, (rec) => {
            const { uploadId: _u, ...rest } = rec;
            return {
              ...rest,
              applied: {
                ...rec.applied,
                audienceSha256: undefined,
                audienceRows: undefined,
                uploadMapping: undefined,
              },
            };
          });
        }
        this.step(key, `replace ${action.resource}`, "done", action.id, "deleted");
        return;
      }
      case "upload_file":
        return this.uploadFile(key);
      case "send":
        return this.send(key, action.cancelWindowMinutes);
      case "record_send":
        await this.save(key, (rec) => recordSent(rec, action.sentAt, this.windowOf(key)));
        this.step(key, "record send", "done", action.id);
        return;
      case "delete": {
        this.step(key, "delete campaign", "start", action.id);
        await this.deleteDraft(key, action.id);
        const recorded = this.record(key).campaignId;
        if (recorded === action.id || recorded === undefined) {
          await this.save(key, () => undefined, this.destroyedEntry(key, "deleted", action.id));
        }
        this.step(key, "delete campaign", "done", action.id);
        return;
      }
      case "cancel":
        return this.cancel(key, action.id, action.deadline);
      case "forget":
        await this.save(key, () => undefined, this.destroyedEntry(key, "forgotten"));
        this.step(key, "forget", "done");
        return;
      case "wait":
        // apply waits out the settle time and plans again before executing, so this is a plan
        // applied from a file (or a bug): deciding now could create a second campaign.
        throw new CampaignctlError({
          code: "PLAN_STALE",
          message: `'${key}' is waiting for an earlier create to settle (until ${action.until}); nothing was done for it`,
          hint: "run 'campaignctl apply' again after that time: it looks for what the earlier create made first",
        });
    }
  }

  /**
   * DELETE cancels a sent campaign inside its window, so deleting "a draft" must not trust the
   * plan: the campaign may have been sent (say, from Lob's dashboard) since it was observed.
   * Only destroy's explicit, approved CANCEL may delete a sent campaign.
   */
  private async deleteDraft(key: string, id: string): Promise<void> {
    const current = await ignoreNotFound(this.o.client.getCampaign(id));
    if (!current || current.deleted) return;
    if (!current.is_draft) {
      throw new CampaignctlError({
        code: "SEND_BLOCKED",
        source: "remote",
        message: `campaign ${id} ('${key}') was sent after this plan was made; campaignctl will not delete (cancel) it implicitly`,
        hint: `run 'campaignctl plan' to see where things stand; 'campaignctl destroy --key ${key}' cancels it inside its window`,
      });
    }
    await ignoreNotFound(this.o.client.deleteCampaign(id));
  }

  /** What destroy records for a key it removed (undefined outside destroy: apply forgets silently). */
  private destroyedEntry(
    key: string,
    how: DestroyedRecord["how"],
    campaignId = this.state.campaigns[key]?.campaignId,
  ): DestroyedRecord | undefined {
    if (this.operation !== "destroy") return undefined;
    return { key, at: this.o.now().toISOString(), how, ...(campaignId ? { campaignId } : {}) };
  }

  private windowOf(key: string): number {
    const window = this.o.desired.get(key)?.campaign.cancel_window_campaign_minutes;
    return typeof window === "number" ? window : DEFAULT_CANCEL_WINDOW_MINUTES;
  }

  private async createCampaign(key: string): Promise<void> {
    const d = this.desired(key);
    const body = {
      ...(d.campaign as unknown as CampaignWritable),
      metadata: {
        ...((d.campaign.metadata as Record<string, string> | undefined) ?? {}),
        ...campaignTags(key, this.state.lineage, this.project),
      },
    };
    this.step(key, "create campaign", "start");
    await this.intend(key, "campaign");
    let campaign: Campaign;
    try {
      campaign = await this.o.client.createCampaign(body);
    } catch (error) {
      const found = await this.reconcile(error, async () => {
        const [found] = await findTaggedCampaigns(this.o.client, key, this.state.lineage);
        return found;
      });
      campaign = found;
    }
    this.o.crash?.("campaign:after-response");
    await this.save(
      key,
      (rec) => ({ key: rec.key, campaignId: campaign.id, applied: { campaign: d.campaign } }),
      null,
    );
    this.o.crash?.("campaign:after-state");
    this.step(key, "create campaign", "done", campaign.id);
  }

  private async createCreative(key: string): Promise<void> {
    const d = this.desired(key);
    const m = this.manifest(key);
    const campaignId = this.campaignId(key);
    const body: Record<string, unknown> = {
      campaign_id: campaignId,
      resource_type: d.creative.resource_type,
      details: d.creative.details,
      ...d.creative.fields,
    };
    const files: Partial<Record<string, LocalFile>> = {};
    for (const [field, art] of Object.entries(m.creative.artwork)) {
      if (!art) continue;
      if (art.kind === "file") {
        // The bytes are read once, hashed, and exactly these bytes are uploaded: if the file
        // changed since the plan hashed it, nothing is created or recorded.
        const bytes = await readArtworkBytes(art.path, art.value);
        const planned = d.creative.artwork[field];
        const now = `sha256:${sha256Hex(bytes)}`;
        if (planned !== now) {
          throw new CampaignctlError({
            code: "PLAN_STALE",
            message: `${art.value} changed since the plan for '${key}' was made (planned ${(planned ?? "?").slice(0, 19)}…, now ${now.slice(0, 19)}…); nothing was created or recorded`,
            hint: "make sure nothing writes the artwork during apply, then run 'campaignctl plan' again",
          });
        }
        files[field] = {
          path: art.path,
          filename: basename(art.path),
          contentType: MEDIA_TYPES[art.mediaType],
          data: bytes,
        };
      } else {
        body[field] = art.value;
      }
    }
    this.step(key, "create creative", "start");
    await this.intend(key, "creative");
    let creativeId: string;
    try {
      const hasFiles = Object.keys(files).length > 0;
      const creative = await this.o.client.createCreative(
        body as unknown as CreativeWritable,
        hasFiles ? files : undefined,
      );
      creativeId = creative.id;
    } catch (error) {
      const found = await this.reconcile(
        error,
        async () => (await this.o.client.getCampaign(campaignId)).creatives[0],
      );
      creativeId = found.id;
    }
    this.o.crash?.("creative:after-response");
    for (const [field, html] of Object.entries(d.creative.html)) {
      const identity = d.creative.artwork[field];
      if (identity?.startsWith("sha256:")) await this.o.rememberHtml?.(identity.slice(7), html);
    }
    await this.save(key, (rec) => {
      const { pending: _p, ...rest } = rec;
      return {
        ...rest,
        creativeId,
        applied: {
          ...knownNow(rec.applied, "creativeContentHash"),
          creativeContentHash: d.creative.contentHash,
          creativeFields: d.creative.fields,
          artwork: d.creative.artwork,
        },
      };
    });
    this.o.crash?.("creative:after-state");
    this.step(key, "create creative", "done", creativeId);
  }

  private async createUpload(key: string): Promise<void> {
    const d = this.desired(key);
    const campaignId = this.campaignId(key);
    this.step(key, "create upload", "start");
    await this.intend(key, "upload");
    let upload: Upload;
    try {
      upload = await this.o.client.createUpload({ campaignId, ...d.upload });
    } catch (error) {
      upload = await this.reconcile(error, async () => (await this.o.client.listUploads(campaignId))[0]);
    }
    this.o.crash?.("upload:after-response");
    await this.save(key, (rec) => {
      const { pending: _p, ...rest } = rec;
      return {
        ...rest,
        uploadId: upload.id,
        applied: {
          ...rec.applied,
          uploadMapping: d.upload as unknown as Record<string, unknown>,
          audienceSha256: undefined,
        },
      };
    });
    this.o.crash?.("upload:after-state");
    this.step(key, "create upload", "done", upload.id);
  }

  private async uploadFile(key: string): Promise<void> {
    const d = this.desired(key);
    const m = this.manifest(key);
    const uploadId = this.record(key).uploadId;
    if (!uploadId) throw new Error(`internal: '${key}' has no upload id at the file step`);
    this.step(
      key,
      "upload audience",
      "start",
      uploadId,
      `${d.audience.totalRows.toLocaleString("en-US")} rows`,
    );
    await assertAudienceFileReadable(m.audience.file);
    await this.intend(key, "file");
    // Re-uploading a file before send replaces it, so a lost response here is safe to retry.
    const sent = await this.o.client.uploadFile(uploadId, {
      path: m.audience.file,
      filename: basename(m.audience.file),
      onProgress: (sentBytes, totalBytes) =>
        this.o.reporter({ type: "upload_progress", key, sentBytes, totalBytes }),
    });
    this.o.crash?.("file:after-response");
    if (sent.sentSha256 !== d.audience.sha256) {
      // Preflight (and send.max_pieces) judged other bytes than Lob now holds. Record nothing and
      // stop this campaign before any send; the next apply checks and uploads the file as it is.
      throw new CampaignctlError({
        code: "AUDIENCE_INVALID",
        message: `${d.audience.file} changed while '${key}' was being applied (checked sha256 ${d.audience.sha256.slice(0, 12)}…, uploaded ${sent.sentSha256.slice(0, 12) || "?"}…); nothing was sent`,
        hint: "make sure nothing writes the audience file during apply, then run 'campaignctl apply' again",
      });
    }
    await this.save(key, (rec) => {
      const { pending: _p, ...rest } = rec;
      return {
        ...rest,
        applied: {
          ...knownNow(rec.applied, "audienceSha256"),
          audienceSha256: d.audience.sha256,
          audienceRows: d.audience.totalRows,
        },
      };
    });
    this.o.crash?.("file:after-state");
    this.step(key, "upload audience", "done", uploadId);
  }

  private async update(
    key: string,
    resource: string,
    id: string,
    changes: readonly FieldChange[],
  ): Promise<void> {
    const d = this.desired(key);
    const { client } = this.o;
    this.step(key, `update ${resource}`, "start", id);
    if (resource === "campaign") {
      const body: Record<string, unknown> = {};
      for (const change of changes) {
        const field = change.path.split(".")[0]!;
        if (field === "metadata") {
          body.metadata = {
            ...((d.campaign.metadata as Record<string, string> | undefined) ?? {}),
            ...campaignTags(key, this.state.lineage, this.project),
          };
        } else {
          body[field] = change.after;
        }
      }
      await client.updateCampaign(id, body as CampaignUpdatable);
      await this.save(key, (rec) => ({ ...rec, applied: { ...rec.applied, campaign: d.campaign } }));
    } else if (resource === "creative") {
      const body: Record<string, unknown> = {};
      for (const change of changes) body[change.path.replace(/^creative\./, "")] = change.after;
      await client.updateCreative(id, body);
      await this.save(key, (rec) => ({
        ...rec,
        applied: { ...rec.applied, creativeFields: d.creative.fields },
      }));
    } else {
      await client.updateUpload(id, { ...d.upload });
      await this.save(key, (rec) => ({
        ...rec,
        applied: { ...rec.applied, uploadMapping: d.upload as unknown as Record<string, unknown> },
      }));
    }
    this.step(key, `update ${resource}`, "done", id);
  }

  private async send(key: string, windowMinutes: number): Promise<void> {
    const campaignId = this.campaignId(key);
    if (!this.o.allowSend) {
      this.skippedSends.push(key);
      this.o.reporter({
        type: "warn",
        message: `${key}: SEND skipped: sending needs --allow-send (everything else was applied)`,
      });
      return;
    }
    await this.intend(key, "send");
    // Never send twice: read the campaign right before sending, whatever the state says.
    let campaign = await this.o.client.getCampaign(campaignId);
    if (campaign.is_draft) {
      this.step(key, "SEND", "start", campaignId);
      try {
        campaign = await this.o.client.sendCampaign(campaignId);
      } catch (error) {
        campaign = await this.reconcile(error, async () => {
          const now = await this.o.client.getCampaign(campaignId);
          return now.is_draft ? undefined : now;
        });
      }
    }
    this.o.crash?.("send:after-response");
    const sentAt = campaign.send_date ?? this.o.now().toISOString();
    await this.save(key, (rec) => recordSent(rec, sentAt, windowMinutes));
    this.o.crash?.("send:after-state");
    this.sent.push(key);
    this.step(key, "SEND", "done", campaignId);
    const deadline = addMinutes(sentAt, windowMinutes);
    if (this.o.waitForProcessing) await this.watch(key, campaignId, deadline);
    else
      this.o.reporter({
        type: "info",
        message: `${key}: sent; cancel window open until ${deadline} (not waiting for validation: --no-wait)`,
      });
  }

  private async watch(key: string, campaignId: string, deadline: string): Promise<void> {
    const uploadId = this.record(key).uploadId;
    if (!uploadId) return;
    const started = Date.now();
    for (;;) {
      const upload = await this.o.client.getUpload(uploadId);
      const event = {
        key,
        state: upload.state,
        validated: upload.validatedMailpieces,
        failed: upload.failedMailpieces,
        total: upload.totalMailpieces,
      };
      if (isTerminalUploadState(upload.state)) {
        this.o.reporter({ type: "sent", campaignId, cancelDeadline: deadline, ...event });
        if (upload.state === "Errored") {
          throw new CampaignctlError({
            code: "LOB_VALIDATION",
            source: "remote",
            message: `Lob could not process the audience of '${key}' (upload ${uploadId} is Errored)`,
            hint: `run 'campaignctl failures ${key} --out FILE' for row-level reasons, fix the file, then destroy and apply again`,
          });
        }
        return;
      }
      this.o.reporter({ type: "processing", ...event });
      if (Date.now() - started > this.o.waitTimeoutMs) {
        this.o.reporter({
          type: "warn",
          message: `${key}: still ${upload.state} after ${Math.round(this.o.waitTimeoutMs / 1000)} s; stopped watching (the send itself is done; run 'campaignctl plan' later to check)`,
        });
        return;
      }
      await this.o.sleep(this.o.pollIntervalMs);
    }
  }

  private async cancel(key: string, id: string, deadline: string): Promise<void> {
    this.step(key, "CANCEL campaign", "start", id);
    try {
      await this.o.client.deleteCampaign(id);
    } catch (error) {
      if (isLobApiError(error) && error.status === 404) {
        await this.save(key, () => undefined, this.destroyedEntry(key, "forgotten", id));
        return;
      }
      if (isLobApiError(error) && (error.lobCode === "not_deletable" || error.status === 422)) {
        throw new CampaignctlError({
          code: "CANCEL_WINDOW_CLOSED",
          source: "remote",
          message: `'${key}' (${id}) can no longer be cancelled: Lob refused (${error.message}); the window was to close at ${deadline}`,
          hint: "its mail pieces are in production",
        });
      }
      throw error;
    }
    await this.save(key, () => undefined, this.destroyedEntry(key, "cancelled", id));
    this.step(key, "CANCEL campaign", "done", id);
  }

  /**
   * After a failed create/send: if the failure is ambiguous (the server may have done it), look
   * for the result and use it. Otherwise, or when nothing is found, fail this campaign; the
   * intent stays in state, so the next run reconciles again before trying anything.
   */
  private async reconcile<T>(error: unknown, find: () => Promise<T | undefined>): Promise<T> {
    if (!isLobApiError(error)) throw error;
    if (error.ambiguous) {
      const found = await find().catch(() => undefined);
      if (found !== undefined) {
        this.o.reporter({
          type: "warn",
          message: `a response was lost (${error.message}); found what the request made and adopted it`,
        });
        return found;
      }
    }
    throw withResumeHint(error);
  }
}

function withResumeHint(error: LobApiError): CampaignctlError {
  return new CampaignctlError({
    code: error.code,
    source: "remote",
    message: error.message,
    hint: error.ambiguous
      ? "the request may or may not have reached Lob; run 'campaignctl apply' again: it looks for what was created before creating anything"
      : (error.hint ?? "run 'campaignctl apply' again to resume"),
  });
}

async function ignoreNotFound<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch (error) {
    if (isLobApiError(error) && error.status === 404) return undefined;
    throw error;
  }
}

function adoptInto(rec: CampaignRecord, resource: string, id: string): CampaignRecord {
  const { pending: _p, ...rest } = rec;
  if (resource === "campaign") return { key: rec.key, campaignId: id, applied: {} };
  if (resource === "creative") return { ...rest, creativeId: id };
  return { ...rest, uploadId: id };
}

/** `applied` without `field` among the unknowns: campaignctl has just applied it itself. */
function knownNow(applied: AppliedRecord, field: UnknownApplied): AppliedRecord {
  const unknown = applied.unknown?.filter((u) => u !== field);
  const { unknown: _u, ...rest } = applied;
  return unknown && unknown.length > 0 ? { ...rest, unknown } : rest;
}

function recordSent(rec: CampaignRecord, sentAt: string, windowMinutes: number): CampaignRecord {
  const { pending: _p, ...rest } = rec;
  return { ...rest, sentAt, cancelDeadline: addMinutes(sentAt, windowMinutes) };
}

const MEDIA_TYPES = {
  html: "text/html",
  pdf: "application/pdf",
  png: "image/png",
  jpg: "image/jpeg",
} as const;
