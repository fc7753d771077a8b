import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import qs from "qs";

/**
 * What a handler answers. Handlers return data instead of writing to the socket so the server can
 * delay it (latency), drop it after the commit (commit_then_drop fault) or decorate it (headers).
 */
export interface Reply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** JSON body; absent = empty body. */
  readonly json?: unknown;
  readonly text?: string;
  readonly stream?: Readable;
}

export class ReplyError extends Error {
  constructor(readonly reply: Reply) {
    super(`emulator reply ${reply.status}`);
    this.name = "ReplyError";
  }
}

export function jsonReply(status: number, body: unknown): Reply {
  return { status, json: body };
}

/** Error shape A: Lob's envelope. */
export function lobError(status: number, code: string, message: string): ReplyError {
  return new ReplyError(jsonReply(status, { error: { message, status_code: status, code } }));
}

/** Error shape B: uploads' pydantic-style 422. */
export function uploadError(loc: readonly (string | number)[], msg: string, type: string): ReplyError {
  return new ReplyError(jsonReply(422, { detail: [{ loc: [...loc], msg, type }] }));
}

/** Error shape C: export create 4xx. */
export function exportError(code: 400 | 404, message: string, errors: readonly string[]): ReplyError {
  return new ReplyError(jsonReply(code, { code, message, errors: [...errors] }));
}

export type BodyKind = "json" | "form" | "multipart" | "none" | "other";

export function bodyKind(req: IncomingMessage): BodyKind {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/json" || type.endsWith("+json")) return "json";
  if (type === "application/x-www-form-urlencoded") return "form";
  if (type === "multipart/form-data") return "multipart";
  if (type === "") return "none";
  return "other";
}

/** JSON/form bodies are small; anything larger is refused rather than buffered. */
export const MAX_SMALL_BODY = 5 * 1024 * 1024;

export async function readSmallBody(req: IncomingMessage, onTooLarge: () => ReplyError): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_SMALL_BODY) throw onTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export type BodyObject = Record<string, unknown>;

/** Bracket-notation form fields (`metadata[key]=v`) become nested objects, as Lob reads them. */
export function parseForm(text: string): BodyObject {
  return qs.parse(text, { depth: 5, arrayLimit: 100, allowDots: false }) as BodyObject;
}

/**
 * Reads a JSON or form body as an object. `invalid` builds the error in the shape the endpoint
 * uses. An empty body is `{}`.
 */
export async function readObjectBody(
  req: IncomingMessage,
  accept: readonly BodyKind[],
  invalid: (message: string) => ReplyError,
): Promise<{ kind: BodyKind; body: BodyObject }> {
  const kind = bodyKind(req);
  const raw = await readSmallBody(req, () => invalid("request body is too large"));
  if (raw.length === 0) return { kind, body: {} };
  if (kind === "none" || kind === "other" || !accept.includes(kind)) {
    throw invalid(`unsupported content type; send ${accept.map(describeKind).join(" or ")}`);
  }
  const text = raw.toString("utf8");
  if (kind === "form") return { kind, body: parseForm(text) };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid("request body is not valid JSON");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw invalid("request body must be a JSON object");
  }
  return { kind, body: value as BodyObject };
}

function describeKind(kind: BodyKind): string {
  if (kind === "json") return "application/json";
  if (kind === "form") return "application/x-www-form-urlencoded";
  return "multipart/form-data";
}
