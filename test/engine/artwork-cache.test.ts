import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { loadPreviousHtml, rememberHtml } from "../../src/engine/artwork-cache.js";
import { fileBlobStore } from "../../src/state/file-blobs.js";

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("artwork cache", () => {
  it("survives many concurrent writers of the same artwork (parallel apply) and keeps one entry", async () => {
    const root = mkdtempSync(join(tmpdir(), "campaignctl-art-"));
    dirs.push(root);
    const dir = join(root, "state.json.blobs");
    const html = "<p>{{name}}</p>";
    const blobs = fileBlobStore(dir);
    await Promise.all(Array.from({ length: 12 }, () => rememberHtml(blobs, sha(html), html)));
    expect(readdirSync(dir)).toEqual([sha(html)]);
    expect(readFileSync(join(dir, sha(html)), "utf8")).toBe(html);
  });

  it("returns what it has and skips what it does not", async () => {
    const root = mkdtempSync(join(tmpdir(), "campaignctl-art-"));
    dirs.push(root);
    const blobs = fileBlobStore(join(root, "state.json.blobs"));
    await rememberHtml(blobs, sha("<p>1</p>"), "<p>1</p>");
    const found = await loadPreviousHtml(blobs, [sha("<p>1</p>"), sha("<p>2</p>")]);
    expect([...found]).toEqual([[sha("<p>1</p>"), "<p>1</p>"]]);
  });

  it("still reads artwork an older campaignctl cached in .campaignctl/artwork/", async () => {
    const root = mkdtempSync(join(tmpdir(), "campaignctl-art-"));
    dirs.push(root);
    const legacy = join(root, "artwork");
    mkdirSync(legacy);
    writeFileSync(join(legacy, `${sha("<p>old</p>")}.html`), "<p>old</p>");
    const blobs = fileBlobStore(join(root, "state.json.blobs"), [legacy]);
    const found = await loadPreviousHtml(blobs, [sha("<p>old</p>")]);
    expect(found.get(sha("<p>old</p>"))).toBe("<p>old</p>");
  });
});
