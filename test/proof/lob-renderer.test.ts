import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LobClient } from "../../src/lob/client-types.js";
import type { ResourceProof, ResourceProofWritable } from "../../src/lob/wire.js";
import { loadManifests } from "../../src/manifest/index.js";
import { runLobProofs } from "../../src/proof/lob-proofs.js";
import type { Workspace } from "../support/workspace.js";
import { audienceCells, makeWorkspace, runInProcess } from "../support/workspace.js";

/**
 * `proof --renderer lob`: what goes to Lob (a fake client records it), and the whole path through
 * the sandbox, whose emulator renders resource proofs with the local pipeline.
 */
let ws: Workspace;
const env = { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "" };
beforeEach(() => {
  ws = makeWorkspace();
  ws.addCampaign("promo");
});
afterEach(() => ws.cleanup());

function recordingClient(bodies: ResourceProofWritable[]): LobClient {
  const proof = (status: ResourceProof["status"]): ResourceProof => ({
    id: "res_prf_1",
    object: "resource_proof",
    resource_type: "postcard",
    status,
    url: "https://lob-assets.example/proof.pdf",
    thumbnails: [{ large: "https://lob-assets.example/1.png" }],
    errors: [],
    date_created: "2026-03-01T00:00:00Z",
    date_modified: "2026-03-01T00:00:00Z",
  });
  let reads = 0;
  return {
    createResourceProof: async (body: ResourceProofWritable) => {
      bodies.push(body);
      return proof("processing");
    },
    getResourceProof: async () => proof(++reads > 1 ? "completed" : "processing"),
    downloadToFile: async (_url: string, dest: string) => {
      writeFileSync(dest, "x");
      return { bytes: 1 };
    },
  } as unknown as LobClient;
}

async function lobRun(redact: boolean) {
  const loaded = await loadManifests([ws.manifest("promo")], { cwd: ws.dir, env, preflight: false });
  const bodies: ResourceProofWritable[] = [];
  const outcome = await runLobProofs({
    client: recordingClient(bodies),
    manifests: loaded.manifests,
    rows: { rows: [1] },
    outDir: join(ws.dir, redact ? "shared" : "real"),
    redact,
    shown: (f) => f,
    pollIntervalMs: 1,
  });
  return { bodies, outcome };
}

describe("proof --renderer lob", () => {
  it("sends the artwork, the row's merge variables and its address; polls until done; downloads the PDF and thumbnails", async () => {
    const { bodies, outcome } = await lobRun(false);
    expect(bodies).toHaveLength(1);
    const parameters = bodies[0]!.resource_parameters;
    expect(bodies[0]!.resource_type).toBe("postcard");
    expect(parameters["merge_variables"]).toEqual({ first_name: "Avery", discount_code: "SPRING-7KQ2" });
    expect(parameters["to"]).toMatchObject({
      name: "Avery Quill",
      address_zip: "62704",
      address_state: "IL",
    });
    expect(String(parameters["front"])).toContain("{{first_name}}");
    expect(parameters["back"]).toBe("tmpl_c94e83ca2cd5121");
    expect(outcome.proofs[0]!.files).toEqual([
      join("promo", "piece-row1.pdf"),
      join("promo", "piece-row1-1.png"),
    ]);
  });

  it("--redact sends placeholders: nothing of the row leaves the machine", async () => {
    const { bodies } = await lobRun(true);
    const sent = JSON.stringify(bodies);
    expect(audienceCells(join(ws.dir, "audience.csv")).filter((cell) => sent.includes(cell))).toEqual([]);
    expect((bodies[0]!.resource_parameters["merge_variables"] as Record<string, string>)["first_name"]).toBe(
      "first",
    );
  });

  it("names the artwork that is too large for Lob's inline HTML limit, before sending anything", async () => {
    writeFileSync(join(ws.dir, "front.html"), `<html><body>${"x".repeat(10_001)}</body></html>`);
    await expect(lobRun(false)).rejects.toThrow(
      /promo front: \S*front\.html is 10,027 characters; Lob's renderer takes inline HTML of at most 10,000/,
    );
    const cli = await runInProcess(
      ["proof", ws.manifest("promo"), "--renderer", "lob", "--sandbox", "--out", "p"],
      { cwd: ws.dir, env },
    );
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain("front.html is 10,027 characters");
  });

  it("stops at an audience the CSV reader cannot read, or a row it does not have, before sending anything", async () => {
    const csv = join(ws.dir, "audience.csv");
    const good = readFileSync(csv, "utf8");
    writeFileSync(csv, `${good.trimEnd()}\n"unclosed quote,x\n`);
    const bodies: ResourceProofWritable[] = [];
    const loaded = await loadManifests([ws.manifest("promo")], { cwd: ws.dir, env, preflight: false });
    const run = (rows: { rows: number[] }) =>
      runLobProofs({
        client: recordingClient(bodies),
        manifests: loaded.manifests,
        rows,
        outDir: join(ws.dir, "p"),
        redact: true,
        shown: (f) => f,
        pollIntervalMs: 1,
      });
    await expect(run({ rows: [1] })).rejects.toMatchObject({ code: "AUDIENCE_INVALID" });
    writeFileSync(csv, good);
    await expect(run({ rows: [99] })).rejects.toThrow(/has \d+ rows; no row 99/);
    expect(bodies).toEqual([]);
  });

  it("works against the sandbox, whose emulator renders the proof with the local pipeline", async () => {
    ws.editCampaign("promo", (y) => y.replace("back: tmpl_c94e83ca2cd5121", "back: ./front.html"));
    const run = await runInProcess(
      [
        "proof",
        ws.manifest("promo"),
        "--renderer",
        "lob",
        "--sandbox",
        "--rows",
        "2",
        "--out",
        "p",
        "--redact",
      ],
      { cwd: ws.dir, env },
    );
    expect(run.stderr).toContain("Proofs: 1 rendered (3 files), 0 error(s)");
    expect(run.code).toBe(0);
    const front = PNG.sync.read(readFileSync(join(ws.dir, "p", "promo", "piece-row2-1.png")));
    expect([front.width, front.height]).toEqual([1875, 1275]);
    expect(
      readFileSync(join(ws.dir, "p", "promo", "piece-row2.pdf"))
        .subarray(0, 5)
        .toString(),
    ).toBe("%PDF-");
  }, 60_000);
});
