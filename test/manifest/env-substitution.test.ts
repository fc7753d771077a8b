import { parseDocument } from "yaml";
import { describe, expect, it } from "vitest";
import { scalarTypeAt, substituteEnv } from "../../src/manifest/env-substitution.js";

const KEY = "test_envSubstitutionKey123";

function run(yaml: string, env: Record<string, string>) {
  const doc = parseDocument(yaml);
  const result = substituteEnv(doc, { LOB_API_KEY: KEY, ...env });
  return { result, value: doc.toJS() as Record<string, Record<string, unknown>> };
}

describe("${env:…} substitution", () => {
  it("knows which manifest fields are booleans and numbers", () => {
    expect(scalarTypeAt(["send", "enabled"])).toBe("boolean");
    expect(scalarTypeAt(["send", "max_pieces"])).toBe("integer");
    expect(scalarTypeAt(["campaign", "cancel_window_campaign_minutes"])).toBe("integer");
    expect(scalarTypeAt(["campaign", "name"])).toBeUndefined();
    expect(scalarTypeAt(["audience", "requiredAddressColumnMapping", "name"])).toBeUndefined();
    expect(scalarTypeAt(["nope", "enabled"])).toBeUndefined();
  });

  it("gives a whole reference the schema's type, and keeps strings strings", () => {
    const { result, value } = run(
      "send:\n  enabled: ${env:ON}\n  max_pieces: '${env:MAX}'\ncampaign:\n  name: ${env:YEAR}\n  description: v${env:ON}\n",
      { ON: "TRUE", MAX: "250", YEAR: "2026" },
    );
    expect(result.findings).toEqual([]);
    expect(value.send).toEqual({ enabled: true, max_pieces: 250 });
    expect(value.campaign).toEqual({ name: "2026", description: "vTRUE" });
  });

  it("reports a value of the wrong type without showing it", () => {
    const { result } = run("send:\n  enabled: ${env:ON}\n  max_pieces: ${env:MAX}\n", {
      ON: "secretish",
      MAX: "3.5",
    });
    expect(result.findings.map((f) => [f.code, f.message])).toEqual([
      ["SCHEMA", "${env:ON} must hold true or false here (its value is not shown)"],
      ["SCHEMA", "${env:MAX} must hold a whole number here (its value is not shown)"],
    ]);
    expect(result.unresolvedPaths).toEqual(["send.enabled", "send.max_pieces"]);
  });

  it("refuses LOB_API_KEY and any variable holding the key, leaving the reference in place", () => {
    const { result, value } = run(
      "campaign:\n  name: ${env:LOB_API_KEY}\n  description: x ${env:COPY}\n  x: ${env:FINE}\n",
      { COPY: `Bearer ${KEY}`, FINE: "ok" },
    );
    expect(result.findings.map((f) => f.code)).toEqual(["ENV_KEY_REFUSED", "ENV_KEY_REFUSED"]);
    expect(JSON.stringify(result)).not.toContain(KEY);
    expect(value.campaign).toEqual({ name: "${env:LOB_API_KEY}", description: "x ${env:COPY}", x: "ok" });
  });

  it("refuses ${env:LOB_API_KEY} even where the key is not set (offline validate)", () => {
    const doc = parseDocument("campaign:\n  name: ${env:LOB_API_KEY}\n");
    const result = substituteEnv(doc, {});
    expect(result.findings.map((f) => f.code)).toEqual(["ENV_KEY_REFUSED"]);
  });

  it("records what it substituted, so messages can name the reference", () => {
    const { result } = run("campaign:\n  schedule_type: ${env:S}\n", { S: "later" });
    expect(result.substituted).toEqual([
      { path: "campaign.schedule_type", value: "later", reference: "${env:S}" },
    ]);
  });
});
