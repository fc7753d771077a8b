import qs from "qs";
import { ID_PATTERN, ID_PREFIX } from "../lob/wire.js";
import type { RequestContext } from "./context.js";
import { isoNow } from "./context.js";
import {
  has,
  invalid,
  readBoolean,
  readDateTime,
  readEnum,
  readInteger,
  readMetadata,
  readString,
} from "./fields.js";
import type { Reply } from "./http.js";
import { jsonReply, lobError, readObjectBody } from "./http.js";
import type { CampaignRecord } from "./store.js";
import { newId } from "./store.js";
import { EMULATOR_DEFAULTS } from "./types.js";
import { liveCreativesOf, liveUploadsOf, viewCampaign } from "./views.js";

const USE_TYPES = ["marketing", "operational"] as const;
const ACCEPTED_BODIES = ["json", "form", "multipart"] as const;

export function findCampaign(ctx: RequestContext, id: string | undefined): CampaignRecord {
  const c = id === undefined ? undefined : ctx.env.store.data.campaigns[id];
  if (!c || c.deleted || c.account !== ctx.account.id) throw lobError(404, "not_found", "campaign not found");
  return c;
}

async function readCampaignBody(ctx: RequestContext): Promise<Record<string, unknown>> {
  // Multipart campaign bodies carry only text fields; they are read like a form.
  if ((ctx.req.headers["content-type"] ?? "").toLowerCase().startsWith("multipart/form-data")) {
    const { readMultipartFields } = await import("./multipart.js");
    return readMultipartFields(ctx.req, invalid);
  }
  return (await readObjectBody(ctx.req, ACCEPTED_BODIES, invalid)).body;
}

export async function createCampaign(ctx: RequestContext): Promise<Reply> {
  const body = await readCampaignBody(ctx);
  const name = readString(body, "name", { required: true }) as string;
  const scheduleType = readEnum(body, "schedule_type", ["immediate"], { required: true }) as string;
  const useType =
    readEnum(body, "use_type", USE_TYPES, { nullable: true }) ?? EMULATOR_DEFAULTS.defaultUseType;
  const now = isoNow(ctx.env);
  const record: CampaignRecord = {
    id: newId(ID_PREFIX.campaign),
    account: ctx.account.id,
    mode: ctx.account.mode,
    seq: ctx.env.store.nextSeq(),
    name,
    description: readString(body, "description", { nullable: true, max: 255 }) ?? null,
    schedule_type: scheduleType,
    use_type: useType,
    billing_group_id:
      readString(body, "billing_group_id", { nullable: true, pattern: ID_PATTERN.billingGroup }) ?? null,
    target_delivery_date: readDateTime(body, "target_delivery_date", { nullable: true }) ?? null,
    send_date: readDateTime(body, "send_date", { nullable: true }) ?? null,
    cancel_window_campaign_minutes:
      readInteger(body, "cancel_window_campaign_minutes", { nullable: true, min: 0 }) ?? null,
    metadata: readMetadata(body) ?? {},
    auto_cancel_if_ncoa: readBoolean(body, "auto_cancel_if_ncoa") ?? false,
    print_speed: readEnum(body, "print_speed", ["core"], { nullable: true }) ?? "core",
    is_draft: true,
    deleted: false,
    date_created: now,
    date_modified: now,
  };
  ctx.env.store.data.campaigns[record.id] = record;
  await ctx.env.store.persist();
  return jsonReply(200, viewCampaign(ctx.env, record, ctx.origin));
}

export async function retrieveCampaign(ctx: RequestContext): Promise<Reply> {
  return jsonReply(200, viewCampaign(ctx.env, findCampaign(ctx, ctx.params.id), ctx.origin));
}

interface Cursor {
  readonly dateOffset: string;
  readonly idOffset: string;
}

function encodeCursor(c: CampaignRecord): string {
  return Buffer.from(JSON.stringify({ dateOffset: c.date_created, idOffset: c.id })).toString("base64");
}

function decodeCursor(text: string, param: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(text, "base64").toString("utf8")) as Partial<Cursor>;
    if (typeof value.dateOffset === "string" && typeof value.idOffset === "string") {
      return { dateOffset: value.dateOffset, idOffset: value.idOffset };
    }
  } catch {
    // fall through to the error below
  }
  throw invalid(`${param} is not a valid cursor`);
}

/** Newest first; ties (same millisecond) broken by creation order. */
function compareNewestFirst(a: { date: string; seq: number }, b: { date: string; seq: number }): number {
  if (a.date !== b.date) return a.date < b.date ? 1 : -1;
  return b.seq - a.seq;
}

/**
 * An account's live campaigns, newest first. Paging through a large account asks for this once per
 * page, so it is cached until the next mutation (store.revision) instead of re-sorted every time.
 */
const sortedCache = new WeakMap<object, { revision: number; byAccount: Map<string, CampaignRecord[]> }>();

function accountCampaignsNewestFirst(ctx: RequestContext): CampaignRecord[] {
  const store = ctx.env.store;
  let cache = sortedCache.get(store);
  if (!cache || cache.revision !== store.revision) {
    cache = { revision: store.revision, byAccount: new Map() };
    sortedCache.set(store, cache);
  }
  let list = cache.byAccount.get(ctx.account.id);
  if (!list) {
    list = Object.values(store.data.campaigns)
      .filter((c) => c.account === ctx.account.id && !c.deleted)
      .sort((a, b) =>
        compareNewestFirst({ date: a.date_created, seq: a.seq }, { date: b.date_created, seq: b.seq }),
      );
    cache.byAccount.set(ctx.account.id, list);
  }
  return list;
}

export async function listCampaigns(ctx: RequestContext): Promise<Reply> {
  const query = qs.parse(ctx.rawQuery, { depth: 2 }) as Record<string, unknown>;
  const limitText = query.limit;
  const limit = limitText === undefined ? 10 : Number(limitText);
  if (typeof limitText === "object" || !Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw invalid("limit must be an integer between 1 and 100");
  }
  const includeRaw = query.include;
  const includes = (Array.isArray(includeRaw) ? includeRaw : [includeRaw]).map((v) => String(v ?? ""));
  const withTotal = includes.some((v) => v.includes("total_count"));
  const before = typeof query.before === "string" && query.before !== "" ? query.before : undefined;
  const after = typeof query.after === "string" && query.after !== "" ? query.after : undefined;
  if (before && after) throw invalid("before and after cannot be used together");

  const all = accountCampaignsNewestFirst(ctx);
  const keyOf = (cursor: Cursor) => {
    const anchor = ctx.env.store.data.campaigns[cursor.idOffset];
    return { date: cursor.dateOffset, seq: anchor && anchor.account === ctx.account.id ? anchor.seq : 0 };
  };
  let start = 0;
  let end = Math.min(limit, all.length);
  if (after) {
    const key = keyOf(decodeCursor(after, "after"));
    start = all.findIndex((c) => compareNewestFirst(key, { date: c.date_created, seq: c.seq }) < 0);
    if (start < 0) start = all.length;
    end = Math.min(start + limit, all.length);
  } else if (before) {
    const key = keyOf(decodeCursor(before, "before"));
    let firstNotBefore = all.findIndex(
      (c) => compareNewestFirst({ date: c.date_created, seq: c.seq }, key) >= 0,
    );
    if (firstNotBefore < 0) firstNotBefore = all.length;
    end = firstNotBefore;
    start = Math.max(0, end - limit);
  }
  const page = all.slice(start, end);
  const base = `${ctx.origin}/v1/campaigns?limit=${limit}${withTotal ? "&include%5B%5D=total_count" : ""}`;
  const last = page[page.length - 1];
  const first = page[0];
  const body: Record<string, unknown> = {
    data: page.map((c) => viewCampaign(ctx.env, c, ctx.origin)),
    object: "list",
    next_url: last && end < all.length ? `${base}&after=${encodeURIComponent(encodeCursor(last))}` : null,
    previous_url: first && start > 0 ? `${base}&before=${encodeURIComponent(encodeCursor(first))}` : null,
    count: page.length,
  };
  if (withTotal) body.total_count = all.length;
  return jsonReply(200, body);
}

const CREATE_ONLY = ["billing_group_id", "print_speed"] as const;
const CHANGEABLE_AFTER_SEND = new Set(["name", "description", "metadata", "auto_cancel_if_ncoa", "is_draft"]);
const UPDATABLE = [
  "name",
  "description",
  "schedule_type",
  "target_delivery_date",
  "send_date",
  "cancel_window_campaign_minutes",
  "metadata",
  "is_draft",
  "use_type",
  "auto_cancel_if_ncoa",
] as const;

export async function updateCampaign(ctx: RequestContext): Promise<Reply> {
  const c = findCampaign(ctx, ctx.params.id);
  const body = await readCampaignBody(ctx);
  for (const field of CREATE_ONLY) {
    if (has(body, field)) throw invalid(`${field} cannot be updated; it is set when the campaign is created`);
  }
  if (!c.is_draft) {
    const locked = UPDATABLE.filter((f) => has(body, f) && !CHANGEABLE_AFTER_SEND.has(f));
    // Whether Lob lets a sent campaign's metadata change is undocumented: a setting (README.md).
    if (has(body, "metadata") && !ctx.env.acceptMetadataAfterSend()) locked.push("metadata");
    if (locked.length > 0) {
      throw invalid(`campaign ${c.id} has been sent; ${locked.join(", ")} can no longer be changed`);
    }
  }
  const isDraft = readBoolean(body, "is_draft");
  if (isDraft === true)
    throw invalid("is_draft can only be set to false (a sent campaign cannot return to draft)");
  // Read everything before changing anything, so a bad field leaves the campaign untouched.
  const next = {
    name: readString(body, "name", { max: 10_000 }) ?? undefined,
    description: readString(body, "description", { nullable: true, max: 255 }),
    schedule_type: readEnum(body, "schedule_type", ["immediate"]) ?? undefined,
    target_delivery_date: readDateTime(body, "target_delivery_date") ?? undefined,
    send_date: readDateTime(body, "send_date") ?? undefined,
    cancel_window_campaign_minutes:
      readInteger(body, "cancel_window_campaign_minutes", { min: 0 }) ?? undefined,
    metadata: readMetadata(body),
    use_type: readEnum(body, "use_type", USE_TYPES, { nullable: true }),
    auto_cancel_if_ncoa: readBoolean(body, "auto_cancel_if_ncoa"),
  };
  if (next.name !== undefined && next.name.trim() === "") throw invalid("name must not be empty");
  if (isDraft === false && c.is_draft) assertSendable(ctx, c);
  if (next.name !== undefined) c.name = next.name;
  if (next.description !== undefined) c.description = next.description;
  if (next.schedule_type !== undefined) c.schedule_type = next.schedule_type;
  if (next.target_delivery_date !== undefined) c.target_delivery_date = next.target_delivery_date;
  if (next.send_date !== undefined) c.send_date = next.send_date;
  if (next.cancel_window_campaign_minutes !== undefined) {
    c.cancel_window_campaign_minutes = next.cancel_window_campaign_minutes;
  }
  if (next.metadata !== undefined) c.metadata = next.metadata;
  if (next.use_type !== undefined) c.use_type = next.use_type ?? EMULATOR_DEFAULTS.defaultUseType;
  if (next.auto_cancel_if_ncoa !== undefined) c.auto_cancel_if_ncoa = next.auto_cancel_if_ncoa;
  c.date_modified = isoNow(ctx.env);
  // PATCH is_draft=false is how sending worked before /send existed; it sends, once.
  if (isDraft === false && c.is_draft) markSent(ctx, c);
  await ctx.env.store.persist();
  return jsonReply(200, viewCampaign(ctx.env, c, ctx.origin));
}

/** Every reason the campaign cannot be sent yet, or none. */
export function sendBlockers(ctx: RequestContext, c: CampaignRecord): string[] {
  const problems: string[] = [];
  const creative = liveCreativesOf(ctx.env, c)[0];
  const upload = liveUploadsOf(ctx.env, c)[0];
  if (!creative) problems.push("it has no creative");
  if (!upload) {
    problems.push("it has no upload");
    return problems;
  }
  if (!upload.file) problems.push(`upload ${upload.id} has no file`);
  const required = upload.requiredAddressColumnMapping;
  const unmapped = (Object.keys(required) as (keyof typeof required)[]).filter((k) => !required[k]);
  for (const key of unmapped) problems.push(`requiredAddressColumnMapping.${key} is not mapped`);
  if (creative) {
    const mapped = new Set<string>(Object.keys(upload.mergeVariableColumnMapping ?? {}));
    for (const [key, value] of Object.entries({
      ...upload.requiredAddressColumnMapping,
      ...upload.optionalAddressColumnMapping,
    })) {
      if (value) mapped.add(key);
    }
    const missing = creative.mergeVariables.filter((v) => !mapped.has(v));
    if (missing.length > 0) {
      problems.push(
        `merge variable(s) ${missing.map((m) => `'${m}'`).join(", ")} not mapped in mergeVariableColumnMapping`,
      );
    }
  }
  return problems;
}

function assertSendable(ctx: RequestContext, c: CampaignRecord): void {
  const problems = sendBlockers(ctx, c);
  if (problems.length > 0) throw invalid(`campaign ${c.id} cannot be sent: ${problems.join("; ")}`);
}

function markSent(ctx: RequestContext, c: CampaignRecord): void {
  const now = isoNow(ctx.env);
  c.is_draft = false;
  c.send_date = now;
  c.date_modified = now;
  const upload = liveUploadsOf(ctx.env, c)[0];
  if (upload) {
    upload.state = "Ready for Validation";
    upload.dateModified = now;
    const undeliverable = ctx.env.undeliverable();
    if (undeliverable) upload.undeliverable = { ...undeliverable };
    else delete upload.undeliverable;
    ctx.env.processor.schedule(upload.id);
  }
}

export async function sendCampaign(ctx: RequestContext): Promise<Reply> {
  const c = findCampaign(ctx, ctx.params.id);
  // The body (help shows {"is_draft":"false"}) carries nothing we need; read and drop it.
  for await (const _chunk of ctx.req) void _chunk;
  if (!c.is_draft)
    throw lobError(422, "conflict", `campaign ${c.id} has already been sent; it is never sent twice`);
  assertSendable(ctx, c);
  markSent(ctx, c);
  await ctx.env.store.persist();
  return jsonReply(200, viewCampaign(ctx.env, c, ctx.origin));
}

export function cancelDeadline(ctx: RequestContext, c: CampaignRecord): Date | null {
  if (c.is_draft || c.send_date === null) return null;
  const minutes = c.cancel_window_campaign_minutes ?? ctx.env.defaultCancelWindowMinutes;
  return new Date(Date.parse(c.send_date) + minutes * 60_000);
}

export async function deleteCampaign(ctx: RequestContext): Promise<Reply> {
  const c = findCampaign(ctx, ctx.params.id);
  const deadline = cancelDeadline(ctx, c);
  if (deadline && ctx.env.now().getTime() > deadline.getTime()) {
    throw lobError(
      422,
      "not_deletable",
      `campaign ${c.id} can no longer be cancelled: its cancel window closed at ${deadline.toISOString()}`,
    );
  }
  const now = isoNow(ctx.env);
  for (const creative of liveCreativesOf(ctx.env, c)) {
    creative.deleted = true;
    creative.date_modified = now;
  }
  for (const upload of liveUploadsOf(ctx.env, c)) {
    if (c.is_draft) {
      upload.deleted = true;
    } else {
      // A cancelled send stays visible so the client can confirm the cancellation.
      ctx.env.processor.cancel(upload.id);
      upload.state = "Cancelled";
    }
    upload.dateModified = now;
  }
  c.deleted = true;
  c.date_modified = now;
  await ctx.env.store.persist();
  return jsonReply(200, { id: c.id, deleted: true });
}
