import { describe, expect, it } from "vitest";
import { CampaignctlError } from "../../src/core/errors.js";
import { resolveTarget } from "../../src/lob/target.js";

function errorOf(fn: () => unknown): CampaignctlError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CampaignctlError) return err;
    throw err;
  }
  throw new Error("expected an error");
}

describe("resolveTarget", () => {
  it("returns the sandbox for --sandbox, with or without a key", () => {
    expect(resolveTarget({}, { sandbox: true })).toEqual({ kind: "sandbox" });
    expect(resolveTarget({ LOB_API_KEY: "test_abc12345" }, { sandbox: true })).toEqual({ kind: "sandbox" });
  });

  it("reads the key, the default URL and the mode", () => {
    expect(resolveTarget({ LOB_API_KEY: "test_abc12345" })).toEqual({
      kind: "lob",
      apiKey: "test_abc12345",
      baseUrl: "https://api.lob.com/v1",
      mode: "test",
    });
    const live = resolveTarget({ LOB_API_KEY: "live_abc12345", LOB_API_URL: "http://127.0.0.1:4010/v1/" });
    expect(live).toMatchObject({ mode: "live", baseUrl: "http://127.0.0.1:4010/v1" });
  });

  it("explains a missing key, naming LOB_API_KEY and --sandbox", () => {
    const err = errorOf(() => resolveTarget({ LOB_API_KEY: "  " }));
    expect(err.code).toBe("NO_API_KEY");
    const text = `${err.message} ${err.hint ?? ""}`;
    expect(text).toContain("LOB_API_KEY");
    expect(text).toContain("--sandbox");
  });

  it.each(["sk_123456789", "test_%%%", "test_abc-123", "prod_abcdefgh12", "test_pub_abcdef12345"])(
    "rejects the malformed key %s without echoing it",
    (key) => {
      const err = errorOf(() => resolveTarget({ LOB_API_KEY: key }));
      expect(err.code).toBe("LOB_AUTH");
      expect(`${err.message} ${err.hint ?? ""}`).not.toContain(key);
    },
  );

  it("refuses to send a key over plain http to a remote host, and bad URLs", () => {
    expect(
      errorOf(() => resolveTarget({ LOB_API_KEY: "test_abc12345", LOB_API_URL: "http://lob.example/v1" }))
        .code,
    ).toBe("USAGE");
    expect(
      errorOf(() => resolveTarget({ LOB_API_KEY: "test_abc12345", LOB_API_URL: "not a url" })).code,
    ).toBe("USAGE");
    expect(
      errorOf(() => resolveTarget({ LOB_API_KEY: "test_abc12345", LOB_API_URL: "ftp://x/v1" })).code,
    ).toBe("USAGE");
  });
});
