/**
 * Contract harness: checks HTTP requests and responses against Lob's published OpenAPI file, as
 * the trimmed copy vendored at test/fixtures/lob/lob-api-trimmed.yml (made from Lob's full bundle
 * by scripts/trim-lob-openapi.mjs; test/support-tests/lob-openapi-trim.test.ts keeps it current).
 * Used by the emulator contract tests and by the client request tests, so both sides are held to
 * the same document.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { parse as parseYaml } from "yaml";
import {
  type Direction,
  isJsonObject,
  prepareDocument,
  resolvePointer,
  toPointer,
} from "./openapi-transform.js";

export { CONTRACT_OVERRIDES, type ContractOverride } from "./openapi-transform.js";

const addFormats = addFormatsModule.default;

/** The vendored copy, and only it: the tests never depend on a file outside the repository. */
export const LOB_SPEC_PATH = fileURLToPath(new URL("../fixtures/lob/lob-api-trimmed.yml", import.meta.url));

export interface LobSpec {
  /** The parsed document exactly as published (no overrides). */
  readonly raw: Readonly<Record<string, unknown>>;
  readonly path: string;
}

export interface ContractCheck {
  readonly ok: boolean;
  readonly operationId: string;
  readonly errors: string[];
}

export interface ContractRequest {
  readonly method: string;
  /** `/v1/campaigns/cmp_1`, `/campaigns/cmp_1` or a full URL; the query string is ignored. */
  readonly path: string;
}

export interface ContractResponse {
  readonly status: number;
  /** Parsed JSON; `undefined` or `""` for an empty body. */
  readonly body: unknown;
  /** The Content-Type header; `application/json` is assumed when absent and the body is not empty. */
  readonly contentType?: string;
}

export interface ContractRequestWithBody extends ContractRequest {
  /** Content-Type of the request body; ignored when `body` is empty. */
  readonly contentType?: string;
  /**
   * JSON: the parsed value. Form and multipart: the decoded field object (bracket notation
   * already expanded, e.g. with `qs`); a file part is represented by its filename string.
   */
  readonly body: unknown;
}

export interface OperationMatch {
  readonly operationId: string;
  readonly pathTemplate: string;
}

const HTTP_METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);
const DOC_ID = { request: "lob-request", response: "lob-response" } as const;

let cachedSpec: LobSpec | undefined;

/** Parses Lob's spec once per process. */
export function loadLobSpec(): LobSpec {
  if (cachedSpec) return cachedSpec;
  if (!existsSync(LOB_SPEC_PATH)) {
    throw new Error(
      `Lob's OpenAPI file is not at ${LOB_SPEC_PATH}: it is committed there; regenerate it with scripts/trim-lob-openapi.mjs`,
    );
  }
  const text = readFileSync(LOB_SPEC_PATH, "utf8");
  const raw: unknown = parseYaml(text, { maxAliasCount: -1 });
  if (!isJsonObject(raw) || typeof raw.paths !== "object") {
    throw new Error(`${LOB_SPEC_PATH} is not an OpenAPI document`);
  }
  cachedSpec = { raw, path: LOB_SPEC_PATH };
  return cachedSpec;
}

// ------------------------------------------------------------------------------------- routing

function normalizePath(path: string): string {
  const withoutOrigin = path.replace(/^[a-z]+:\/\/[^/]+/i, "");
  const pathname = withoutOrigin.split(/[?#]/)[0] ?? "";
  const withoutVersion = pathname.replace(/^\/v1(?=\/|$)/, "");
  const trimmed = withoutVersion.length > 1 ? withoutVersion.replace(/\/+$/, "") : withoutVersion;
  return trimmed || "/";
}

function pathsOf(spec: LobSpec): Record<string, unknown> {
  return spec.raw.paths as Record<string, unknown>;
}

/** Literal segments beat `{param}` segments, so `/uploads/{id}/exports` never loses to a template. */
function matchTemplate(template: string, path: string): number | undefined {
  const want = template.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return undefined;
  let literals = 0;
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? "";
    const g = got[i] ?? "";
    if (/^\{[^}]+\}$/.test(w)) {
      if (g === "") return undefined;
    } else if (w === g) {
      literals++;
    } else {
      return undefined;
    }
  }
  return literals;
}

interface ResolvedOperation extends OperationMatch {
  readonly operation: Record<string, unknown>;
  readonly pointer: string;
}

function resolveOperation(spec: LobSpec, method: string, path: string): ResolvedOperation | undefined {
  const verb = method.toLowerCase();
  if (!HTTP_METHODS.has(verb)) return undefined;
  const wanted = normalizePath(path);
  let best: { template: string; score: number } | undefined;
  for (const [template, item] of Object.entries(pathsOf(spec))) {
    if (!isJsonObject(item) || !isJsonObject(item[verb])) continue;
    const score = matchTemplate(template, wanted);
    if (score !== undefined && (!best || score > best.score)) best = { template, score };
  }
  if (!best) return undefined;
  const operation = (pathsOf(spec)[best.template] as Record<string, unknown>)[verb] as Record<
    string,
    unknown
  >;
  return {
    operationId:
      typeof operation.operationId === "string" ? operation.operationId : `${verb} ${best.template}`,
    pathTemplate: best.template,
    operation,
    pointer: toPointer(["paths", best.template, verb]),
  };
}

export function findOperation(spec: LobSpec, method: string, path: string): OperationMatch | undefined {
  const found = resolveOperation(spec, method, path);
  return found && { operationId: found.operationId, pathTemplate: found.pathTemplate };
}

/** Follows `$ref`s (the bundle references whole response objects and even whole content maps). */
function deref(spec: LobSpec, node: unknown, pointer: string): { node: unknown; pointer: string } {
  let current = node;
  let at = pointer;
  for (let hops = 0; isJsonObject(current) && typeof current.$ref === "string"; hops++) {
    if (hops > 20) throw new Error(`$ref cycle at ${pointer}`);
    const ref = current.$ref;
    if (!ref.startsWith("#/")) throw new Error(`external $ref ${ref} is not supported`);
    at = ref.slice(1);
    current = resolvePointer(spec.raw as never, at);
  }
  return { node: current, pointer: at };
}

export function documentedStatuses(spec: LobSpec, method: string, path: string): string[] {
  const op = resolveOperation(spec, method, path);
  if (!op) return [];
  const responses = deref(spec, op.operation.responses, `${op.pointer}/responses`).node;
  return isJsonObject(responses) ? Object.keys(responses) : [];
}

/**
 * Statuses every operation can answer with Lob's error envelope (A) even where the operation
 * documents no such response: authentication is a global security requirement (CONTRACT.md §1.1),
 * the rate limit applies to every endpoint (§1.8, §8.14), and 500/503 are generic error codes of
 * the shared error model (§1.6). They take precedence over a range key such as export create's
 * `4XX` (shape C), whose `code` enum (400, 404) cannot even express them; an exact status key or
 * a `default` response of the operation still wins.
 */
export const GLOBAL_ERROR_STATUSES: readonly number[] = [401, 429, 500, 503];

function pickResponseKey(keys: readonly string[], status: number): string | undefined {
  const exact = keys.find((key) => key === String(status));
  if (exact) return exact;
  const range = keys.find((key) => key.toUpperCase() === `${String(status).charAt(0)}XX`);
  if (range) return range;
  return keys.find((key) => key === "default");
}

// ----------------------------------------------------------------------------------- validation

interface Validators {
  readonly ajv: Ajv;
  readonly compiled: Map<string, ValidateFunction>;
}

const validatorCache = new WeakMap<LobSpec, Map<string, Validators>>();

function createAjv(coerceTypes: boolean): Ajv {
  // strict:false because OpenAPI documents carry keywords (`title`, `default` with odd values,
  // `maxLength` on objects) that draft-07 strict mode rejects; the dialect gaps that matter
  // (nullable, $ref siblings, annotations, readOnly/writeOnly) are translated beforehand.
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, coerceTypes });
  addFormats(ajv);
  // Formats the bundle uses that JSON Schema does not define; they describe, not constrain.
  ajv.addFormat("float", true);
  ajv.addFormat("binary", true);
  return ajv;
}

function validatorsFor(spec: LobSpec, direction: Direction, coerce: boolean): Validators {
  let perSpec = validatorCache.get(spec);
  if (!perSpec) {
    perSpec = new Map();
    validatorCache.set(spec, perSpec);
  }
  const key = `${direction}:${coerce}`;
  let entry = perSpec.get(key);
  if (!entry) {
    const ajv = createAjv(coerce);
    ajv.addSchema(prepareDocument(spec.raw, direction), DOC_ID[direction]);
    entry = { ajv, compiled: new Map() };
    perSpec.set(key, entry);
  }
  return entry;
}

function schemaValidator(
  spec: LobSpec,
  direction: Direction,
  pointer: string,
  coerce = false,
): ValidateFunction {
  const entry = validatorsFor(spec, direction, coerce);
  let validate = entry.compiled.get(pointer);
  if (!validate) {
    const fragment = pointer
      .split("/")
      .map((segment) => encodeURIComponent(segment))
      .join("/");
    validate = entry.ajv.compile({ $ref: `${DOC_ID[direction]}#${fragment}` });
    entry.compiled.set(pointer, validate);
  }
  return validate;
}

function formatAjvError(error: ErrorObject): string {
  const where = error.instancePath || "(root)";
  const params = Object.entries(error.params)
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
    .join(", ");
  return `${where} ${error.message ?? error.keyword}${params ? ` (${params})` : ""}`;
}

function isEmptyBody(body: unknown): boolean {
  return body === undefined || body === "" || body === null;
}

function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? "application/json").split(";")[0]?.trim().toLowerCase() ?? "";
}

function runValidator(validate: ValidateFunction, value: unknown, errors: string[]): void {
  if (!validate(value)) errors.push(...(validate.errors ?? []).map(formatAjvError));
}

/** Validates one response against the operation's documented response for that status. */
export function checkResponse(spec: LobSpec, req: ContractRequest, res: ContractResponse): ContractCheck {
  const op = resolveOperation(spec, req.method, req.path);
  if (!op) {
    return { ok: false, operationId: "", errors: [`no operation in the spec for ${req.method} ${req.path}`] };
  }
  const errors: string[] = [];
  const responses = deref(spec, op.operation.responses, `${op.pointer}/responses`);
  const keys = isJsonObject(responses.node) ? Object.keys(responses.node) : [];
  const key = pickResponseKey(keys, res.status);
  if (GLOBAL_ERROR_STATUSES.includes(res.status) && !keys.includes(String(res.status)) && key !== "default") {
    const global = checkComponentSchema(spec, "error", res.body);
    return { ok: global.ok, operationId: op.operationId, errors: global.errors };
  }
  if (!key) {
    errors.push(
      `undocumented status ${res.status} for ${op.operationId} (documented: ${keys.join(", ") || "none"})`,
    );
    return { ok: false, operationId: op.operationId, errors };
  }
  const response = deref(
    spec,
    (responses.node as Record<string, unknown>)[key],
    `${responses.pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`,
  );
  const content = isJsonObject(response.node)
    ? deref(spec, response.node.content, `${response.pointer}/content`)
    : { node: undefined, pointer: "" };

  if (!isJsonObject(content.node) || Object.keys(content.node).length === 0) {
    if (!isEmptyBody(res.body)) {
      errors.push(
        `status ${res.status} (${key}) of ${op.operationId} documents no body, got ${preview(res.body)}`,
      );
    }
    return { ok: errors.length === 0, operationId: op.operationId, errors };
  }

  const mediaType = mediaTypeOf(res.contentType);
  const media = content.node[mediaType];
  if (!isJsonObject(media)) {
    errors.push(
      `content type ${mediaType} is not documented for ${op.operationId} ${key} (documented: ${Object.keys(content.node).join(", ")})`,
    );
    return { ok: false, operationId: op.operationId, errors };
  }
  if (isEmptyBody(res.body)) {
    errors.push(`status ${res.status} (${key}) of ${op.operationId} documents a ${mediaType} body, got none`);
    return { ok: false, operationId: op.operationId, errors };
  }
  if (media.schema !== undefined) {
    const schemaPointer = `${content.pointer}/${mediaType.replace(/~/g, "~0").replace(/\//g, "~1")}/schema`;
    runValidator(schemaValidator(spec, "response", schemaPointer), res.body, errors);
  }
  return { ok: errors.length === 0, operationId: op.operationId, errors };
}

/**
 * Validates a request body against the operation's requestBody for its content type. Form and
 * multipart fields are strings on the wire, so those bodies are checked with type coercion.
 */
export function checkRequest(spec: LobSpec, req: ContractRequestWithBody): ContractCheck {
  const op = resolveOperation(spec, req.method, req.path);
  if (!op) {
    return { ok: false, operationId: "", errors: [`no operation in the spec for ${req.method} ${req.path}`] };
  }
  const errors: string[] = [];
  const requestBody = deref(spec, op.operation.requestBody, `${op.pointer}/requestBody`);
  if (!isJsonObject(requestBody.node)) {
    if (!isEmptyBody(req.body))
      errors.push(`${op.operationId} documents no request body, got ${preview(req.body)}`);
    return { ok: errors.length === 0, operationId: op.operationId, errors };
  }
  if (isEmptyBody(req.body)) {
    if (requestBody.node.required === true) errors.push(`${op.operationId} requires a request body`);
    return { ok: errors.length === 0, operationId: op.operationId, errors };
  }
  const content = deref(spec, requestBody.node.content, `${requestBody.pointer}/content`);
  const mediaType = mediaTypeOf(req.contentType);
  const media = isJsonObject(content.node) ? content.node[mediaType] : undefined;
  if (!isJsonObject(media)) {
    const documented = isJsonObject(content.node) ? Object.keys(content.node).join(", ") : "none";
    errors.push(
      `request content type ${mediaType} is not accepted by ${op.operationId} (documented: ${documented})`,
    );
    return { ok: false, operationId: op.operationId, errors };
  }
  if (media.schema !== undefined) {
    const schemaPointer = `${content.pointer}/${mediaType.replace(/~/g, "~0").replace(/\//g, "~1")}/schema`;
    const coerce = mediaType !== "application/json";
    // Coercion rewrites values in place; validate a copy so the caller's object stays as sent.
    runValidator(schemaValidator(spec, "request", schemaPointer, coerce), structuredClone(req.body), errors);
  }
  return { ok: errors.length === 0, operationId: op.operationId, errors };
}

/** Validates a value against `#/components/schemas/<name>` (e.g. `error` for unknown routes). */
export function checkComponentSchema(spec: LobSpec, name: string, value: unknown): ContractCheck {
  const pointer = toPointer(["components", "schemas", name]);
  resolvePointer(spec.raw as never, pointer);
  const errors: string[] = [];
  runValidator(schemaValidator(spec, "response", pointer), value, errors);
  return { ok: errors.length === 0, operationId: `#/components/schemas/${name}`, errors };
}

function preview(body: unknown): string {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

export function formatContractFailure(
  req: ContractRequest,
  res: ContractResponse,
  check: ContractCheck,
): string {
  return [
    `${req.method.toUpperCase()} ${req.path} -> ${res.status} does not match Lob's OpenAPI (${check.operationId || "no operation"}):`,
    ...check.errors.map((error) => `  - ${error}`),
    `  body: ${preview(res.body)}`,
  ].join("\n");
}

/** Throws a readable error listing every schema violation. */
export function assertMatchesSpec(req: ContractRequest, res: ContractResponse): void {
  const check = checkResponse(loadLobSpec(), req, res);
  if (!check.ok) throw new Error(formatContractFailure(req, res, check));
}
