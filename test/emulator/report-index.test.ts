import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { apiClient, buildCampaign, startTestEmulator, waitForUploadState } from "./helpers.js";

// Report pages at any offset start from a sparse index of the results file (every 1024th line,
// overall and per status): these pages must be exactly the rows a read from the top finds.

let emulator: RunningEmulator | undefined;
let dir: string | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const ROWS = 5000;
// Every 7th row has an invalid state, so Failed rows are ~1/7 and Validated rows ~6/7.
const failing = (row: number) => row % 7 === 0;

function audience(): string {
  const lines = ["recipient,primary line,city,state,zip_code"];
  for (let i = 1; i <= ROWS; i++)
    lines.push(`Person ${i},${i} Main St,Springfield,${failing(i) ? "XX" : "IL"},62701`);
  return `${lines.join("\n")}\n`;
}

const all = Array.from({ length: ROWS }, (_, i) => i + 1);
const EXPECTED: Record<string, number[]> = {
  "": all,
  Validated: all.filter((r) => !failing(r)),
  Failed: all.filter(failing),
};

describe("report pages at deep offsets", () => {
  it("are the rows a read from the top finds, for every status, also after a restart", async () => {
    dir = mkdtempSync(join(tmpdir(), "campaignctl-report-index-"));
    emulator = await startTestEmulator({ rateLimit: false, dataDir: dir });
    let api = apiClient(emulator);
    const { cmp, upl } = await buildCampaign(api, { csv: audience() });
    await api.post(`/campaigns/${cmp}/send`);
    await waitForUploadState(api, upl, ["Scheduled"]);

    const check = async () => {
      for (const [status, rows] of Object.entries(EXPECTED)) {
        for (const offset of [0, 1, 1023, 1024, 1025, 2047, 2048, 3000, rows.length - 3, rows.length]) {
          const query = `limit=5&offset=${offset}${status ? `&status=${status}` : ""}`;
          const page = await api.get(`/uploads/${upl}/report?${query}`);
          expect(page.status).toBe(200);
          const got = (page.body.data as { rowNumber: number }[]).map((r) => r.rowNumber);
          expect({ status, offset, got }).toEqual({ status, offset, got: rows.slice(offset, offset + 5) });
          expect(page.body.total_count).toBe(rows.length);
        }
      }
    };
    await check();
    // A restarted emulator reads the index from disk.
    await emulator.close();
    emulator = await startTestEmulator({ rateLimit: false, dataDir: dir });
    api = apiClient(emulator);
    await check();
  });
});
