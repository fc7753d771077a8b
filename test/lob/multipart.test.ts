import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildMultipartBody, flattenFormFields } from "../../src/lob/multipart.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "lob-multipart-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}

describe("flattenFormFields", () => {
  it("uses bracket notation for nesting and drops null/undefined", () => {
    expect(
      flattenFormFields({
        campaign_id: "cmp_1",
        description: null,
        from: undefined,
        details: { color: true, add_on_types: ["cards", "buckslips"], qr_code: { width: "1" } },
      }),
    ).toEqual([
      { name: "campaign_id", value: "cmp_1" },
      { name: "details[color]", value: "true" },
      { name: "details[add_on_types][0]", value: "cards" },
      { name: "details[add_on_types][1]", value: "buckslips" },
      { name: "details[qr_code][width]", value: "1" },
    ]);
  });
});

describe("buildMultipartBody", () => {
  it("announces the exact length, re-opens for retries and escapes filenames", async () => {
    const path = join(dir, "a.csv");
    const content = Buffer.alloc(300_000, "x");
    await writeFile(path, content);
    const body = await buildMultipartBody([
      { kind: "field", name: "note", value: "héllo" },
      { kind: "file", name: "file", path, filename: 'we"ird\r\n.csv', contentType: "text/csv" },
    ]);
    const seen: number[] = [];
    const first = await collect(body.open((n) => seen.push(n)));
    const second = await collect(body.open());
    expect(first.length).toBe(body.contentLength);
    expect(second.equals(first)).toBe(true);
    expect(body.fileBytes).toBe(300_000);
    expect(seen.at(-1)).toBe(300_000);
    // Read in chunks, not whole.
    expect(seen.length).toBeGreaterThanOrEqual(5);
    const text = first.toString("latin1");
    expect(text).toContain('filename="we%22ird%0D%0A.csv"');
    expect(body.contentType).toMatch(/^multipart\/form-data; boundary=/);
  });

  it("fails up front for a missing file", async () => {
    await expect(
      buildMultipartBody([
        { kind: "file", name: "file", path: join(dir, "missing"), filename: "m", contentType: "text/csv" },
      ]),
    ).rejects.toMatchObject({ code: "ENOENT" });
  });
});
