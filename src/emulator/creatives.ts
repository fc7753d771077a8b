import { writeFile } from "node:fs/promises";
import { access } from "node:fs/promises";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { isPlainObject } from "../core/objects.js";
import type { InlineAddress, ResourceType } from "../lob/wire.js";
import { ID_PATTERN, ID_PREFIX } from "../lob/wire.js";
import { findCampaign } from "./campaigns.js";
import type { RequestContext } from "./context.js";
import { isoNow } from "./context.js";
import { has, invalid, readBoolean, readEnum, readMetadata, readString } from "./fields.js";
import type { Reply } from "./http.js";
import { bodyKind, jsonReply, lobError, readObjectBody } from "./http.js";
import type { StoredPart } from "./multipart.js";
import { discardParts, keepPart, readMultipart } from "./multipart.js";
import type { ArtworkField, ArtworkRecord, CreativeRecord } from "./store.js";
import { newId } from "./store.js";
import { liveCreativesOf, viewCreative } from "./views.js";

const ARTWORK_BY_TYPE: Readonly<Record<ResourceType, readonly ArtworkField[]>> = {
  postcard: ["front", "back"],
  letter: ["file"],
  self_mailer: ["inside", "outside"],
};
const ALL_ARTWORK: readonly ArtworkField[] = ["front", "back", "file", "inside", "outside"];
const MAIL_TYPES = ["usps_first_class", "usps_standard"] as const;

export function findCreative(ctx: RequestContext, id: string | undefined): CreativeRecord {
  const c = id === undefined ? undefined : ctx.env.store.data.creatives[id];
  if (!c || c.deleted || c.account !== ctx.account.id) throw lobError(404, "not_found", "creative not found");
  return c;
}

/** Merge variables of an HTML document: `{{name}}`, `{{{name}}}`, `{{name.sub}}` → `name`. Sections/helpers skipped. */
export function extractMergeVariables(html: string): string[] {
  const names = new Set<string>();
  for (const match of html.matchAll(/\{\{\{?\s*([^{}]+?)\s*\}?\}\}/g)) {
    const inner = (match[1] ?? "").trim();
    if (inner === "" || /^[#/^!>&]/.test(inner) || inner === "else") continue;
    const name = inner.split(/\s+/)[0]!.split(".")[0]!;
    if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name) && name !== "this") names.add(name);
  }
  return [...names];
}

interface ArtworkInput {
  readonly record: ArtworkRecord;
  /** HTML text to scan for merge variables. */
  readonly html?: string;
}

async function storeArtworkBytes(
  ctx: RequestContext,
  bytes: Buffer,
  filename: string,
): Promise<ArtworkRecord> {
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const path = join(ctx.env.store.filesDir, "artwork", sha256);
  try {
    await access(path);
  } catch {
    await writeFile(path, bytes);
  }
  return { kind: "file", sha256, size: bytes.length, filename, html: true };
}

async function readArtworkString(
  ctx: RequestContext,
  field: ArtworkField,
  value: unknown,
): Promise<ArtworkInput> {
  if (typeof value !== "string" || value.trim() === "") {
    throw invalid(
      `${field} must be a template id (tmpl_…), an https URL, an HTML string or an uploaded file`,
    );
  }
  const text = value.trim();
  if (ID_PATTERN.template.test(text)) return { record: { kind: "template", value: text } };
  if (/^https?:\/\/\S+$/.test(text)) return { record: { kind: "url", value: text } };
  if (/<[a-zA-Z!]/.test(text)) {
    return { record: await storeArtworkBytes(ctx, Buffer.from(value, "utf8"), `${field}.html`), html: value };
  }
  throw invalid(
    `${field} must be a template id (tmpl_…), an https URL, an HTML string or an uploaded file (multipart part '${field}')`,
  );
}

async function keepArtworkPart(ctx: RequestContext, part: StoredPart): Promise<ArtworkInput> {
  const isHtml = /\.html?$/i.test(part.filename) || part.mimeType === "text/html";
  const destination = join(ctx.env.store.filesDir, "artwork", part.sha256);
  await keepPart(part, destination);
  const record: ArtworkRecord = {
    kind: "file",
    sha256: part.sha256,
    size: part.size,
    filename: part.filename,
    html: isHtml,
  };
  // HTML artwork is small enough to scan whole; PDFs and images are never read back.
  return isHtml ? { record, html: await readFile(destination, "utf8") } : { record };
}

function isMissingFrom(body: Record<string, unknown>): boolean {
  return !has(body, "from") || body.from === null || body.from === "";
}

function readFrom(
  body: Record<string, unknown>,
  required: boolean,
): string | InlineAddress | null | undefined {
  if (isMissingFrom(body)) {
    if (required) throw invalid("from is required for letters");
    return has(body, "from") ? null : undefined;
  }
  const value = body.from;
  if (typeof value === "string") {
    if (!ID_PATTERN.address.test(value))
      throw invalid("from must be an address id (adr_…) or an address object");
    return value;
  }
  if (!isPlainObject(value)) throw invalid("from must be an address id (adr_…) or an address object");
  const line1 = readString(value, "address_line1", { required: true, max: 64 });
  const city = readString(value, "address_city", { required: true, max: 200 });
  const state = readString(value, "address_state", { required: true, pattern: /^[a-zA-Z]{2}$/ });
  const zip = readString(value, "address_zip", { required: true, pattern: /^\d{5}(-\d{4})?$/ });
  const name = readString(value, "name", { max: 40, nullable: true });
  const company = readString(value, "company", { max: 40, nullable: true });
  if (!name && !company) throw invalid("from must have a name or a company");
  return {
    ...(value as Record<string, unknown>),
    address_line1: line1 as string,
    address_city: city as string,
    address_state: state as string,
    address_zip: zip as string,
  } as InlineAddress;
}

function readDetails(type: ResourceType, raw: unknown): Record<string, unknown> {
  let details = raw;
  // Lenience: the spec's curl sample sends details as a JSON string.
  if (typeof details === "string") {
    try {
      details = JSON.parse(details);
    } catch {
      throw invalid("details must be an object");
    }
  }
  if (!isPlainObject(details)) throw invalid("details must be an object");
  const out: Record<string, unknown> = { ...details };
  const mailType = readEnum(details, "mail_type", MAIL_TYPES) ?? "usps_first_class";
  out.mail_type = mailType;
  if (has(details, "qr_code") && !isPlainObject(details.qr_code))
    throw invalid("details.qr_code must be an object");
  if (type === "postcard") {
    const size = readEnum(details, "size", ["4x6", "6x9", "6x11"]) ?? "4x6";
    if (size === "4x6" && mailType === "usps_standard") {
      throw invalid("details.mail_type usps_standard is not available for 4x6 postcards");
    }
    out.size = size;
    const color = readBoolean(details, "color");
    if (color !== undefined) out.color = color;
  } else if (type === "self_mailer") {
    out.size =
      readEnum(details, "size", ["6x18_bifold", "11x9_bifold", "12x9_bifold", "17.75x9_trifold"]) ??
      "6x18_bifold";
    const color = readBoolean(details, "color");
    if (color !== undefined) out.color = color;
  } else {
    const color = readBoolean(details, "color");
    if (color === undefined) throw invalid("details.color is required for letters");
    out.color = color;
    out.double_sided = readBoolean(details, "double_sided") ?? true;
    out.address_placement =
      readEnum(details, "address_placement", [
        "top_first_page",
        "insert_blank_page",
        "bottom_first_page_center",
        "bottom_first_page",
      ]) ?? "top_first_page";
    const extra = readEnum(
      details,
      "extra_service",
      ["certified", "certified_return_receipt", "registered"],
      {
        nullable: true,
      },
    );
    if (extra && mailType === "usps_standard") {
      throw invalid("details.extra_service is not available with mail_type usps_standard");
    }
    out.extra_service = extra ?? null;
    out.custom_envelope = has(details, "custom_envelope") ? details.custom_envelope : null;
    out.buckslips = has(details, "buckslips") ? details.buckslips : null;
    out.cards = has(details, "cards") ? details.cards : null;
  }
  return out;
}

function qrMergeVariables(details: Record<string, unknown>): string[] {
  const qr = details.qr_code;
  if (!isPlainObject(qr) || typeof qr.redirect_url !== "string") return [];
  return extractMergeVariables(qr.redirect_url);
}

export async function createCreative(ctx: RequestContext): Promise<Reply> {
  let body: Record<string, unknown>;
  let parts: readonly StoredPart[] = [];
  if (bodyKind(ctx.req) === "multipart") {
    const result = await readMultipart(ctx.req, {
      incomingDir: join(ctx.env.store.filesDir, "incoming"),
      fileFields: ALL_ARTWORK,
      invalid,
    });
    body = result.fields;
    parts = result.files;
  } else {
    body = (await readObjectBody(ctx.req, ["json", "form"], invalid)).body;
  }
  try {
    return await buildCreative(ctx, body, parts);
  } finally {
    await discardParts(parts);
  }
}

async function buildCreative(
  ctx: RequestContext,
  body: Record<string, unknown>,
  parts: readonly StoredPart[],
): Promise<Reply> {
  const campaignId = readString(body, "campaign_id", {
    required: true,
    pattern: ID_PATTERN.campaign,
  }) as string;
  const type = readEnum(body, "resource_type", ["postcard", "letter", "self_mailer"], {
    required: true,
  }) as ResourceType;
  const fields = ARTWORK_BY_TYPE[type];
  // Every missing required field in one message, so one 422 tells the caller all it must add
  // (Lob names `details` even when the artwork is missing too).
  const missing = [
    ...fields.filter((field) => !has(body, field) && !parts.some((p) => p.field === field)),
    ...(has(body, "details") ? [] : ["details"]),
    ...(type === "letter" && isMissingFrom(body) ? ["from"] : []),
  ];
  if (missing.length === 1) throw invalid(`${missing[0]} is required for ${type}`);
  if (missing.length > 1) {
    throw invalid(`${missing.slice(0, -1).join(", ")} and ${missing.at(-1)} are required for ${type}`);
  }
  const details = readDetails(type, body.details);
  const from = readFrom(body, type === "letter");
  const description = readString(body, "description", { nullable: true, max: 255 }) ?? null;
  const metadata = readMetadata(body) ?? {};
  let campaign;
  try {
    campaign = findCampaign(ctx, campaignId);
  } catch {
    throw invalid(`campaign_id ${campaignId} does not exist`);
  }
  const existing = liveCreativesOf(ctx.env, campaign)[0];
  if (existing) {
    throw invalid(
      `campaign ${campaign.id} already has a creative (${existing.id}); a campaign holds one creative`,
    );
  }
  if (!campaign.is_draft) throw invalid(`campaign ${campaign.id} has been sent; its creative cannot change`);

  const artwork: Partial<Record<ArtworkField, ArtworkRecord>> = {};
  const mergeVariables = new Set<string>(qrMergeVariables(details));
  for (const field of fields) {
    const part = parts.find((p) => p.field === field);
    const input = part ? await keepArtworkPart(ctx, part) : await readArtworkString(ctx, field, body[field]);
    artwork[field] = input.record;
    if (input.html !== undefined) for (const v of extractMergeVariables(input.html)) mergeVariables.add(v);
  }
  const now = isoNow(ctx.env);
  const record: CreativeRecord = {
    id: newId(ID_PREFIX.creative),
    account: ctx.account.id,
    seq: ctx.env.store.nextSeq(),
    campaign_id: campaign.id,
    resource_type: type,
    description,
    from: from ?? null,
    details,
    artwork,
    mergeVariables: [...mergeVariables],
    metadata,
    deleted: false,
    date_created: now,
    date_modified: now,
  };
  ctx.env.store.addCreative(record);
  await ctx.env.store.persist();
  return jsonReply(200, viewCreative(ctx.env, record, ctx.origin));
}

export async function retrieveCreative(ctx: RequestContext): Promise<Reply> {
  return jsonReply(200, viewCreative(ctx.env, findCreative(ctx, ctx.params.id), ctx.origin));
}

const CREATIVE_UPDATABLE = new Set(["from", "description", "metadata"]);

export async function updateCreative(ctx: RequestContext): Promise<Reply> {
  const creative = findCreative(ctx, ctx.params.id);
  let body: Record<string, unknown>;
  if (bodyKind(ctx.req) === "multipart") {
    const result = await readMultipart(ctx.req, {
      incomingDir: join(ctx.env.store.filesDir, "incoming"),
      fileFields: [],
      invalid,
    });
    body = result.fields;
  } else {
    body = (await readObjectBody(ctx.req, ["json", "form"], invalid)).body;
  }
  const locked = Object.keys(body).filter((k) => body[k] !== undefined && !CREATIVE_UPDATABLE.has(k));
  if (locked.length > 0) {
    throw invalid(`${locked.join(", ")} cannot be updated; only from, description and metadata can change`);
  }
  const from = readFrom(body, false);
  if (from === null && creative.resource_type === "letter") throw invalid("from is required for letters");
  const description = readString(body, "description", { nullable: true, max: 255 });
  const metadata = readMetadata(body);
  if (from !== undefined) creative.from = from;
  if (description !== undefined) creative.description = description;
  if (metadata !== undefined) creative.metadata = metadata;
  creative.date_modified = isoNow(ctx.env);
  await ctx.env.store.persist();
  return jsonReply(200, viewCreative(ctx.env, creative, ctx.origin));
}
