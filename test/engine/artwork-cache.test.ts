import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadPreviousHtml, rememberHtml } from "../../src/engine/artwork-cache.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("artwork cache", () => {
  it("survives many concurrent writers of the same artwork (parallel apply) and keeps one entry", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "campaignctl-art-")), "artwork");
    dirs.push(dir);
    await Promise.all(Array.from({ length: 12 }, () => rememberHtml(dir, "abc", "<p>{{name}}</p>")));
    expect(readdirSync(dir)).toEqual(["abc.html"]);
    expect(readFileSync(join(dir, "abc.html"), "utf8")).toBe("<p>{{name}}</p>");
  });

  it("returns what it has and skips what it does not", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "campaignctl-art-")), "artwork");
    dirs.push(dir);
    await rememberHtml(dir, "one", "<p>1</p>");
    const found = await loadPreviousHtml(dir, ["one", "two"]);
    expect([...found]).toEqual([["one", "<p>1</p>"]]);
  });
});
