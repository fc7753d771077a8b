/**
 * Contract harness for the GitHub REST double and our Octokit client: every request and response
 * is checked against GitHub's own OpenAPI description, the trimmed copy vendored at
 * test/fixtures/github/github-api-trimmed.yml (made by scripts/trim-github-openapi.mjs).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { parse as parseYaml } from "yaml";
import {
  type Direction,
  isJsonObject,
  resolvePointer,
  toPointer,
  translateDocument,
} from "./openapi-transform.js";

const addFormats = addFormatsModule.default;

export const GITHUB_SPEC_PATH = fileURLToPath(
  new URL("../fixtures/github/github-api-trimmed.yml", import.meta.url),
);

/**
 * GitHub documents authentication, rate limits and token permissions for the whole API, not per
 * operation: a bad token answers 401, a secondary rate limit 403 or 429, a token without the
 * permission 403, each with the basic error body. Those statuses are checked against that schema
 * where an operation omits them.
 */
const API_WIDE_STATUSES = [401, 403, 429];

type Raw = Record<string, unknown>;
let raw: Raw | undefined;
const validators = new Map<string, ValidateFunction>();
const ajvs = new Map<Direction, Ajv>();

let plain: Ajv | undefined;
/** For parameter and header schemas (small, inline): one instance, which caches what it compiles. */
function plainAjv(): Ajv {
  plain ??= new Ajv({ strict: false, allErrors: true });
  return plain;
}

export function loadGitHubSpec(): Raw {
  raw ??= parseYaml(readFileSync(GITHUB_SPEC_PATH, "utf8")) as Raw;
  return raw;
}

function ajvFor(direction: Direction): Ajv {
  let ajv = ajvs.get(direction);
  if (!ajv) {
    ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, coerceTypes: false });
    addFormats(ajv);
    // OpenAPI's numeric formats describe, they do not constrain.
    ajv.addFormat("int64", true);
    ajv.addFormat("int32", true);
    ajv.addSchema(translateDocument(loadGitHubSpec(), direction), `github-${direction}`);
    ajvs.set(direction, ajv);
  }
  return ajv;
}

function validatorAt(direction: Direction, pointer: string): ValidateFunction {
  const key = `${direction}:${pointer}`;
  let validate = validators.get(key);
  if (!validate) {
    const fragment = pointer
      .split("/")
      .map((segment) => encodeURIComponent(segment))
      .join("/");
    validate = ajvFor(direction).compile({ $ref: `github-${direction}#${fragment}` });
    validators.set(key, validate);
  }
  return validate;
}

export interface GitHubOperation {
  readonly operationId: string;
  readonly template: string;
  readonly method: string;
  readonly pointer: string;
  readonly operation: Raw;
  readonly params: Record<string, string>;
}

/** The documented operation for a method and path (query ignored), with its path parameters. */
export function findGitHubOperation(method: string, path: string): GitHubOperation | undefined {
  const pathname = new URL(path, "http://double.invalid").pathname;
  const verb = method.toLowerCase();
  for (const [template, item] of Object.entries(loadGitHubSpec().paths as Raw)) {
    if (!isJsonObject(item) || !isJsonObject(item[verb])) continue;
    const want = template.split("/");
    const got = pathname.split("/");
    if (want.length !== got.length) continue;
    const params: Record<string, string> = {};
    const matches = want.every((segment, i) => {
      const name = /^\{(.+)\}$/.exec(segment)?.[1];
      if (name) {
        params[name] = decodeURIComponent(got[i] ?? "");
        return (got[i] ?? "") !== "";
      }
      return segment === got[i];
    });
    if (!matches) continue;
    const operation = item[verb] as Raw;
    return {
      operationId: String(operation.operationId),
      template,
      method: verb,
      pointer: toPointer(["paths", template, verb]),
      operation,
      params,
    };
  }
  return undefined;
}

function deref(node: unknown): unknown {
  let current = node;
  for (let hops = 0; isJsonObject(current) && typeof current.$ref === "string"; hops++) {
    if (hops > 10) throw new Error("$ref cycle");
    current = resolvePointer(loadGitHubSpec() as never, current.$ref.slice(1));
  }
  return current;
}

function format(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || "(root)"} ${e.message ?? e.keyword}`);
}

function checkValue(direction: Direction, pointer: string, value: unknown): string[] {
  const validate = validatorAt(direction, pointer);
  return validate(value) ? [] : format(validate.errors);
}

export interface GitHubExchange {
  readonly method: string;
  /** Path and query, e.g. `/repos/o/r/issues/1/comments?per_page=100&page=2`. */
  readonly path: string;
  readonly requestHeaders: Readonly<Record<string, string | string[] | undefined>>;
  readonly requestBody: unknown;
  readonly status: number;
  readonly responseHeaders: Readonly<Record<string, string>>;
  readonly responseBody: unknown;
}

/** Every way the request breaks the documented operation: path, query parameters, body. */
export function checkGitHubRequest(ex: Pick<GitHubExchange, "method" | "path" | "requestBody">): string[] {
  const op = findGitHubOperation(ex.method, ex.path);
  if (!op) return [`no operation in GitHub's OpenAPI for ${ex.method} ${ex.path}`];
  const errors: string[] = [];
  const query = new URL(ex.path, "http://double.invalid").searchParams;
  const parameters = ((op.operation.parameters as unknown[]) ?? []).map(deref).filter(isJsonObject);
  const known = new Set(parameters.filter((p) => p.in === "query").map((p) => String(p.name)));
  for (const name of query.keys()) {
    if (!known.has(name)) errors.push(`query parameter ${name} is not documented for ${op.operationId}`);
  }
  for (const parameter of parameters) {
    const value =
      parameter.in === "query"
        ? query.get(String(parameter.name))
        : parameter.in === "path"
          ? op.params[String(parameter.name)]
          : undefined;
    if (value === undefined || value === null) {
      if (parameter.required === true)
        errors.push(`${parameter.in} parameter ${String(parameter.name)} is required`);
      continue;
    }
    const schema = isJsonObject(parameter.schema) ? parameter.schema : {};
    const typed = schema.type === "integer" && /^-?\d+$/.test(value) ? Number(value) : value;
    const ajv = plainAjv();
    if (!ajv.validate(schema, typed))
      errors.push(
        `${parameter.in} parameter ${String(parameter.name)}=${value}: ${format(ajv.errors).join("; ")}`,
      );
  }
  const requestBody = deref(op.operation.requestBody);
  if (isJsonObject(requestBody)) {
    if (ex.requestBody === undefined) {
      if (requestBody.required === true) errors.push(`${op.operationId} requires a JSON body`);
    } else {
      errors.push(
        ...checkValue(
          "request",
          `${op.pointer}/requestBody/content/application~1json/schema`,
          ex.requestBody,
        ),
      );
    }
  } else if (ex.requestBody !== undefined) {
    errors.push(`${op.operationId} documents no request body`);
  }
  return errors.map((e) => `${op.operationId}: ${e}`);
}

/** Every way the response breaks the documented one for its status (API-wide errors: see above). */
export function checkGitHubResponse(
  ex: Pick<GitHubExchange, "method" | "path" | "status" | "responseBody" | "responseHeaders">,
): string[] {
  const op = findGitHubOperation(ex.method, ex.path);
  if (!op) return [`no operation in GitHub's OpenAPI for ${ex.method} ${ex.path}`];
  const responses = op.operation.responses as Raw;
  const documented = responses[String(ex.status)];
  if (documented === undefined) {
    if (API_WIDE_STATUSES.includes(ex.status)) {
      return checkValue("response", "/components/schemas/basic-error", ex.responseBody).map(
        (e) => `${op.operationId} ${ex.status} (basic-error): ${e}`,
      );
    }
    return [
      `${op.operationId}: status ${ex.status} is not documented (${Object.keys(responses).join(", ")})`,
    ];
  }
  const response = deref(documented);
  if (!isJsonObject(response)) return [`${op.operationId}: response ${ex.status} is not an object`];
  const errors: string[] = [];
  const content = isJsonObject(response.content) ? response.content : undefined;
  if (!content) {
    if (ex.responseBody !== undefined) errors.push(`status ${ex.status} documents no body`);
  } else {
    const type = (ex.responseHeaders["content-type"] ?? "").split(";")[0]?.trim() ?? "";
    if (!isJsonObject(content[type])) errors.push(`content type '${type}' is not documented`);
    else {
      const pointer =
        isJsonObject(documented) && typeof documented.$ref === "string"
          ? `${documented.$ref.slice(1)}/content/application~1json/schema`
          : `${op.pointer}/responses/${ex.status}/content/application~1json/schema`;
      errors.push(...checkValue("response", pointer, ex.responseBody));
    }
  }
  for (const [name, header] of Object.entries(isJsonObject(response.headers) ? response.headers : {})) {
    const spec = deref(header);
    const value = ex.responseHeaders[name.toLowerCase()];
    if (value === undefined) continue;
    const schema = isJsonObject(spec) && isJsonObject(spec.schema) ? spec.schema : {};
    const ajv = plainAjv();
    if (!ajv.validate(schema, value)) errors.push(`header ${name}: ${format(ajv.errors).join("; ")}`);
  }
  return errors.map((e) => `${op.operationId} ${ex.status}: ${e}`);
}

/** All violations of a list of exchanges, one line each (empty when everything matches). */
export function githubContractViolations(exchanges: readonly GitHubExchange[]): string[] {
  return exchanges.flatMap((ex) => [
    ...checkGitHubRequest(ex).map((e) => `${ex.method} ${ex.path} request: ${e}`),
    ...checkGitHubResponse(ex).map((e) => `${ex.method} ${ex.path} -> ${ex.status}: ${e}`),
  ]);
}
