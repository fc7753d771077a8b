import { afterEach, describe, expect, it } from "vitest";
import { emulatorOptionsFromFlags } from "../../src/cli/commands/emulator.js";
import { isUndeliverableRow, resolveUndeliverable } from "../../src/emulator/controls.js";
import type { EmulatorOptions, RunningEmulator } from "../../src/emulator/index.js";
import { UNDELIVERABLE_MESSAGE } from "../../src/emulator/processing.js";
import { apiClient, buildCampaign, startTestEmulator, waitForUploadState } from "./helpers.js";

/** `rows` rows that pass every rule of Lob's (header as in the lobster fixture). */
function validCsv(rows: number): string {
  const lines = ["recipient,primary line,city,state,zip_code"];
  for (let i = 1; i <= rows; i++) lines.push(`Person ${i},${100 + i} King St,San Francisco,CA,94107`);
  return `${lines.join("\n")}\n`;
}

const running: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

async function start(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emulator = await startTestEmulator({ rateLimit: false, ...options });
  running.push(emulator);
  return emulator;
}

/** Sends a campaign of `rows` valid rows and returns the failed row numbers once it is validated. */
async function failedRowsAfterSend(emulator: RunningEmulator, rows: number) {
  const api = apiClient(emulator);
  const { cmp, upl } = await buildCampaign(api, { csv: validCsv(rows) });
  expect((await api.post(`/campaigns/${cmp}/send`)).status).toBe(200);
  const done = await waitForUploadState(api, upl, ["Scheduled"]);
  const report = await api.get(`/uploads/${upl}/report?status=Failed&limit=100`);
  const failed = (report.body.data as { rowNumber: number; errorMessage: string }[]).map((r) => {
    expect(r.errorMessage).toBe(UNDELIVERABLE_MESSAGE);
    return r.rowNumber;
  });
  return { failed, upload: done.body as { failedMailpieces: number; validatedMailpieces: number } };
}

describe("undeliverable rows (seeded)", () => {
  it("draws per row from the seed alone: the same seed fails the same rows, another seed others", () => {
    const rows = Array.from({ length: 5000 }, (_, i) => i + 1);
    const pick = (seed: number) => rows.filter((r) => isUndeliverableRow({ ratio: 0.3, seed }, r));
    expect(pick(7)).toEqual(pick(7));
    expect(pick(7)).not.toEqual(pick(8));
    // About the asked share, not an exact count: each row draws on its own.
    expect(pick(7).length / rows.length).toBeGreaterThan(0.27);
    expect(pick(7).length / rows.length).toBeLessThan(0.33);
    expect(rows.some((r) => isUndeliverableRow({ ratio: 0, seed: 7 }, r))).toBe(false);
    expect(rows.every((r) => isUndeliverableRow({ ratio: 1, seed: 7 }, r))).toBe(true);
  });

  it("refuses a ratio outside 0..1 and a fractional seed; ratio 0 is off", () => {
    expect(() => resolveUndeliverable({ ratio: 1.5 })).toThrow("from 0 to 1");
    expect(() => resolveUndeliverable({ ratio: -0.1 })).toThrow("from 0 to 1");
    expect(() => resolveUndeliverable({ ratio: 0.2, seed: 1.5 })).toThrow("whole number");
    expect(resolveUndeliverable({ ratio: 0 })).toBeUndefined();
    expect(resolveUndeliverable({ ratio: 0.2, seed: 3 })).toEqual({ ratio: 0.2, seed: 3 });
  });

  it("fails the same rows of the same file in two emulators given the same seed, as undeliverable", async () => {
    const a = await failedRowsAfterSend(await start({ undeliverable: { ratio: 0.25, seed: 42 } }), 80);
    const b = await failedRowsAfterSend(await start({ undeliverable: { ratio: 0.25, seed: 42 } }), 80);
    expect(a.failed.length).toBeGreaterThan(5);
    expect(a.failed).toEqual(b.failed);
    expect(a.upload.failedMailpieces).toBe(a.failed.length);
    expect(a.upload.validatedMailpieces).toBe(80 - a.failed.length);
    const c = await failedRowsAfterSend(await start({ undeliverable: { ratio: 0.25, seed: 43 } }), 80);
    expect(c.failed).not.toEqual(a.failed);
  });

  it("is set by the control route for later sends, and turned off by ratio 0", async () => {
    const emulator = await start();
    const none = await failedRowsAfterSend(emulator, 40);
    expect(none.failed).toEqual([]);
    const set = await fetch(`${emulator.url.replace(/\/v1$/, "")}/_emulator/undeliverable`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ratio: 0.5, seed: 9 }),
    });
    expect(await set.json()).toEqual({ ok: true, ratio: 0.5, seed: 9 });
    const half = await failedRowsAfterSend(emulator, 40);
    const expected = Array.from({ length: 40 }, (_, i) => i + 1).filter((r) =>
      isUndeliverableRow({ ratio: 0.5, seed: 9 }, r),
    );
    expect(half.failed).toEqual(expected);
    const bad = await fetch(`${emulator.url.replace(/\/v1$/, "")}/_emulator/undeliverable`, {
      method: "POST",
      body: JSON.stringify({ ratio: 2 }),
    });
    expect(bad.status).toBe(400);
    emulator.setUndeliverable({ ratio: 0 });
    expect((await failedRowsAfterSend(emulator, 40)).failed).toEqual([]);
  });

  it("exposes progress while it validates: failed and validated counts grow before the end", async () => {
    const emulator = await start({ undeliverable: { ratio: 0.5, seed: 1 }, processingRowsPerSecond: 400 });
    const api = apiClient(emulator);
    const { cmp, upl } = await buildCampaign(api, { csv: validCsv(400) });
    await api.post(`/campaigns/${cmp}/send`);
    let midway: { state: string; failedMailpieces: number; validatedMailpieces: number } | undefined;
    for (let i = 0; i < 200 && !midway; i++) {
      const { body } = await api.get(`/uploads/${upl}`);
      if (body.state === "Validating" && body.failedMailpieces > 0 && body.validatedMailpieces > 0)
        midway = body;
      else await new Promise((r) => setTimeout(r, 20));
    }
    expect(midway).toBeDefined();
    expect(midway!.failedMailpieces + midway!.validatedMailpieces).toBeLessThan(400);
    await api.del(`/campaigns/${cmp}`);
  });

  it("maps --undeliverable-ratio and --seed (which also seeds faults unless --fault-seed does)", () => {
    expect(emulatorOptionsFromFlags({ "undeliverable-ratio": "0.2", seed: "5" })).toEqual({
      undeliverable: { ratio: 0.2, seed: 5 },
    });
    expect(emulatorOptionsFromFlags({ "fault-rate": "0.1", seed: "5" }).faults).toEqual({
      rate: 0.1,
      seed: 5,
    });
    expect(emulatorOptionsFromFlags({ "fault-rate": "0.1", "fault-seed": "2", seed: "5" }).faults).toEqual({
      rate: 0.1,
      seed: 2,
    });
    for (const values of [{ "undeliverable-ratio": "1.2" }, { "undeliverable-ratio": "x" }, { seed: "5" }]) {
      expect(() => emulatorOptionsFromFlags(values)).toThrow(expect.objectContaining({ code: "USAGE" }));
    }
  });
});
