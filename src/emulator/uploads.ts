import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { ExportType, ReportRowStatus } from "../lob/wire.js";
import { isPlainObject } from "../core/objects.js";
import { ID_PATTERN, ID_PREFIX } from "../lob/wire.js";
import type { RequestContext } from "./context.js";
import { isoNow } from "./context.js";
import type { Reply } from "./http.js";
import { bodyKind, exportError, jsonReply, lobError, readObjectBody, uploadError } from "./http.js";
import { discardParts, keepPart, readMultipart } from "./multipart.js";
import { uploadFilePath } from "./processing.js";
import type { ExportRecord, UploadRecord } from "./store.js";
import { newId } from "./store.js";
import { liveUploadsOf, viewUpload } from "./views.js";

const REQUIRED_KEYS = ["name", "address_line1", "address_city", "address_state", "address_zip"] as const;
const OPTIONAL_KEYS = ["address_line2", "company", "address_country"] as const;

function shapeB(message: string) {
  return uploadError(["body"], message, "value_error");
}

export function findUpload(ctx: RequestContext, id: string | undefined): UploadRecord {
  if (id === undefined || !ID_PATTERN.upload.test(id)) {
    throw uploadError(
      ["path", "upl_id"],
      `string does not match regex "${ID_PATTERN.upload.source}"`,
      "value_error.str.regex",
    );
  }
  const u = ctx.env.store.data.uploads[id];
  if (!u || u.deleted || u.account !== ctx.account.id) throw lobError(404, "not_found", "upload not found");
  return u;
}

async function readUploadJson(ctx: RequestContext): Promise<Record<string, unknown>> {
  const kind = bodyKind(ctx.req);
  if (kind !== "json" && kind !== "none") {
    for await (const _chunk of ctx.req) void _chunk;
    throw uploadError(
      ["body"],
      "upload bodies must be JSON (Content-Type: application/json)",
      "type_error.json",
    );
  }
  return (await readObjectBody(ctx.req, ["json"], shapeB)).body;
}

function readMapping<K extends string>(
  body: Record<string, unknown>,
  field: string,
  keys: readonly K[],
): Record<K, string | null> | undefined {
  if (!Object.hasOwn(body, field) || body[field] === undefined) return undefined;
  const value = body[field];
  if (!isPlainObject(value))
    throw uploadError(["body", field], "value is not a valid dict", "type_error.dict");
  const out = {} as Record<K, string | null>;
  for (const key of keys) {
    if (!Object.hasOwn(value, key))
      throw uploadError(["body", field, key], "field required", "value_error.missing");
    const v = value[key];
    if (v !== null && typeof v !== "string")
      throw uploadError(["body", field, key], "str type expected", "type_error.str");
    out[key] = v === "" ? null : v;
  }
  return out;
}

function readMergeMapping(body: Record<string, unknown>): Record<string, string> | null | undefined {
  const field = "mergeVariableColumnMapping";
  if (!Object.hasOwn(body, field) || body[field] === undefined) return undefined;
  const value = body[field];
  if (value === null) return null;
  if (!isPlainObject(value))
    throw uploadError(["body", field], "value is not a valid dict", "type_error.dict");
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== "string") throw uploadError(["body", field, key], "str type expected", "type_error.str");
    out[key] = v;
  }
  return out;
}

function readUploadMetadata(body: Record<string, unknown>): { columns: string[] } | undefined {
  if (!Object.hasOwn(body, "metadata") || body.metadata === undefined) return undefined;
  const value = body.metadata;
  if (!isPlainObject(value))
    throw uploadError(["body", "metadata"], "value is not a valid dict", "type_error.dict");
  const columns = value.columns ?? [];
  if (!Array.isArray(columns) || columns.some((c) => typeof c !== "string")) {
    throw uploadError(
      ["body", "metadata", "columns"],
      "value is not a valid list of strings",
      "type_error.list",
    );
  }
  return { columns: [...(columns as string[])] };
}

function assertDraft(upload: UploadRecord, what: string): void {
  if (upload.state !== "Draft") {
    throw uploadError(
      ["path", "upl_id"],
      `upload ${upload.id} is ${upload.state}; ${what} only while it is Draft (before the campaign is sent)`,
      "value_error.state",
    );
  }
}

export async function createUpload(ctx: RequestContext): Promise<Reply> {
  const body = await readUploadJson(ctx);
  const campaignId = body.campaignId;
  if (campaignId === undefined || campaignId === null) {
    throw uploadError(["body", "campaignId"], "field required", "value_error.missing");
  }
  if (typeof campaignId !== "string" || !ID_PATTERN.campaign.test(campaignId)) {
    throw uploadError(
      ["body", "campaignId"],
      `string does not match regex "${ID_PATTERN.campaign.source}"`,
      "value_error.str.regex",
    );
  }
  const required = readMapping(body, "requiredAddressColumnMapping", REQUIRED_KEYS);
  const optional = readMapping(body, "optionalAddressColumnMapping", OPTIONAL_KEYS);
  const merge = readMergeMapping(body);
  const metadata = readUploadMetadata(body);
  const campaign = ctx.env.store.data.campaigns[campaignId];
  if (!campaign || campaign.deleted || campaign.account !== ctx.account.id) {
    throw uploadError(["body", "campaignId"], `campaign ${campaignId} not found`, "value_error.not_found");
  }
  if (!campaign.is_draft) {
    throw uploadError(["body", "campaignId"], `campaign ${campaignId} has been sent`, "value_error.state");
  }
  const existing = liveUploadsOf(ctx.env, campaign)[0];
  if (existing) {
    throw uploadError(
      ["body", "campaignId"],
      `campaign ${campaignId} already has an upload (${existing.id}); a campaign holds at most one`,
      "value_error.conflict",
    );
  }
  const now = isoNow(ctx.env);
  const record: UploadRecord = {
    id: newId(ID_PREFIX.upload),
    account: ctx.account.id,
    mode: ctx.account.mode,
    seq: ctx.env.store.nextSeq(),
    campaignId,
    requiredAddressColumnMapping: required ?? {
      name: null,
      address_line1: null,
      address_city: null,
      address_state: null,
      address_zip: null,
    },
    optionalAddressColumnMapping: optional ?? { address_line2: null, company: null, address_country: null },
    mergeVariableColumnMapping: merge ?? null,
    metadata: metadata ?? { columns: [] },
    state: "Draft",
    totalMailpieces: 0,
    validatedMailpieces: 0,
    failedMailpieces: 0,
    bytesProcessed: 0,
    deleted: false,
    dateCreated: now,
    dateModified: now,
  };
  ctx.env.store.addUpload(record);
  await ctx.env.store.persist();
  return jsonReply(201, viewUpload(record));
}

export async function listUploads(ctx: RequestContext): Promise<Reply> {
  const campaignId = new URLSearchParams(ctx.rawQuery).get("campaignId");
  const candidates = campaignId
    ? ctx.env.store.uploadsOf(campaignId)
    : Object.values(ctx.env.store.data.uploads);
  const uploads = candidates
    .filter((u) => u.account === ctx.account.id && !u.deleted)
    .sort((a, b) => b.seq - a.seq);
  return jsonReply(200, uploads.map(viewUpload));
}

export async function retrieveUpload(ctx: RequestContext): Promise<Reply> {
  return jsonReply(200, viewUpload(findUpload(ctx, ctx.params.id)));
}

export async function updateUpload(ctx: RequestContext): Promise<Reply> {
  const upload = findUpload(ctx, ctx.params.id);
  const body = await readUploadJson(ctx);
  for (const field of ["campaignId", "state"]) {
    if (Object.hasOwn(body, field)) {
      throw uploadError(["body", field], `${field} cannot be updated`, "value_error.extra");
    }
  }
  let originalFilename: string | undefined;
  if (Object.hasOwn(body, "originalFilename")) {
    if (typeof body.originalFilename !== "string") {
      throw uploadError(["body", "originalFilename"], "str type expected", "type_error.str");
    }
    originalFilename = body.originalFilename;
  }
  const required = readMapping(body, "requiredAddressColumnMapping", REQUIRED_KEYS);
  const optional = readMapping(body, "optionalAddressColumnMapping", OPTIONAL_KEYS);
  const merge = readMergeMapping(body);
  const metadata = readUploadMetadata(body);
  assertDraft(upload, "it can change");
  // Mapping objects are replaced whole, never merged, as Lob's API reference says.
  if (originalFilename !== undefined) upload.originalFilename = originalFilename;
  if (required) upload.requiredAddressColumnMapping = required;
  if (optional) upload.optionalAddressColumnMapping = optional;
  if (merge !== undefined) upload.mergeVariableColumnMapping = merge;
  if (metadata) upload.metadata = metadata;
  upload.dateModified = isoNow(ctx.env);
  await ctx.env.store.persist();
  return jsonReply(200, viewUpload(upload));
}

export async function deleteUpload(ctx: RequestContext): Promise<Reply> {
  const upload = findUpload(ctx, ctx.params.id);
  assertDraft(upload, "it can be deleted");
  upload.deleted = true;
  upload.dateModified = isoNow(ctx.env);
  await ctx.env.store.persist();
  if (upload.file) await rm(uploadFilePath(ctx.env.store, upload.file.name), { force: true });
  return { status: 204 };
}

export async function uploadFile(ctx: RequestContext): Promise<Reply> {
  const upload = findUpload(ctx, ctx.params.id);
  if (bodyKind(ctx.req) !== "multipart") {
    for await (const _chunk of ctx.req) void _chunk;
    throw uploadError(["body", "file"], "field required", "value_error.missing");
  }
  const { files } = await readMultipart(ctx.req, {
    incomingDir: join(ctx.env.store.filesDir, "incoming"),
    fileFields: ["file"],
    invalid: (message) => uploadError(["body", "file"], message, "value_error"),
    maxFiles: 1,
  });
  try {
    const part = files[0];
    if (!part) throw uploadError(["body", "file"], "field required", "value_error.missing");
    assertDraft(upload, "its file can be replaced");
    const name = `${upload.id}-${randomBytes(6).toString("hex")}.csv`;
    await keepPart(part, uploadFilePath(ctx.env.store, name));
    const previous = upload.file;
    upload.file = { name, size: part.size, sha256: part.sha256 };
    upload.originalFilename = part.filename;
    upload.bytesProcessed = part.size;
    upload.dateModified = isoNow(ctx.env);
    await ctx.env.store.persist();
    if (previous) await rm(uploadFilePath(ctx.env.store, previous.name), { force: true });
    return jsonReply(202, { message: "File uploaded successfully", filename: part.filename });
  } finally {
    await discardParts(files);
  }
}

const EXPORT_TYPES: readonly ExportType[] = ["all", "failures", "successes"];
const INVALID_BODY = "Invalid body, check 'errors' property for more info.";

export async function createExport(ctx: RequestContext): Promise<Reply> {
  const id = ctx.params.id;
  const upload = id === undefined ? undefined : ctx.env.store.data.uploads[id];
  if (!upload || upload.deleted || upload.account !== ctx.account.id) {
    for await (const _chunk of ctx.req) void _chunk;
    throw exportError(404, "upload not found", [`upload ${id ?? ""} not found`]);
  }
  const kind = bodyKind(ctx.req);
  if (kind !== "json") {
    for await (const _chunk of ctx.req) void _chunk;
    throw exportError(400, INVALID_BODY, ["body must be JSON (Content-Type: application/json)"]);
  }
  const { body } = await readObjectBody(ctx.req, ["json"], (m) => exportError(400, INVALID_BODY, [m]));
  if (typeof body.type !== "string") throw exportError(400, INVALID_BODY, ["type must be a string"]);
  if (!(EXPORT_TYPES as readonly string[]).includes(body.type)) {
    throw exportError(400, INVALID_BODY, [`type must be one of ${EXPORT_TYPES.join(", ")}`]);
  }
  const now = isoNow(ctx.env);
  const record: ExportRecord = {
    id: newId(ID_PREFIX.export),
    account: ctx.account.id,
    uploadId: upload.id,
    type: body.type as ExportType,
    state: "in_progress",
    fileName: null,
    deleted: false,
    dateCreated: now,
    dateModified: now,
  };
  ctx.env.store.data.exports[record.id] = record;
  await ctx.env.store.persist();
  ctx.env.processor.startExport(record.id);
  return jsonReply(200, { message: "Export is processing.", exportId: record.id });
}

export async function retrieveExport(ctx: RequestContext): Promise<Reply> {
  const upload = findUpload(ctx, ctx.params.id);
  const record =
    ctx.params.exportId === undefined ? undefined : ctx.env.store.data.exports[ctx.params.exportId];
  if (!record || record.uploadId !== upload.id || record.account !== ctx.account.id) {
    throw lobError(404, "not_found", "export not found");
  }
  return jsonReply(200, {
    id: record.id,
    dateCreated: record.dateCreated,
    dateModified: record.dateModified,
    deleted: record.deleted,
    s3Url: record.fileName ? `${ctx.origin}/_emulator/files/exports/${record.fileName}` : null,
    state: record.state,
    type: record.type,
    uploadId: record.uploadId,
  });
}

const REPORT_STATUSES: readonly ReportRowStatus[] = ["Validated", "Failed", "Processing"];

function readQueryInt(
  params: URLSearchParams,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = params.get(name);
  if (text === null || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw uploadError(
      ["query", name],
      `ensure this value is an integer between ${min} and ${max}`,
      "value_error.number",
    );
  }
  return value;
}

export async function retrieveReport(ctx: RequestContext): Promise<Reply> {
  const upload = findUpload(ctx, ctx.params.id);
  const params = new URLSearchParams(ctx.rawQuery);
  const statusText = params.get("status");
  let status: ReportRowStatus | undefined;
  if (statusText !== null && statusText !== "") {
    if (!(REPORT_STATUSES as readonly string[]).includes(statusText)) {
      throw uploadError(
        ["query", "status"],
        `value is not one of ${REPORT_STATUSES.join(", ")}`,
        "type_error.enum",
      );
    }
    status = statusText as ReportRowStatus;
  }
  const limit = readQueryInt(params, "limit", 100, 1, 100);
  const offset = readQueryInt(params, "offset", 0, 0, Number.MAX_SAFE_INTEGER);
  const { rows, total } = await ctx.env.processor.readReport(upload, { status, limit, offset });
  const link = (o: number) =>
    `${ctx.origin}/v1/uploads/${upload.id}/report?limit=${limit}&offset=${o}${status ? `&status=${status}` : ""}`;
  return jsonReply(200, {
    data: rows,
    next_url: offset + rows.length < total ? link(offset + limit) : null,
    prev_url: offset > 0 ? link(Math.max(0, offset - limit)) : null,
    count: rows.length,
    total_count: total,
    offset,
  });
}
