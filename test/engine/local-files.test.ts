import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assertAudienceFileReadable } from "../../src/engine/local-files.js";
import { runApply } from "../../src/engine/use-cases.js";
import { useEmulator } from "../support/emulator.js";
import { withEnvDeps } from "../support/engine-deps.js";
import { writeRequests } from "../support/lob-inspect.js";
import { makeWorkspace, TEST_API_KEY } from "../support/workspace.js";

const emulator = useEmulator({ rateLimit: false });

describe("assertAudienceFileReadable", () => {
  it("passes a regular file; names a missing one or a directory with the manifest's code", async () => {
    const dir = mkdtempSync(join(tmpdir(), "local-files-"));
    try {
      const present = join(dir, "audience.csv");
      writeFileSync(present, "name\n");
      await expect(assertAudienceFileReadable(present)).resolves.toBeUndefined();
      const missing = join(dir, "gone.csv");
      await expect(assertAudienceFileReadable(missing)).rejects.toMatchObject({
        code: "AUDIENCE_INVALID",
        source: "user",
        message: `Cannot read audience file ${missing}: ENOENT`,
        hint: "Check the path in the manifest, then run `campaignctl validate`.",
      });
      await expect(assertAudienceFileReadable(dir)).rejects.toMatchObject({
        code: "AUDIENCE_INVALID",
        message: `Cannot read audience file ${dir}: not a regular file`,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a manifest's file removed between plan and apply", () => {
  async function applyRemoving(file: string, keySuffix: string) {
    const ws = makeWorkspace();
    try {
      ws.addCampaign("vanishing");
      emulator.clearRequests();
      const env = { LOB_API_KEY: `${TEST_API_KEY}${keySuffix}`, LOB_API_URL: emulator.url };
      const outcome = await withEnvDeps(
        { cwd: ws.dir, env },
        {
          reporter: () => undefined,
          showPlan: () => undefined,
          // Someone moves the file while the person reads the plan.
          confirm: async () => unlinkSync(join(ws.dir, file)),
        },
        (deps) => runApply(deps, [ws.dir], { cwd: ws.dir, env, allowSend: false, waitForProcessing: false }),
      );
      return { outcome, path: join(ws.dir, file), writes: writeRequests(emulator) };
    } finally {
      ws.cleanup();
    }
  }

  it("fails the campaign with the manifest's error before the creative is sent", async () => {
    const { outcome, writes } = await applyRemoving("front.html", "gonefront");
    expect(outcome.failed).toEqual([
      { key: "vanishing", reason: "artwork file front.html cannot be read (ENOENT)" },
    ]);
    expect(writes).toEqual(["POST /campaigns 200"]);
  });

  it("fails the campaign with the audience error before the file is uploaded", async () => {
    const { outcome, path, writes } = await applyRemoving("audience.csv", "goneaudience");
    expect(outcome.failed).toEqual([
      { key: "vanishing", reason: `Cannot read audience file ${path}: ENOENT` },
    ]);
    expect(writes.some((w) => w.startsWith("POST /uploads/{id}/file"))).toBe(false);
  });
});
