import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  BoundedReadError,
  MAX_ARTWORK_BYTES,
  checkProjectFile,
  isFinding,
  readBoundedFile,
} from "../../src/manifest/file-access.js";

const base = mkdtempSync(join(tmpdir(), "ccfiles"));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const root = join(base, "project");
const shared = join(base, "brand-assets");
const elsewhere = join(base, "elsewhere");
for (const dir of [root, shared, elsewhere]) mkdirSync(dir);
writeFileSync(join(root, "front.html"), "<p>hi</p>");
writeFileSync(join(shared, "brand.html"), "<p>brand</p>");
writeFileSync(join(elsewhere, "secret.html"), "secret");
symlinkSync(join(elsewhere, "secret.html"), join(shared, "escape.html"));
symlinkSync(join(shared, "brand.html"), join(root, "brand-link.html"));

const scope = { root, allowPaths: [] as string[] };
const check = (path: string, s = scope, max?: number) =>
  checkProjectFile(path, path, ["creative", "front"], "artwork file", s, max);

describe("checkProjectFile", () => {
  it("accepts a regular file inside the project and returns its real path and size", async () => {
    const result = await check(join(root, "front.html"));
    expect(isFinding(result)).toBe(false);
    expect(result).toEqual({ realPath: join(root, "front.html"), size: 9 });
  });

  it("refuses a file outside the project, after following symlinks", async () => {
    for (const path of [join(elsewhere, "secret.html"), join(root, "brand-link.html")]) {
      const result = await check(path);
      expect(isFinding(result) && result.code).toBe("FILE_OUTSIDE_PROJECT");
    }
    const linked = await check(join(root, "brand-link.html"));
    expect(isFinding(linked) && linked.message).toContain(`(it resolves to ${join(shared, "brand.html")})`);
  });

  it("accepts files under allow_paths (relative to the root or absolute), but not symlinks out of them", async () => {
    for (const allowPaths of [["../brand-assets"], [shared]]) {
      const allowed = { root, allowPaths };
      expect(isFinding(await check(join(root, "brand-link.html"), allowed))).toBe(false);
      expect(isFinding(await check(join(shared, "brand.html"), allowed))).toBe(false);
      const escape = await check(join(shared, "escape.html"), allowed);
      expect(isFinding(escape) && escape.code).toBe("FILE_OUTSIDE_PROJECT");
    }
  });

  it("refuses FIFOs, directories and /proc files without opening them", async () => {
    const fifo = join(root, "pipe.html");
    execFileSync("mkfifo", [fifo]);
    symlinkSync("/proc/self/environ", join(root, "environ.html"));
    const wide = { root: "/", allowPaths: [] };
    const results = await Promise.all([
      check(fifo),
      check(root),
      check(join(root, "environ.html"), wide),
      check("/dev/zero", wide),
    ]);
    expect(results.map((r) => isFinding(r) && r.code)).toEqual([
      "FILE_UNREADABLE",
      "FILE_UNREADABLE",
      "FILE_UNREADABLE",
      "FILE_UNREADABLE",
    ]);
    expect(results.map((r) => isFinding(r) && r.message.replace(/.* is /, ""))).toEqual([
      "a named pipe (FIFO), not a regular file",
      "a directory, not a regular file",
      expect.stringMatching(/^a special file \(\/proc\/\d+\/environ\), not a regular file$/),
      "a special file (/dev/zero), not a regular file",
    ]);
  });

  it("checks the size limit before reading", async () => {
    const big = join(root, "big.pdf");
    writeFileSync(big, "%PDF");
    truncateSync(big, 1536 * 1024 * 1024);
    const result = await check(big, scope, MAX_ARTWORK_BYTES);
    expect(isFinding(result) && result.message).toContain(
      "is 1.5 GB; Lob accepts artwork files up to 5.0 MB",
    );
    expect(isFinding(await check(join(root, "front.html"), scope, MAX_ARTWORK_BYTES))).toBe(false);
  });
});

describe("readBoundedFile", () => {
  it("reads a regular file whole", async () => {
    expect((await readBoundedFile(join(root, "front.html"), 100, "artwork file")).toString()).toBe(
      "<p>hi</p>",
    );
  });

  it("refuses a file over the limit and a FIFO, without blocking", async () => {
    await expect(readBoundedFile(join(root, "front.html"), 5, "artwork file")).rejects.toBeInstanceOf(
      BoundedReadError,
    );
    const fifo = join(root, "pipe2.html");
    execFileSync("mkfifo", [fifo]);
    await expect(readBoundedFile(fifo, 100, "artwork file")).rejects.toThrow(/named pipe/);
  });
});
