import { describe, expect, it } from "vitest";
import { isPostgresUrl, parsePostgresUrl } from "../../src/state/location.js";
import { selectState } from "../../src/state/select.js";

const URL_A = "postgres://ci:p%40ss@db.example:5432/state";
const URL_B = "postgresql://team@db2.example/other";

describe("selecting the state backend", () => {
  const base = { cwd: "/repo/sub", root: "/repo" };

  it("--state wins over CAMPAIGNCTL_STATE, which wins over the project file, which wins over the default", () => {
    expect(selectState({ ...base, statePath: URL_A, envState: URL_B, projectState: "p.json" })).toEqual({
      backend: "postgres",
      url: URL_A,
      from: "--state",
    });
    expect(selectState({ ...base, envState: URL_B, projectState: "p.json" })).toEqual({
      backend: "postgres",
      url: URL_B,
      from: "CAMPAIGNCTL_STATE",
    });
    expect(selectState({ ...base, projectState: URL_A })).toEqual({
      backend: "postgres",
      url: URL_A,
      from: "campaignctl.yaml state",
    });
    expect(selectState({ ...base, envState: "  " })).toEqual({
      backend: "file",
      path: "/repo/.campaignctl/state.json",
    });
  });

  it("paths: --state relative to cwd; the env and the project file relative to the project root", () => {
    expect(selectState({ ...base, statePath: "s.json" })).toEqual({
      backend: "file",
      path: "/repo/sub/s.json",
    });
    expect(selectState({ ...base, envState: "e.json" })).toEqual({ backend: "file", path: "/repo/e.json" });
    expect(selectState({ ...base, projectState: "p.json" })).toEqual({
      backend: "file",
      path: "/repo/p.json",
    });
  });

  it("--sandbox keeps its own local state unless --state is given", () => {
    expect(selectState({ ...base, sandbox: true, envState: URL_B, projectState: URL_A })).toEqual({
      backend: "file",
      path: "/repo/.campaignctl/sandbox/state.json",
    });
    expect(selectState({ ...base, sandbox: true, statePath: URL_A })).toMatchObject({
      backend: "postgres",
      url: URL_A,
    });
  });
});

describe("postgres URLs", () => {
  it("recognises postgres:// and postgresql:// only", () => {
    expect([URL_A, URL_B, "POSTGRES://x/y"].map(isPostgresUrl)).toEqual([true, true, true]);
    expect(["state.json", "./postgres://x", "mysql://x/y"].map(isPostgresUrl)).toEqual([false, false, false]);
  });

  it("prints without user or password, and lists the password in every form as a secret", () => {
    const parsed = parsePostgresUrl(`${URL_A}?sslmode=require&schema=team_state&password=p2secret`);
    expect(parsed.printable).toBe("postgres://db.example:5432/state?schema=team_state&sslmode=…&password=…");
    expect(parsed.schema).toBe("team_state");
    expect(parsed.connectionString).not.toContain("schema=");
    expect(parsed.connectionString).toContain("sslmode=require");
    expect(parsed.secrets).toEqual(expect.arrayContaining(["p%40ss", "p@ss", "ci:p%40ss", "p2secret"]));
    expect(parsePostgresUrl(URL_B).schema).toBe("campaignctl");
  });

  it("refuses a malformed URL or schema name without echoing the URL", () => {
    expect(() => parsePostgresUrl("postgres://ci:secret@[bad/x")).toThrow(/not a valid postgres URL/);
    expect(() => parsePostgresUrl("postgres://ci:secret@[bad/x")).not.toThrow(/secret/);
    expect(() => parsePostgresUrl(`${URL_A}?schema=Bad-Name`)).toThrow(/plain lowercase SQL name/);
  });
});
