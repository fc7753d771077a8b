import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CampaignctlError } from "../../src/core/errors.js";
import { newState, withCampaign } from "../../src/state/records.js";
import { openStateStore, type FileStateStore } from "../../src/state/store.js";
import { assertTargetMatches } from "../../src/state/target.js";
import type { CampaignRecord, StateFile } from "../../src/state/types.js";
import { tempDirs } from "./helpers/temp.js";

const temps = tempDirs();
afterEach(() => temps.cleanup());

const TEST_TARGET = { apiUrl: "https://api.lob.com/v1", mode: "test" } as const;

function aRecord(key: string, overrides: Partial<CampaignRecord> = {}): CampaignRecord {
  return {
    key,
    campaignId: `cmp_${key.replace(/[^a-z0-9]/g, "")}1`,
    creativeId: "crv_abc123",
    applied: { campaign: { name: `Campaign ${key}`, schedule_type: "immediate" }, audienceRows: 3 },
    ...overrides,
  };
}

async function lockedStore(): Promise<{ store: FileStateStore; statePath: string }> {
  const dir = await temps.make();
  const statePath = path.join(dir, ".campaignctl", "state.json");
  const store = openStateStore(statePath);
  await store.lock("apply");
  return { store, statePath };
}

async function caught(promise: Promise<unknown>): Promise<CampaignctlError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CampaignctlError);
  return error as CampaignctlError;
}

describe("state store: read and write", () => {
  it("reads nothing before the first write", async () => {
    const { store } = await lockedStore();
    expect(await store.read()).toBeUndefined();
  });

  it("round-trips a state, creating the parent directory", async () => {
    const { store } = await lockedStore();
    const state = withCampaign(newState(TEST_TARGET), "spring", () =>
      aRecord("spring", {
        pending: { step: "send", since: "2026-03-01T10:00:00.000Z" },
        sentAt: "2026-03-01T10:00:05.000Z",
        cancelDeadline: "2026-03-01T14:00:05.000Z",
      }),
    );
    const written = await store.write(state);
    const reread = await openStateStore(store.path).read();
    expect(reread).toEqual(written);
    expect(reread?.campaigns.spring?.cancelDeadline).toBe("2026-03-01T14:00:05.000Z");
    expect(reread?.lineage).toBe(state.lineage);
  });

  it("increments the serial on every write", async () => {
    const { store } = await lockedStore();
    let state: StateFile = newState(TEST_TARGET);
    const serials: number[] = [];
    for (let i = 0; i < 3; i++) {
      state = await store.write(withCampaign(state, `c${i}`, () => aRecord(`c${i}`)));
      serials.push(state.serial, (await store.read())!.serial);
    }
    expect(serials).toEqual([1, 1, 2, 2, 3, 3]);
  });

  it("never moves the serial backwards when handed an older copy", async () => {
    const { store } = await lockedStore();
    const first = await store.write(newState(TEST_TARGET));
    await store.write(first);
    const third = await store.write(first);
    expect(third.serial).toBe(3);
  });

  it("keeps the previous version as <path>.backup", async () => {
    const { store, statePath } = await lockedStore();
    const v1 = await store.write(withCampaign(newState(TEST_TARGET), "a", () => aRecord("a")));
    const v2 = await store.write(withCampaign(v1, "b", () => aRecord("b")));
    const backup = JSON.parse(await readFile(`${statePath}.backup`, "utf8")) as StateFile;
    expect(backup).toEqual(v1);
    expect(Object.keys(backup.campaigns)).toEqual(["a"]);
    const current = JSON.parse(await readFile(statePath, "utf8")) as StateFile;
    expect(current).toEqual(v2);
  });

  it("refuses to write without holding the lock", async () => {
    const dir = await temps.make();
    const store = openStateStore(path.join(dir, "state.json"));
    const error = await caught(store.write(newState(TEST_TARGET)));
    expect(error.code).toBe("STATE_WRITE_FAILED");
    expect(error.message).toContain("lock");
  });

  it("refuses to write after its lock was removed from under it", async () => {
    const dir = await temps.make();
    const store = openStateStore(path.join(dir, "state.json"));
    const lock = await store.lock("apply");
    await lock.release();
    const error = await caught(store.write(newState(TEST_TARGET)));
    expect(error.code).toBe("STATE_WRITE_FAILED");
  });

  it("refuses to overwrite a state with another lineage", async () => {
    const { store } = await lockedStore();
    await store.write(newState(TEST_TARGET));
    const error = await caught(store.write(newState(TEST_TARGET)));
    expect(error.code).toBe("STATE_WRITE_FAILED");
    expect(error.message).toContain("lineage");
  });

  it("refuses to write a record that does not match the schema, leaving the file as it was", async () => {
    const { store, statePath } = await lockedStore();
    await store.write(newState(TEST_TARGET));
    const before = await readFile(statePath, "utf8");
    const bad = withCampaign(newState(TEST_TARGET), "x", () => ({
      key: "x",
      campaignId: "not-an-id",
      applied: {},
    }));
    const error = await caught(store.write({ ...bad, lineage: JSON.parse(before).lineage as string }));
    expect(error.code).toBe("STATE_WRITE_FAILED");
    expect(error.message).toContain("/campaigns/x/campaignId");
    expect(await readFile(statePath, "utf8")).toBe(before);
  });
});

describe("state store: never holds an API key", () => {
  const apiKey = "test_0123456789abcdefABCDEF";

  it("writes no key, even when the API URL carries one", async () => {
    const { store, statePath } = await lockedStore();
    const state = newState({ apiUrl: `https://${apiKey}:@api.lob.com/v1/`, mode: "test" });
    await store.write(withCampaign(state, "spring", () => aRecord("spring")));
    const text = await readFile(statePath, "utf8");
    expect(text).toContain("https://api.lob.com/v1");
    expect(text).not.toContain(apiKey);
    expect(text).not.toMatch(/\b(test|live)_[A-Za-z0-9]{16,}/);
  });

  it("refuses a write that would contain a secret it was told about", async () => {
    const dir = await temps.make();
    const statePath = path.join(dir, "state.json");
    const store = openStateStore(statePath, { secrets: [apiKey] });
    await store.lock("apply");
    const leaky = withCampaign(newState(TEST_TARGET), "s", () =>
      aRecord("s", { applied: { campaign: { description: `key ${apiKey}` } } }),
    );
    const error = await caught(store.write(leaky));
    expect(error.code).toBe("STATE_WRITE_FAILED");
    expect(error.message).not.toContain(apiKey);
    expect(await store.read()).toBeUndefined();
  });
});

describe("state store: corrupt files", () => {
  async function storeWith(text: string): Promise<{ store: FileStateStore; statePath: string }> {
    const dir = await temps.make();
    const statePath = path.join(dir, "state.json");
    await writeFile(statePath, text);
    return { store: openStateStore(statePath), statePath };
  }

  it("reports invalid JSON as STATE_CORRUPT naming the file and the backup", async () => {
    const { store, statePath } = await storeWith('{\n  "version": 1,\n}');
    const error = await caught(store.read());
    expect(error.code).toBe("STATE_CORRUPT");
    expect(error.message).toContain(statePath);
    expect(error.message).toContain("not valid JSON");
    expect(error.message).toContain("line 3");
    expect(error.hint).toContain(`${statePath}.backup`);
  });

  it("reports a truncated file as STATE_CORRUPT", async () => {
    const { store, statePath } = await storeWith('{ "version": 1, "lineage": "');
    const error = await caught(store.read());
    expect(error.code).toBe("STATE_CORRUPT");
    expect(error.message).toContain(statePath);
  });

  it("reports every schema problem as STATE_CORRUPT with the member paths", async () => {
    const bad = {
      version: 1,
      lineage: "not-a-uuid",
      serial: -1,
      target: { apiUrl: "https://api.lob.com/v1", mode: "staging" },
      campaigns: { a: { key: "a" } },
    };
    const { store, statePath } = await storeWith(JSON.stringify(bad));
    const error = await caught(store.read());
    expect(error.code).toBe("STATE_CORRUPT");
    expect(error.message).toContain(statePath);
    for (const where of ["/lineage", "/serial", "/target/mode", "/campaigns/a"]) {
      expect(error.message).toContain(where);
    }
    expect(error.hint).toContain(`${statePath}.backup`);
  });

  it("reports a record filed under the wrong key", async () => {
    const state = withCampaign(newState(TEST_TARGET), "a", () => aRecord("a"));
    const text = JSON.stringify(state).replace('"key":"a"', '"key":"b"');
    const { store } = await storeWith(text);
    const error = await caught(store.read());
    expect(error.code).toBe("STATE_CORRUPT");
    expect(error.message).toContain("/campaigns/a/key");
  });

  it("says clearly when the file comes from a newer campaignctl", async () => {
    const { store } = await storeWith(JSON.stringify({ ...newState(TEST_TARGET), version: 2 }));
    const error = await caught(store.read());
    expect(error.message).toContain("version 2");
    expect(error.message).toContain("newer campaignctl");
    expect(error.hint).toContain("upgrade");
  });

  it("does not quote the file's content in the error", async () => {
    const { store } = await storeWith('{"version": 1, "x": SECRETVALUE123}');
    const error = await caught(store.read());
    expect(`${error.message} ${error.hint ?? ""}`).not.toContain("SECRETVALUE123");
  });
});

describe("target check", () => {
  const testState = newState(TEST_TARGET);
  const liveState = newState({ apiUrl: "https://api.lob.com/v1", mode: "live" });

  it("accepts the same target (trailing slash aside)", () => {
    expect(() =>
      assertTargetMatches(testState, { apiUrl: "https://api.lob.com/v1/", mode: "test" }),
    ).not.toThrow();
  });

  it("refuses test state with a live key", () => {
    const error = catchSync(() => assertTargetMatches(testState, { ...TEST_TARGET, mode: "live" }, "s.json"));
    expect(error.code).toBe("STATE_TARGET_MISMATCH");
    expect(error.message).toMatch(/s\.json belongs to Lob test mode, but this run uses a live API key/);
    expect(error.hint).toContain("--state");
  });

  it("refuses live state with a test key", () => {
    const error = catchSync(() => assertTargetMatches(liveState, TEST_TARGET));
    expect(error.code).toBe("STATE_TARGET_MISMATCH");
    expect(error.message).toMatch(/belongs to Lob live mode, but this run uses a test API key/);
    expect(error.hint).toContain("--state");
  });

  it("refuses state made against another API URL", () => {
    const error = catchSync(() =>
      assertTargetMatches(testState, { apiUrl: "http://127.0.0.1:4010/v1", mode: "test" }),
    );
    expect(error.code).toBe("STATE_TARGET_MISMATCH");
    expect(error.message).toContain("https://api.lob.com/v1");
    expect(error.message).toContain("http://127.0.0.1:4010/v1");
    expect(error.hint).toContain("LOB_API_URL");
  });
});

describe("withCampaign", () => {
  it("sets, replaces and removes one record without touching the original", () => {
    const empty = newState(TEST_TARGET);
    const one = withCampaign(empty, "a", () => aRecord("a"));
    const two = withCampaign(one, "b", (previous) => {
      expect(previous).toBeUndefined();
      return aRecord("b");
    });
    const replaced = withCampaign(two, "a", (previous) => ({ ...previous!, uploadId: "upl_1" }));
    const removed = withCampaign(replaced, "b", () => undefined);
    expect(Object.keys(empty.campaigns)).toEqual([]);
    expect(Object.keys(two.campaigns).sort()).toEqual(["a", "b"]);
    expect(two.campaigns.a?.uploadId).toBeUndefined();
    expect(replaced.campaigns.a?.uploadId).toBe("upl_1");
    expect(Object.keys(removed.campaigns)).toEqual(["a"]);
    expect(removed.lineage).toBe(empty.lineage);
  });

  it("files the record under its key even if the update says otherwise", () => {
    const state = withCampaign(newState(TEST_TARGET), "a", () => aRecord("zzz"));
    expect(state.campaigns.a?.key).toBe("a");
  });

  it("treats __proto__ as an ordinary key", () => {
    const state = withCampaign(newState(TEST_TARGET), "__proto__", () => aRecord("__proto__"));
    expect(Object.keys(state.campaigns)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(state.campaigns)).toBe(Object.prototype);
  });
});

function catchSync(fn: () => void): CampaignctlError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CampaignctlError);
    return error as CampaignctlError;
  }
  throw new Error("expected an error");
}
