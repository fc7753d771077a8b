import { mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFileAtomic, writeFileAtomicWith } from "../../src/core/atomic-file.js";

describe("atomic file writes", () => {
  it("writeFileAtomic replaces the file and leaves no temp behind", async () => {
    const dir = await mkdtemp(join(tmpdir(), "atomic-"));
    const file = join(dir, "sub", "x.json");
    await writeFileAtomic(file, "one");
    await writeFileAtomic(file, "two");
    expect(await readFile(file, "utf8")).toBe("two");
    expect(await readdir(join(dir, "sub"))).toEqual(["x.json"]);
  });

  it("writeFileAtomicWith renames what the writer produced over the file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "atomic-"));
    const file = join(dir, "out.csv");
    await writeFile(file, "old");
    await writeFileAtomicWith(file, async (tmp) => {
      expect(tmp.startsWith(`${file}.tmp-`)).toBe(true);
      await writeFile(tmp, "new");
    });
    expect(await readFile(file, "utf8")).toBe("new");
    expect(await readdir(dir)).toEqual(["out.csv"]);
  });

  it("writeFileAtomicWith keeps the old file and removes the temp when the writer fails", async () => {
    const dir = await mkdtemp(join(tmpdir(), "atomic-"));
    const file = join(dir, "out.csv");
    await writeFile(file, "old");
    await expect(
      writeFileAtomicWith(file, async (tmp) => {
        await writeFile(tmp, "half");
        throw new Error("disk full");
      }),
    ).rejects.toThrow("disk full");
    expect(await readFile(file, "utf8")).toBe("old");
    expect(await readdir(dir)).toEqual(["out.csv"]);
  });
});
