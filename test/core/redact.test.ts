import { afterEach, describe, expect, it } from "vitest";
import {
  clearActiveSecrets,
  containsActiveSecret,
  redactActiveSecrets,
  registerSecret,
} from "../../src/core/active-secrets.js";
import { redactSecrets, secretForms } from "../../src/core/redact.js";

const KEY = "test_R3dactMe0123456789abcdef";
const b64 = (s: string) => Buffer.from(s).toString("base64");
const b64url = (s: string) => Buffer.from(s).toString("base64url");

afterEach(() => clearActiveSecrets());

describe("secretForms / redactSecrets", () => {
  it.each([
    ["plain", `key=${KEY}`],
    ["basic auth header", `Authorization: Basic ${b64(`${KEY}:`)}`],
    ["base64 of the key alone", b64(KEY)],
    ["key as user with a password", b64(`${KEY}:hunter2`)],
    ["key after a one-byte prefix", b64(`x${KEY}`)],
    ["key after a two-byte prefix", b64(`xy${KEY}:`)],
    ["URL-safe alphabet", b64url(`??${KEY}>>`)],
  ])("removes the key given %s", (_name, text) => {
    const out = redactSecrets(text, [KEY]);
    expect(out).toContain("[REDACTED]");
    expect(out).not.toContain(KEY);
    // No decoding of what is left recovers the key, at any alignment.
    for (const start of [0, 1, 2, 3]) {
      const rest = out.replace(/\[REDACTED\]/g, "").replace(/^.*?: Basic /, "");
      expect(Buffer.from(rest.slice(start), "base64").toString("latin1")).not.toContain(KEY.slice(5, 20));
    }
  });

  it("leaves short secrets and ordinary text alone", () => {
    expect(secretForms("abc")).toEqual([]);
    expect(redactSecrets("Spring Promo 2026, 4x6 postcard", [KEY])).toBe("Spring Promo 2026, 4x6 postcard");
  });
});

describe("active secrets (the writers' last line of defence)", () => {
  it("redacts only what was registered, in every form", () => {
    expect(redactActiveSecrets(`a ${KEY} b`)).toBe(`a ${KEY} b`);
    registerSecret(` ${KEY}\n`);
    expect(redactActiveSecrets(`a ${KEY} b`)).toBe("a [REDACTED] b");
    expect(redactActiveSecrets(`Basic ${b64(`${KEY}:`)}`)).toBe("Basic [REDACTED]");
    expect(containsActiveSecret(`x${KEY}`)).toBe(true);
    // Anything else shaped like a key (a live_ description, another account's key) is data here.
    expect(redactActiveSecrets("live_promotion2026 test_otherAccount123")).toBe(
      "live_promotion2026 test_otherAccount123",
    );
  });

  it("ignores an unset or empty key", () => {
    registerSecret(undefined);
    registerSecret("");
    expect(redactActiveSecrets("nothing to hide")).toBe("nothing to hide");
  });
});
