/**
 * Turns Lob's OpenAPI 3.0.3 document into something Ajv (draft-07) validates with OpenAPI
 * semantics, and applies the small, explicit list of contract overrides.
 *
 * OpenAPI 3.0 schemas are a JSON-Schema dialect: `nullable` instead of a "null" type, `$ref`
 * siblings ignored, extra annotation keywords (`example`, `xml`, `discriminator`, ...) and
 * `readOnly`/`writeOnly` that depend on the direction of the message.
 */

export type Direction = "request" | "response";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const ANNOTATION_ONLY = ["example", "xml", "externalDocs", "discriminator"] as const;
const SCHEMA_MAPS = ["properties", "patternProperties", "definitions"] as const;
const SCHEMA_LISTS = ["allOf", "anyOf", "oneOf"] as const;
const SCHEMA_SINGLES = ["not", "additionalProperties", "items", "additionalItems"] as const;
const COMPOSITION = ["$ref", "allOf", "anyOf", "oneOf", "not"] as const;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Deep copy; the raw document stays untouched so overrides of one direction cannot leak. */
function cloneJson<T>(value: T): T {
  return structuredClone(value);
}

/**
 * One schema node to Ajv draft-07. `direction` decides which of readOnly/writeOnly properties
 * stop being required: a readOnly property is never sent, a writeOnly one never returned.
 */
function transformSchema(node: Json, direction: Direction): Json {
  if (Array.isArray(node)) return node.map((item) => transformSchema(item, direction));
  if (!isJsonObject(node)) return node;

  // OpenAPI 3.0: a $ref replaces its siblings (except our nullable handling below).
  if (typeof node.$ref === "string") {
    const ref: JsonObject = { $ref: node.$ref };
    return node.nullable === true ? { anyOf: [ref, { type: "null" }] } : ref;
  }

  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if ((ANNOTATION_ONLY as readonly string[]).includes(key) || key.startsWith("x-")) continue;
    if ((SCHEMA_MAPS as readonly string[]).includes(key) && isJsonObject(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, transformSchema(sub, direction)]),
      );
    } else if ((SCHEMA_LISTS as readonly string[]).includes(key) && Array.isArray(value)) {
      out[key] = value.map((sub) => transformSchema(sub, direction));
    } else if ((SCHEMA_SINGLES as readonly string[]).includes(key) && typeof value === "object") {
      out[key] = transformSchema(value, direction);
    } else {
      out[key] = value;
    }
  }

  dropDirectionalRequired(out, direction);

  if (out.nullable !== true) {
    delete out.nullable;
    return out;
  }
  delete out.nullable;
  const composed = COMPOSITION.some((key) => key in out);
  if (composed) return { anyOf: [out, { type: "null" }] };
  if (typeof out.type === "string") out.type = [out.type, "null"];
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  return out;
}

function dropDirectionalRequired(schema: JsonObject, direction: Direction): void {
  const props = schema.properties;
  if (!isJsonObject(props) || !Array.isArray(schema.required)) return;
  const hidden = direction === "response" ? "writeOnly" : "readOnly";
  schema.required = schema.required.filter((name) => {
    const prop = typeof name === "string" ? props[name] : undefined;
    return !(isJsonObject(prop) && prop[hidden] === true);
  });
}

/**
 * Walks the non-schema parts of the document (paths, operations, responses, media types) and
 * transforms every schema it reaches. Examples and code samples are data, never schemas.
 */
function transformDocumentNode(node: Json, direction: Direction, parentKey: string): Json {
  if (Array.isArray(node)) return node.map((item) => transformDocumentNode(item, direction, parentKey));
  if (!isJsonObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "example" || key === "examples" || key.startsWith("x-")) {
      out[key] = value;
    } else if (key === "schema") {
      out[key] = transformSchema(value, direction);
    } else if (key === "schemas" && parentKey === "components" && isJsonObject(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, transformSchema(sub, direction)]),
      );
    } else {
      out[key] = transformDocumentNode(value, direction, key);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Overrides: where the published spec contradicts real Lob traffic (CONTRACT.md §8), or where it
// is so loose that the three error shapes (CONTRACT.md §1.6) would be indistinguishable. Each
// entry names one location and fails loudly if the spec no longer has it, so an updated spec
// forces a review instead of silently keeping a stale exception.
// ---------------------------------------------------------------------------------------------

export interface ContractOverride {
  readonly id: string;
  readonly direction: Direction | "both";
  /** The CONTRACT.md section that documents the disagreement. */
  readonly cites: string;
  readonly why: string;
  readonly apply: (doc: JsonObject) => void;
}

function escapePointerSegment(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

function unescapePointerSegment(segment: string): string {
  return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}

export function toPointer(segments: readonly string[]): string {
  return segments.map((segment) => "/" + escapePointerSegment(segment)).join("");
}

/** Follows a JSON pointer inside the raw document; throws when the spec changed under us. */
export function resolvePointer(doc: Json, pointer: string): Json {
  let node: Json = doc;
  for (const raw of pointer.split("/").slice(1)) {
    const segment = unescapePointerSegment(raw);
    if (Array.isArray(node) && /^\d+$/.test(segment) && Number(segment) < node.length) {
      node = node[Number(segment)] as Json;
    } else if (isJsonObject(node) && segment in node) {
      node = node[segment] as Json;
    } else {
      throw new Error(`OpenAPI pointer ${pointer} does not exist (at "${segment}")`);
    }
  }
  return node;
}

function objectAt(doc: JsonObject, pointer: string): JsonObject {
  const node = resolvePointer(doc, pointer);
  if (!isJsonObject(node)) throw new Error(`OpenAPI pointer ${pointer} is not an object`);
  return node;
}

function removeRequired(doc: JsonObject, pointer: string, name: string): void {
  const schema = objectAt(doc, pointer);
  const required = schema.required;
  if (!Array.isArray(required) || !required.includes(name)) {
    throw new Error(`override target ${pointer} no longer requires "${name}"`);
  }
  schema.required = required.filter((entry) => entry !== name);
}

const EXPORT_RETRIEVE_SCHEMA = toPointer([
  "paths",
  "/uploads/{upl_id}/exports/{ex_id}",
  "get",
  "responses",
  "200",
  "content",
  "application/json",
  "schema",
]);
const REPORT_SCHEMA = toPointer([
  "paths",
  "/uploads/{upl_id}/report",
  "get",
  "responses",
  "200",
  "content",
  "application/json",
  "schema",
]);

export const CONTRACT_OVERRIDES: readonly ContractOverride[] = [
  {
    id: "export-s3url-nullable",
    direction: "response",
    cites: "CONTRACT.md §8.17 (and §5.7)",
    why: "s3Url is null while the export is in_progress (spec example shows null) but is not declared nullable",
    apply: (doc) => {
      objectAt(doc, `${EXPORT_RETRIEVE_SCHEMA}/properties/s3Url`).nullable = true;
    },
  },
  {
    id: "report-offset-not-required",
    direction: "response",
    cites: "CONTRACT.md §8.16 (and §5.9)",
    why: "the report schema requires `offset` but never defines it; the documented envelope has no offset",
    apply: (doc) => removeRequired(doc, REPORT_SCHEMA, "offset"),
  },
  {
    id: "creative-from-optional",
    direction: "response",
    cites: "CONTRACT.md §8.10 (and §4.1)",
    why: "`from` is optional at create for postcards/self-mailers, so a creative made without it cannot return one; letters still require it through their oneOf branch",
    apply: (doc) => {
      removeRequired(doc, "/components/schemas/creative/allOf/2", "from");
      objectAt(doc, "/components/schemas/creative_base/properties/from").nullable = true;
    },
  },
  {
    id: "upload-422-requires-detail",
    direction: "response",
    cites: "CONTRACT.md §1.6 B and §8.18",
    why: "tightening: the pydantic error schema requires nothing, so a Lob envelope {error:{...}} would pass as an upload 422",
    apply: (doc) => {
      objectAt(
        doc,
        "/components/responses/upload_validation_error/content/application~1json/schema",
      ).required = ["detail"];
    },
  },
  {
    id: "campaign-deleted-requires-fields",
    direction: "response",
    cites: "CONTRACT.md §3.4 (DELETE /campaigns → {id, deleted:true})",
    why: "tightening: the delete response schema requires nothing, so any JSON object would pass",
    apply: (doc) => {
      objectAt(doc, "/components/responses/campaign_deleted/content/application~1json/schema").required = [
        "id",
        "deleted",
      ];
    },
  },
  {
    id: "creative-details-color-optional",
    direction: "request",
    cites: "CONTRACT.md §8.9 (and §4.2)",
    why: "postcard/self-mailer details require `color` without defining it; Lob's own SDK test omits it successfully",
    apply: (doc) => {
      removeRequired(doc, "/components/schemas/writable", "color");
      removeRequired(doc, "/components/schemas/writable-3", "color");
    },
  },
  {
    id: "export-message-with-period",
    direction: "response",
    cites: "Lob's generated SDKs (PHP, Java, Python, Ruby, Go, TypeScript)",
    why: 'every SDK generated from this spec expects "Export is processing." with the period, and the PHP SDK rejects any other value at run time; the emulator follows the SDKs',
    apply: (doc) => {
      const message = objectAt(doc, "/components/schemas/upload_create_export/properties/message");
      const published = "Export is processing";
      if (!Array.isArray(message.enum) || message.enum[0] !== published || message.default !== published) {
        throw new Error(`override target upload_create_export.message is no longer "${published}"`);
      }
      message.enum = [`${published}.`];
      message.default = `${published}.`;
    },
  },
  {
    id: "campaign-use-type-optional",
    direction: "request",
    cites: "CONTRACT.md §8.2",
    why: "use_type is required but nullable; help and SDK tests omit it when the account has a default",
    apply: (doc) => removeRequired(doc, "/components/schemas/campaign_writable", "use_type"),
  },
  {
    id: "resource-proof-thumbnails-any-host",
    direction: "response",
    cites: "signed_link (Asset URLs): only Lob's own CDN, lob-assets.com, can serve a link of that pattern",
    why: "an emulator serves its proofs' thumbnails itself: the links keep their shape (small/medium/large strings), not Lob's host",
    apply: (doc) => {
      const items = objectAt(doc, "/components/schemas/resource_proof_base/properties/thumbnails/items");
      if (items.$ref !== "#/components/schemas/thumbnail") {
        throw new Error("override target resource_proof_base.thumbnails.items is no longer a thumbnail");
      }
      delete items.$ref;
      items.type = "object";
      items.properties = { small: { type: "string" }, medium: { type: "string" }, large: { type: "string" } };
    },
  },
];

/** Any OpenAPI 3.0 document translated for Ajv, without Lob's overrides (GitHub's, say). */
export function translateDocument(raw: Readonly<Record<string, unknown>>, direction: Direction): JsonObject {
  return transformDocumentNode(cloneJson(raw) as JsonObject, direction, "") as JsonObject;
}

/** The document Ajv sees for one direction: overrides applied, then dialect-translated. */
export function prepareDocument(raw: Readonly<Record<string, unknown>>, direction: Direction): JsonObject {
  const doc = cloneJson(raw) as JsonObject;
  for (const override of CONTRACT_OVERRIDES) {
    if (override.direction === direction || override.direction === "both") override.apply(doc);
  }
  return transformDocumentNode(doc, direction, "") as JsonObject;
}
