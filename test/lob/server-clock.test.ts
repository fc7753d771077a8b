import { describe, expect, it } from "vitest";
import { useEmulator } from "../support/emulator.js";
import { createLobClient } from "../../src/lob/client.js";

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
