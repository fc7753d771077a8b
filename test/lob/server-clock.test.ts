import { describe, expect, it } from "vitest";
import { useEmulator } from "../support/emulator.js";
import { createLobClient } from "../../src/lob/client.js";
import { createServerClock } from "../../src/lob/server-clock.js";

const emulator = useEmulator({ rateLimit: false });

describe("server clock", () => {
  it("the emulator's Date header follows its clock, and the client's serverNow follows the header", async () => {
    const client = createLobClient({
      apiKey: "test_serverClockCheck",
      baseUrl: emulator.url,
      rateLimit: false,
    });
    // Before any response the client can only use the local clock.
    expect(Math.abs(client.serverNow().getTime() - Date.now())).toBeLessThan(1_000);

    emulator.advanceClock(3 * 3_600_000);
    const res = await fetch(`${emulator.url}/campaigns`, {
      headers: { authorization: `Basic ${Buffer.from("test_serverClockCheck:").toString("base64")}` },
    });
    const header = Date.parse(res.headers.get("date") ?? "");
    expect(Math.abs(header - emulator.now().getTime())).toBeLessThan(2_000);

    await client.listCampaigns({ limit: 1 });
    const skew = client.serverNow().getTime() - Date.now();
    expect(skew).toBeGreaterThan(3 * 3_600_000 - 2_000);
    expect(skew).toBeLessThan(3 * 3_600_000 + 2_000);
  });
});

describe("createServerClock", () => {
  it("adds the latest Date header's offset to the injected clock, ignoring the header's rounding", () => {
    let local = Date.parse("2026-03-01T12:00:00.600Z");
    const clock = createServerClock(() => local);
    expect(clock.now().getTime()).toBe(local);
    clock.note("not a date");
    clock.note(undefined);
    expect(clock.now().getTime()).toBe(local);
    // Under 2 s apart: the header's one-second resolution, not skew.
    clock.note("Sun, 01 Mar 2026 12:00:01 GMT");
    expect(clock.now().getTime()).toBe(local);
    clock.note("Sun, 01 Mar 2026 15:00:00 GMT");
    local += 1_000;
    expect(clock.now().getTime()).toBe(Date.parse("2026-03-01T15:00:01Z"));
    // The latest header wins, back to no skew as well.
    clock.note("Sun, 01 Mar 2026 12:00:01 GMT");
    expect(clock.now().getTime()).toBe(local);
  });
});
