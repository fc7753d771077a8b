import { randomBytes } from "node:crypto";
import { isPlainObject } from "../core/objects.js";
import { ID_PREFIX } from "../lob/wire.js";
import type { ResourceProof, ResourceType } from "../lob/wire.js";
import type { RequestContext } from "./context.js";
import { isoNow } from "./context.js";
import { invalid } from "./fields.js";
import type { Reply } from "./http.js";
import { jsonReply, lobError, readObjectBody } from "./http.js";
import { newId } from "./store.js";
import type { ResourceProofRenderer } from "./types.js";

/**
 * POST /v1/resource_proofs and GET /v1/resource_proofs/{id}: a proof starts `processing`, is
 * rendered in the background by the renderer campaignctl injects (its local pipeline), and ends
 * `completed` with a PDF URL and thumbnails, or `failed` with errors. Files are served without the
 * key under unguessable names, like Lob's signed links. Kept in memory: proofs are previews.
 */
interface ProofRecord {
  readonly account: string;
  proof: ResourceProof;
}

export interface ResourceProofs {
  readonly records: Map<string, ProofRecord>;
  /** name → file, for /_emulator/files/proofs/<name>. */
  readonly files: Map<string, { readonly type: string; readonly bytes: Uint8Array }>;
  readonly render: ResourceProofRenderer | undefined;
  /** Renders still running (awaited on close). */
  readonly pending: Set<Promise<void>>;
}

export function createResourceProofs(render: ResourceProofRenderer | undefined): ResourceProofs {
  return { records: new Map(), files: new Map(), render, pending: new Set() };
}

const RESOURCE_TYPES: readonly ResourceType[] = ["postcard", "letter", "self_mailer"];
/** Lob's html_string: "An HTML string of under 10,000 characters." */
export const INLINE_HTML_MAX = 10_000;
const REQUIRED: Readonly<Record<ResourceType, readonly string[]>> = {
  postcard: ["to", "front", "back"],
  letter: ["to", "from", "file", "color"],
  self_mailer: ["to", "inside", "outside"],
};
const ARTWORK: Readonly<Record<ResourceType, readonly string[]>> = {
  postcard: ["front", "back"],
  letter: ["file"],
  self_mailer: ["inside", "outside"],
};

export async function createResourceProof(ctx: RequestContext): Promise<Reply> {
  const { body } = await readObjectBody(ctx.req, ["json"], invalid);
  const resourceType = body.resource_type;
  if (typeof resourceType !== "string" || !(RESOURCE_TYPES as readonly string[]).includes(resourceType)) {
    throw invalid(`resource_type must be one of ${RESOURCE_TYPES.join(", ")}`);
  }
  const type = resourceType as ResourceType;
  const parameters = body.resource_parameters;
  if (!isPlainObject(parameters)) throw invalid("resource_parameters is required and must be an object");
  for (const field of REQUIRED[type]) {
    if (parameters[field] === undefined || parameters[field] === null) {
      throw invalid(`resource_parameters.${field} is required`);
    }
  }
  for (const field of ARTWORK[type]) {
    const value = parameters[field];
    if (typeof value !== "string") throw invalid(`resource_parameters.${field} must be a string`);
    if (value.includes("<") && value.length > INLINE_HTML_MAX) {
      throw invalid(`resource_parameters.${field} must be at most ${INLINE_HTML_MAX} characters`);
    }
  }
  if (!isPlainObject(parameters.to) && typeof parameters.to !== "string") {
    throw invalid("resource_parameters.to must be an address id or an address object");
  }
  const now = isoNow(ctx.env);
  const proof: ResourceProof = {
    id: newId(ID_PREFIX.resourceProof),
    object: "resource_proof",
    resource_type: type,
    status: "processing",
    template_id: typeof body.template_id === "string" ? body.template_id : null,
    url: null,
    thumbnails: [],
    errors: [],
    date_created: now,
    date_modified: now,
  };
  const proofs = ctx.env.proofs;
  const record: ProofRecord = { account: ctx.account.id, proof };
  proofs.records.set(proof.id, record);
  const finish = (patch: Partial<ResourceProof>) => {
    record.proof = { ...record.proof, ...patch, date_modified: isoNow(ctx.env) };
  };
  const origin = ctx.origin;
  const work = (async () => {
    if (!proofs.render) {
      finish({
        status: "failed",
        errors: [
          { code: "renderer_unavailable", message: "this emulator was started without a proof renderer" },
        ],
      });
      return;
    }
    try {
      const rendering = await proofs.render.render({ resourceType: type, parameters });
      const token = randomBytes(16).toString("hex");
      const link = (name: string) => `${origin}/_emulator/files/proofs/${token}-${name}`;
      proofs.files.set(`${token}-proof.pdf`, { type: "application/pdf", bytes: rendering.pdf });
      rendering.images.forEach((bytes, i) =>
        proofs.files.set(`${token}-${i + 1}.png`, { type: "image/png", bytes }),
      );
      finish({
        status: "completed",
        url: link("proof.pdf"),
        thumbnails: rendering.images.map((_, i) => ({
          small: link(`${i + 1}.png`),
          medium: link(`${i + 1}.png`),
          large: link(`${i + 1}.png`),
        })),
      });
    } catch (error) {
      // The renderer's own message: it names the artwork problem, never a merge value.
      finish({
        status: "failed",
        errors: [
          {
            code: "render_failed",
            message: error instanceof Error ? error.message.split("\n")[0]! : "render failed",
          },
        ],
      });
    }
  })();
  proofs.pending.add(work);
  void work.finally(() => proofs.pending.delete(work));
  return jsonReply(201, proof);
}

export async function retrieveResourceProof(ctx: RequestContext): Promise<Reply> {
  const record = ctx.env.proofs.records.get(ctx.params.id ?? "");
  if (!record || record.account !== ctx.account.id)
    throw lobError(404, "not_found", "resource proof not found");
  return jsonReply(200, record.proof);
}
