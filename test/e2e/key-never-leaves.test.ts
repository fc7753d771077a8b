import { readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, request } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useEmulator } from "../support/emulator.js";
import type { Workspace } from "../support/workspace.js";
import { audienceCells, makeWorkspace } from "../support/workspace.js";
import { spawnCli } from "./cli.js";

// A key only this test uses, so finding it (or an encoding of it) anywhere is a leak.
const KEY = "test_PlantedKeyZq7Xw3Vb9Nm2Lk5";
const LEAK_FORMS = [
  KEY,
  Buffer.from(`${KEY}:`).toString("base64").replace(/=+$/, ""),
  Buffer.from(KEY).toString("base64").slice(0, 24),
];

/**
 * A misbehaving proxy in front of the emulator: it forwards every request, except that it answers
 * the audience file upload with a 500 whose body reflects the request — its Authorization header
 * and the CSV it carried — as some real proxies and debug pages do.
 */
async function startReflectingProxy(upstream: string): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(upstream);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (req.method === "POST" && /\/uploads\/[^/]+\/file$/.test(req.url ?? "")) {
        res.writeHead(500, { "content-type": "text/plain", "retry-after": "0" });
        res.end(
          [
            "Upstream error. Your request was:",
            `${req.method} ${req.url} HTTP/1.1`,
            `Authorization: ${req.headers.authorization ?? ""}`,
            `Proxy-Authorization: Basic ${Buffer.from(`${KEY}:`).toString("base64")}`,
            "",
            body.toString("utf8"),
            `and once more, inline: ${KEY}`,
          ].join("\n"),
        );
        return;
      }
      const forward = request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      forward.on("error", () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function filesUnder(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

const emulator = useEmulator({ processingRowsPerSecond: 1_000_000 });
let proxy: { url: string; close(): Promise<void> };
let ws: Workspace;
beforeAll(async () => {
  proxy = await startReflectingProxy(emulator.url);
});
afterAll(async () => {
  await proxy.close();
});
beforeEach(() => {
  ws = makeWorkspace();
});
afterEach(() => ws.cleanup());

describe("the key never leaves, even when a server reflects it", () => {
  it("a 500 that echoes the Authorization header and the audience shows neither, on screen or on disk", async () => {
    ws.addCampaign("reflected");
    const env = { LOB_API_KEY: KEY, LOB_API_URL: proxy.url };
    const apply = await spawnCli(["apply", "--auto-approve", ws.dir], { cwd: ws.dir, env });
    const plan = await spawnCli(["plan", "--out", "saved-plan.json", ws.dir], { cwd: ws.dir, env });
    const status = await spawnCli(["status"], { cwd: ws.dir, env });

    // It failed cleanly (the upload was refused), and said why.
    expect(apply.exitCode, apply.stderr).toBe(1);
    expect(apply.stderr).toContain("HTTP 500");
    expect(apply.stderr).toContain("[REDACTED]");
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(status.exitCode, status.stderr).toBe(0);

    const cells = audienceCells(join(ws.dir, "audience.csv"));
    const outputs = [apply, plan, status].flatMap((r) => [r.stdout, r.stderr]);
    const files = [...filesUnder(join(ws.dir, ".campaignctl")), join(ws.dir, "saved-plan.json")];
    expect(files.some((f) => f.endsWith("state.json"))).toBe(true);
    const texts = [...outputs, ...files.map((f) => readFileSync(f, "latin1"))];
    for (const form of LEAK_FORMS) {
      expect(texts.filter((t) => t.includes(form))).toEqual([]);
    }
    for (const cell of cells) {
      expect(outputs.filter((t) => t.includes(cell)).map(() => cell)).toEqual([]);
    }
    // The server text shown is bounded: one line of at most a few hundred characters.
    const shown = apply.stderr.split("\n").find((line) => line.includes("HTTP 500")) ?? "";
    expect(shown.length).toBeLessThan(500);
  });

  it("--sandbox keeps LOB_API_KEY out of its state even when a manifest carries it", async () => {
    ws.addCampaign("sandboxed", (yaml) => yaml.replace(/description: .*\n/, `description: "note ${KEY}"\n`));
    const env = { LOB_API_KEY: KEY, LOB_API_URL: "" };
    const apply = await spawnCli(["apply", "--sandbox", "--auto-approve", ws.dir], { cwd: ws.dir, env });
    const plan = await spawnCli(["plan", "--sandbox", "--format", "markdown", ws.dir], {
      cwd: ws.dir,
      env,
    });
    expect(apply.exitCode).not.toBe(3);
    expect(plan.exitCode).not.toBe(3);
    const files = filesUnder(join(ws.dir, ".campaignctl"));
    expect(files.some((f) => f.endsWith(join("sandbox", "state.json")))).toBe(true);
    const texts = [
      apply.stdout,
      apply.stderr,
      plan.stdout,
      plan.stderr,
      ...files.map((f) => readFileSync(f, "latin1")),
    ];
    for (const form of LEAK_FORMS) {
      expect(texts.filter((t) => t.includes(form))).toEqual([]);
    }
    expect(plan.stdout).toContain("[REDACTED]");
  });
});
