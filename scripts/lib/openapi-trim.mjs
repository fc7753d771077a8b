// What the two OpenAPI trimmers (trim-lob-openapi.mjs, trim-github-openapi.mjs) share: walking
// `$ref`s, dropping documentation-only keys, and keeping the components the kept paths reach.
// Each script decides which paths to keep and writes its own header.
import { Buffer } from "node:buffer";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";

export const isObject = (value) => typeof value === "object" && value !== null && !Array.isArray(value);

/** `#/components/schemas/x` → ["components", "schemas", "x"] (JSON Pointer escapes undone). */
export function refSegments(ref) {
  if (!ref.startsWith("#/")) throw new Error(`external $ref ${ref} is not supported`);
  return ref
    .slice(2)
    .split("/")
    .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"));
}

export function lookup(doc, segments, ref) {
  let node = doc;
  for (const segment of segments) {
    if (!isObject(node) || !(segment in node)) throw new Error(`$ref ${ref} does not resolve`);
    node = node[segment];
  }
  return node;
}

/**
 * Removes the keys `isDocumentationOnly` names (examples, code samples), never a property's name:
 * under `properties` every key is a name.
 */
export function stripDocumentationOnly(node, isDocumentationOnly, parentKey = "") {
  if (Array.isArray(node))
    return node.map((item) => stripDocumentationOnly(item, isDocumentationOnly, parentKey));
  if (!isObject(node)) return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (parentKey !== "properties" && isDocumentationOnly(key)) continue;
    out[key] = stripDocumentationOnly(value, isDocumentationOnly, key);
  }
  return out;
}

export function collectRefs(node, into) {
  if (Array.isArray(node)) {
    for (const item of node) collectRefs(item, into);
  } else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") into.push(value);
      else collectRefs(value, into);
    }
  }
}

/** Tag names the given path items' operations use. */
export function collectTags(pathItems) {
  const tags = new Set();
  for (const item of pathItems) {
    for (const operation of Object.values(item)) {
      if (isObject(operation) && Array.isArray(operation.tags))
        for (const tag of operation.tags) tags.add(tag);
    }
  }
  return tags;
}

/**
 * The components reachable from `paths` and `roots` (a transitive closure of `$ref`s), in the
 * document's own order of sections and entries, so the output is stable.
 */
export function reachableComponents(doc, paths, roots) {
  const kept = new Set();
  const pending = [...roots];
  collectRefs(paths, pending);
  while (pending.length > 0) {
    const ref = pending.pop();
    if (kept.has(ref)) continue;
    kept.add(ref);
    const segments = refSegments(ref);
    if (segments[0] !== "components" || segments.length < 3) {
      throw new Error(`$ref ${ref} points outside components/<section>/<name>; the trimmer cannot keep it`);
    }
    collectRefs(lookup(doc, segments, ref), pending);
  }
  const wanted = new Set([...kept].map((ref) => refSegments(ref).slice(1, 3).join("/")));
  const components = {};
  for (const [section, entries] of Object.entries(doc.components)) {
    if (!isObject(entries)) continue;
    const keptEntries = Object.fromEntries(
      Object.entries(entries).filter(([name]) => wanted.has(`${section}/${name}`)),
    );
    if (Object.keys(keptEntries).length > 0) components[section] = keptEntries;
  }
  return components;
}

/**
 * The command line both trimmers share: `node <script> [INPUT] [--out FILE|-]`. `input` is the
 * path given or the script's default (an env variable); `missing` and `notFound(input)` say what
 * to pass instead; `trim(bytes)` makes the output text.
 */
export function runTrimCommand({ name, input, defaultOutput, repoRoot, missing, notFound, trim }) {
  const { values, positionals } = parseArgs({
    options: { out: { type: "string", default: defaultOutput } },
    allowPositionals: true,
  });
  const source = positionals[0] ?? input;
  if (source === undefined || !existsSync(source)) {
    console.error(`${name}: ${source === undefined ? missing : notFound(source)}`);
    process.exitCode = 1;
    return;
  }
  const text = trim(readFileSync(source));
  if (values.out === "-") {
    process.stdout.write(text);
  } else {
    writeFileSync(values.out, text);
    const shown = values.out.startsWith(repoRoot) ? values.out.slice(repoRoot.length) : values.out;
    console.error(`${name}: wrote ${shown} (${Buffer.byteLength(text)} bytes) from ${source}`);
  }
}
