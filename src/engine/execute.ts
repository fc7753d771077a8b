import { basename } from "node:path";
import { sha256Hex } from "../core/canonical.js";
import { mapLimit } from "../core/concurrency.js";
import { CampaignctlError, internalError } from "../core/errors.js";
import type { LobClient, LocalFile } from "../lob/client.js";
import { isLobApiError, type LobApiError } from "../lob/errors.js";
import type { Campaign, CampaignUpdatable, CampaignWritable, CreativeWritable, Upload } from "../lob/wire.js";
import type { CampaignPlan, Plan, PlannedAction } from "../plan/types.js";
import { addMinutes } from "../plan/values.js";
import * as records from "../state/records.js";
import type {
  CampaignRecord,
  DestroyedRecord,
  PendingIntent,
  StateChange,
  StateFile,
  StateStore,
} from "../state/types.js";
import { readArtworkBytes } from "./artwork-bytes.js";
import type { EngineEvent, EngineIo } from "./events.js";
import { assertAudienceFileReadable } from "./local-files.js";
import { failureRuleError, watchSend } from "./failure-guard.js";
import type { FailureRule } from "./failure-guard.js";
import { findTaggedCampaigns } from "./observe.js";
import { StateWriter } from "./state-writer.js";
import { formatCount } from "../core/en-us.js";

export interface ExecuteOptions {
  readonly client: LobClient;
  readonly store: StateStore;
  readonly state: StateFile;
  /** Events out (steps, progress, warnings, checkpoints). */
  readonly io: Pick<EngineIo, "notify">;
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
  /** Called with every local HTML artwork we create a creative from, for later text diffs. */
  readonly rememberHtml?: (sha256: string, html: string) => Promise<void>;
}

export interface ExecuteResult {
  readonly state: StateFile;
  /** Campaign keys whose actions could not all be carried out. */
  readonly failed: readonly { key: string; reason: string }[];
  readonly skippedSends: readonly string[];
  readonly sent: readonly string[];
  /** Keys sent in this run that send.max_failed_ratio cancelled (also in `failed`). */
  readonly cancelled?: readonly string[];
}

/**
 * Carry out a plan, campaign by campaign, action by action, saving state after every step so a
 * killed run resumes where it stopped. Before each create the intent is saved; after an
 * ambiguous failure (the request may have been processed) we look for what it made and adopt it.
 * Everything an action sends is in the plan (`body`, file references): nothing else is consulted.
 */
export async function executePlan(plan: Plan, options: ExecuteOptions): Promise<ExecuteResult> {
  const run = new Execution(options, plan.operation);
  // Campaigns are independent: up to `parallelism` converge at once (steps within one stay in order).
  // A bug stops new campaigns from starting; the pool lets the others in flight finish their step
  // before it throws, as returning early would release the lock (and stop a sandbox) while other
  // campaigns' requests are still in flight.
  try {
    await mapLimit(plan.campaigns, options.parallelism, async (campaign) => {
      try {
        await run.campaign(campaign);
      } catch (error) {
        if (!(error instanceof CampaignctlError) || error.code === "INTERNAL") throw error;
        // A lost response or server failure leaves this campaign half-done; the others go on.
        run.failed.push({ key: campaign.key, reason: error.message });
        options.io.notify({
          type: "refused",
          code: "refused",
          key: campaign.key,
          reason: error.message,
          ...(error.hint ? { hint: error.hint } : {}),
        });
      }
    });
  } finally {
    await run.flushed();
  }
  return {
    state: run.state,
    failed: run.failed,
    skippedSends: run.skippedSends,
    sent: run.sent,
    cancelled: run.cancelled,
  };
}

type ActionOf<K extends PlannedAction["kind"]> = Extract<PlannedAction, { kind: K }>;

/** One handler per action kind: what apply/destroy does for it. */
type Handlers = {
  readonly [K in PlannedAction["kind"]]: (key: string, action: ActionOf<K>) => Promise<void>;
};

class Execution {
  readonly failed: { key: string; reason: string }[] = [];
  readonly skippedSends: string[] = [];
  readonly sent: string[] = [];
  readonly cancelled: string[] = [];
  /** Every step's record goes through here: one commit with only the changed record(s). */
  private readonly writer: StateWriter;

  constructor(
    private readonly o: ExecuteOptions,
    private readonly operation: Plan["operation"],
  ) {
    this.writer = new StateWriter(o.store, o.state, operation);
  }

  get state(): StateFile {
    return this.writer.state;
  }

  private record(key: string): CampaignRecord {
    return this.state.campaigns[key] ?? { key, applied: {} };
  }

  /**
   * Update one record and commit it; resolves once the commit is stored. Concurrent campaigns
   * update the same in-memory state, and commits land in the order they were made.
   */
  private async save(
    key: string,
    update: (rec: CampaignRecord) => CampaignRecord | undefined,
    destroyed?: DestroyedRecord | null,
  ): Promise<void> {
    const before = Object.hasOwn(this.state.campaigns, key) ? this.state.campaigns[key] : undefined;
    const next = update(before ?? { key, applied: {} });
    const changes: StateChange[] = [];
    if (next !== undefined) changes.push({ kind: "put", record: next.key === key ? next : { ...next, key } });
    else if (before !== undefined) changes.push({ kind: "remove", key });
    // null: the key lives again (created anew); a record: destroy just removed it.
    if (destroyed === null && Object.hasOwn(this.state.destroyed ?? {}, key))
      changes.push({ kind: "remove_destroyed", key });
    else if (destroyed) changes.push({ kind: "put_destroyed", record: { ...destroyed, key } });
    if (changes.length === 0) return;
    await this.writer.commit(changes);
  }

  async flushed(): Promise<void> {
    await this.writer.flushed();
  }

  private notify(event: EngineEvent): void {
    this.o.io.notify(event);
  }

  private checkpoint(point: string): void {
    this.notify({ type: "checkpoint", code: "checkpoint", point });
  }

  private async intend(key: string, step: PendingIntent["step"]): Promise<void> {
    await this.save(key, (rec) => records.withPending(rec, step, this.o.now().toISOString()));
    this.checkpoint(`${step}:before`);
  }

  private step(
    key: string,
    action: PlannedAction,
    status: "start" | "done",
    id?: string,
    detail?: string,
  ): void {
    this.notify({
      type: "step",
      code: status === "start" ? "step_started" : "step_done",
      key,
      action: action.kind,
      ...("resource" in action ? { resource: action.resource } : {}),
      status,
      ...(id ? { id } : {}),
      ...(detail ? { detail } : {}),
    });
  }

  async campaign(plan: CampaignPlan): Promise<void> {
    for (const action of plan.actions) await this.run(plan.key, action);
  }

  private run(key: string, action: PlannedAction): Promise<void> {
    const handler = this.handlers[action.kind] as (key: string, action: PlannedAction) => Promise<void>;
    return handler(key, action);
  }

  private campaignId(key: string): string {
    const id = this.record(key).campaignId;
    if (!id) throw internalError(`'${key}' has no campaign id at this step`);
    return id;
  }

  private readonly handlers: Handlers = {
    blocked: async (key, action) => {
      this.notify({ type: "refused", code: "refused", key, reason: action.reason, hint: action.hint });
    },
    adopt: async (key, action) => {
      await this.save(key, (rec) => records.adopt(rec, action.resource, action.id));
      this.step(key, action, "done", action.id);
    },
    create: async (key, action) => {
      if (action.body.resource === "campaign") return this.createCampaign(key, action);
      if (action.body.resource === "creative") return this.createCreative(key, action);
      return this.createUpload(key, action);
    },
    update: (key, action) => this.update(key, action),
    replace: async (key, action) => {
      this.step(key, action, "start", action.id);
      if (action.resource === "campaign") {
        await this.deleteDraft(key, action.id);
        await this.save(key, records.campaignReset);
      } else {
        await ignoreNotFound(this.o.client.deleteUpload(action.id));
        await this.save(key, records.uploadDropped);
      }
      this.step(key, action, "done", action.id, "deleted");
    },
    upload_file: (key, action) => this.uploadFile(key, action),
    send: (key, action) => this.send(key, action),
    record_send: async (key, action) => {
      await this.save(key, (rec) =>
        records.sendRecorded(rec, action.sentAt, addMinutes(action.sentAt, action.cancelWindowMinutes)),
      );
      this.step(key, action, "done", action.id);
    },
    delete: async (key, action) => {
      this.step(key, action, "start", action.id);
      await this.deleteDraft(key, action.id);
      const recorded = this.record(key).campaignId;
      if (recorded === action.id || recorded === undefined) {
        await this.save(key, () => undefined, this.destroyedEntry(key, "deleted", action.id));
      }
      this.step(key, action, "done", action.id);
    },
    cancel: (key, action) => this.cancel(key, action),
    forget: async (key, action) => {
      await this.save(key, () => undefined, this.destroyedEntry(key, "forgotten"));
      this.step(key, action, "done");
    },
    wait: async (key, action) => {
      // apply waits out the settle time and plans again before executing, so this is a plan
      // applied from a file (or a bug): deciding now could create a second campaign.
      throw new CampaignctlError({
        code: "PLAN_STALE",
        message: `'${key}' is waiting for an earlier create to settle (until ${action.until}); nothing was done for it`,
        hint: "run 'campaignctl apply' again after that time: it looks for what the earlier create made first",
      });
    },
  };

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

  private async createCampaign(key: string, action: ActionOf<"create">): Promise<void> {
    const body = action.body.fields as unknown as CampaignWritable;
    this.step(key, action, "start");
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
    this.checkpoint("campaign:after-response");
    await this.save(
      key,
      (rec) => records.campaignCreated(rec.key, campaign.id, action.applied.campaign ?? {}),
      null,
    );
    this.checkpoint("campaign:after-state");
    this.step(key, action, "done", campaign.id);
  }

  private async createCreative(key: string, action: ActionOf<"create">): Promise<void> {
    if (action.body.resource !== "creative") throw internalError(`'${key}': not a creative body`);
    const campaignId = this.campaignId(key);
    const body: Record<string, unknown> = { campaign_id: campaignId, ...action.body.fields };
    const files: Partial<Record<string, LocalFile>> = {};
    const html: [string, string][] = [];
    for (const [field, ref] of Object.entries(action.body.files ?? {})) {
      // The bytes are read once, hashed, and exactly these bytes are uploaded: if the file
      // changed since the plan hashed it, nothing is created or recorded.
      const bytes = await readArtworkBytes(ref.path, basename(ref.path));
      const now = sha256Hex(bytes);
      if (ref.sha256 !== now) {
        throw new CampaignctlError({
          code: "PLAN_STALE",
          message: `${sourceOf(action, field)} changed since the plan for '${key}' was made (planned sha256:${ref.sha256.slice(0, 12)}…, now sha256:${now.slice(0, 12)}…); nothing was created or recorded`,
          hint: "make sure nothing writes the artwork during apply, then run 'campaignctl plan' again",
        });
      }
      if (ref.mediaType === "html") html.push([ref.sha256, bytes.toString("utf8")]);
      files[field] = {
        path: ref.path,
        filename: basename(ref.path),
        contentType: CONTENT_TYPES[ref.mediaType],
        data: bytes,
      };
    }
    if (
      Object.keys(files).length !== Object.values(action.applied.artwork ?? {}).filter(isFileIdentity).length
    ) {
      throw internalError(`'${key}': the plan's creative names local artwork it carries no file for`);
    }
    this.step(key, action, "start");
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
    this.checkpoint("creative:after-response");
    for (const [sha, text] of html) await this.o.rememberHtml?.(sha, text);
    await this.save(key, (rec) => records.creativeCreated(rec, creativeId, action.applied));
    this.checkpoint("creative:after-state");
    this.step(key, action, "done", creativeId);
  }

  private async createUpload(key: string, action: ActionOf<"create">): Promise<void> {
    const campaignId = this.campaignId(key);
    this.step(key, action, "start");
    await this.intend(key, "upload");
    let upload: Upload;
    try {
      upload = await this.o.client.createUpload({
        campaignId,
        ...(action.body.fields as unknown as Omit<Parameters<LobClient["createUpload"]>[0], "campaignId">),
      });
    } catch (error) {
      upload = await this.reconcile(error, async () => (await this.o.client.listUploads(campaignId))[0]);
    }
    this.checkpoint("upload:after-response");
    await this.save(key, (rec) => records.uploadCreated(rec, upload.id, action.applied.uploadMapping ?? {}));
    this.checkpoint("upload:after-state");
    this.step(key, action, "done", upload.id);
  }

  private async uploadFile(key: string, action: ActionOf<"upload_file">): Promise<void> {
    const uploadId = this.record(key).uploadId;
    if (!uploadId) throw internalError(`'${key}' has no upload id at the file step`);
    if (!action.local) throw internalError(`'${key}': the plan's upload_file carries no local file`);
    const path = action.local.path;
    this.step(key, action, "start", uploadId, `${formatCount(action.rows)} rows`);
    await assertAudienceFileReadable(path);
    await this.intend(key, "file");
    // Re-uploading a file before send replaces it, so a lost response here is safe to retry.
    const sent = await this.o.client.uploadFile(uploadId, {
      path,
      filename: basename(path),
      onProgress: (sentBytes, totalBytes) =>
        this.notify({ type: "upload_progress", code: "upload_progress", key, sentBytes, totalBytes }),
    });
    this.checkpoint("file:after-response");
    if (sent.sentSha256 !== action.sha256) {
      // Preflight (and send.max_pieces) judged other bytes than Lob now holds. Record nothing and
      // stop this campaign before any send; the next apply checks and uploads the file as it is.
      throw new CampaignctlError({
        code: "AUDIENCE_INVALID",
        message: `${action.file} changed while '${key}' was being applied (checked sha256 ${action.sha256.slice(0, 12)}…, uploaded ${sent.sentSha256.slice(0, 12) || "?"}…); nothing was sent`,
        hint: "make sure nothing writes the audience file during apply, then run 'campaignctl apply' again",
      });
    }
    await this.save(key, (rec) => records.fileUploaded(rec, action.sha256, action.rows));
    this.checkpoint("file:after-state");
    this.step(key, action, "done", uploadId);
  }

  private async update(key: string, action: ActionOf<"update">): Promise<void> {
    const { client } = this.o;
    const { id, body } = action;
    this.step(key, action, "start", id);
    if (body.resource === "campaign") await client.updateCampaign(id, body.fields as CampaignUpdatable);
    else if (body.resource === "creative") await client.updateCreative(id, { ...body.fields });
    else await client.updateUpload(id, body.fields as unknown as Parameters<LobClient["updateUpload"]>[1]);
    await this.save(key, (rec) => records.updatedWith(rec, action.applied));
    this.step(key, action, "done", id);
  }

  private async send(key: string, action: ActionOf<"send">): Promise<void> {
    const windowMinutes = action.cancelWindowMinutes;
    const campaignId = this.campaignId(key);
    if (!this.o.allowSend) {
      this.skippedSends.push(key);
      this.notify({
        type: "warn",
        code: "send_skipped",
        message: `${key}: SEND skipped: sending needs --allow-send (everything else was applied)`,
      });
      return;
    }
    await this.intend(key, "send");
    // Never send twice: read the campaign right before sending, whatever the state says.
    let campaign = await this.o.client.getCampaign(campaignId);
    // Only a send made by this run may be cancelled by send.max_failed_ratio: one found already
    // sent (an earlier run that stopped before recording it, or Lob's dashboard) is only watched.
    let sentByThisRun = false;
    if (campaign.is_draft) {
      sentByThisRun = true;
      this.step(key, action, "start", campaignId);
      try {
        campaign = await this.o.client.sendCampaign(campaignId);
      } catch (error) {
        campaign = await this.reconcile(error, async () => {
          const now = await this.o.client.getCampaign(campaignId);
          return now.is_draft ? undefined : now;
        });
      }
    }
    this.checkpoint("send:after-response");
    const sentAt = campaign.send_date ?? this.o.now().toISOString();
    const deadline = addMinutes(sentAt, windowMinutes);
    await this.save(key, (rec) => records.sendRecorded(rec, sentAt, deadline));
    this.checkpoint("send:after-state");
    this.sent.push(key);
    this.step(key, action, "done", campaignId);
    this.notify({
      type: "cancel_window",
      code: "cancel_window",
      key,
      campaignId,
      cancelDeadline: deadline,
      now: this.o.now().toISOString(),
    });
    const rule: FailureRule | undefined =
      action.maxFailedRatio !== undefined
        ? { maxFailedRatio: action.maxFailedRatio, audienceRows: action.totalRows }
        : undefined;
    if (rule && !sentByThisRun) {
      this.notify({
        type: "warn",
        code: "guard_not_applied",
        message: `${key}: campaign ${campaignId} was already sent when this run got to it, so send.max_failed_ratio will not cancel it here; 'campaignctl watch --key ${key}' guards it`,
      });
    }
    if (this.o.waitForProcessing)
      await this.watch(key, campaignId, deadline, sentByThisRun ? rule : undefined);
    else
      this.notify({
        type: "info",
        code: "sent_not_watched",
        message: `${key}: sent; cancel window open until ${deadline} (not waiting for validation: --no-wait)`,
      });
  }

  private async watch(
    key: string,
    campaignId: string,
    deadline: string,
    rule: FailureRule | undefined,
  ): Promise<void> {
    const uploadId = this.record(key).uploadId;
    if (!uploadId) return;
    const progress = (upload: Upload) => ({
      key,
      state: upload.state,
      validated: upload.validatedMailpieces,
      failed: upload.failedMailpieces,
      total: upload.totalMailpieces,
    });
    const outcome = await watchSend({
      client: this.o.client,
      campaignId,
      uploadId,
      deadline,
      ...(rule ? { rule } : {}),
      now: this.o.now,
      intervalMs: this.o.pollIntervalMs,
      timeoutMs: this.o.waitTimeoutMs,
      sleep: this.o.sleep,
      onProgress: (u) => this.notify({ type: "processing", code: "processing", ...progress(u) }),
    });
    const upload = outcome.upload;
    if (outcome.kind === "cancelled" || outcome.kind === "too_late") {
      if (outcome.kind === "cancelled") {
        // Destroyed stays destroyed: the next apply must not create and send this key again.
        const tombstone: DestroyedRecord = { key, at: outcome.at, how: "cancelled", campaignId };
        await this.save(key, () => undefined, tombstone);
        this.cancelled.push(key);
      }
      throw failureRuleError(key, campaignId, rule!, outcome, deadline);
    }
    if (outcome.kind === "timeout") {
      this.notify({
        type: "warn",
        code: "watch_timeout",
        message: `${key}: still ${upload.state} after ${Math.round(this.o.waitTimeoutMs / 1000)} s; stopped watching (the send itself is done; run 'campaignctl plan' later to check)`,
      });
      return;
    }
    this.notify({ type: "sent", code: "sent", campaignId, cancelDeadline: deadline, ...progress(upload) });
    if (upload.state === "Errored") {
      throw new CampaignctlError({
        code: "LOB_VALIDATION",
        source: "remote",
        message: `Lob could not process the audience of '${key}' (upload ${uploadId} is Errored)`,
        hint: `run 'campaignctl failures ${key} --out FILE' for row-level reasons, fix the file, then destroy and apply again`,
      });
    }
  }

  private async cancel(key: string, action: ActionOf<"cancel">): Promise<void> {
    const { id, deadline } = action;
    this.step(key, action, "start", id);
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
    this.step(key, action, "done", id);
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
        this.notify({
          type: "warn",
          code: "lost_response_adopted",
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
    // The client decided whose move it is (a 4xx is the request's, a 5xx or 429 is Lob's).
    source: error.source,
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

function isFileIdentity(identity: string): boolean {
  return identity.startsWith("sha256:");
}

/** The artwork field's value as the manifest wrote it, from the create's display changes. */
function sourceOf(action: ActionOf<"create">, field: string): string {
  const change = action.changes.find((c) => c.path === `creative.${field}`);
  return typeof change?.after === "string" ? change.after : field;
}

/** The HTTP Content-Type each artwork media type is uploaded with (not the manifest-side MEDIA_TYPE_BY_EXTENSION). */
const CONTENT_TYPES = {
  csv: "text/csv",
  html: "text/html",
  pdf: "application/pdf",
  png: "image/png",
  jpg: "image/jpeg",
} as const;
