import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { EngineDeps } from "../../src/engine/deps.js";
import type { EngineEvent } from "../../src/engine/events.js";
import { runApply, runDestroy, runPlan } from "../../src/engine/use-cases.js";
import type { ApplyOptions } from "../../src/engine/use-cases.js";
import { memoryDeps, memoryStateStore, recordingIo } from "../support/memory-engine.js";
import { enableSend, makeWorkspace, type Workspace } from "../support/workspace.js";

/**
 * The engine with its world injected: an in-memory Lob, an in-memory state store, a recording
 * I/O host and a fixed clock. No HTTP, no port, no process.env: only the manifests are files.
 */
let ws: Workspace;
afterEach(() => ws?.cleanup());

function setup(parts: Partial<EngineDeps> = {}) {
  ws = makeWorkspace();
  return memoryDeps({ stateStore: memoryStateStore(join(ws.dir, ".campaignctl", "state.json")), ...parts });
}

function applyOptions(extra: Partial<ApplyOptions> = {}): ApplyOptions {
  return { cwd: ws.dir, env: {}, allowSend: false, waitForProcessing: false, ...extra };
}

const steps = (events: readonly EngineEvent[]) =>
  events.flatMap((e) =>
    e.type === "step" && e.status === "done"
      ? [`${e.key}:${e.action}${e.resource ? `:${e.resource}` : ""}`]
      : [],
  );

describe("the engine on an in-memory Lob and state store", () => {
  it("apply creates a campaign, and a second apply converges (nothing to do)", async () => {
    const io = recordingIo();
    const deps = setup({ io });
    ws.addCampaign("mem-one");
    const first = await runApply(deps, [ws.dir], applyOptions());
    expect(first.failed).toEqual([]);
    expect(steps(io.events)).toEqual([
      "mem-one:create:campaign",
      "mem-one:create:creative",
      "mem-one:create:upload",
      "mem-one:upload_file",
    ]);
    // The bodies the plan carried are what Lob received: the tags make it findable after a lost state.
    const [campaign] = [...deps.client.campaigns.values()];
    expect(campaign!.metadata).toMatchObject({
      campaignctl_key: "mem-one",
      campaignctl_lineage: first.state.lineage,
    });
    const create = first.plan.campaigns[0]!.actions[0]!;
    expect(create).toMatchObject({ kind: "create", resource: "campaign", reasonCode: "new_campaign" });
    expect(create.kind === "create" && create.body.fields).toMatchObject({ metadata: campaign!.metadata });
    const record = deps.stateStore.current()!.campaigns["mem-one"]!;
    expect(record).toMatchObject({
      campaignId: campaign!.id,
      creativeId: expect.any(String),
      uploadId: expect.any(String),
    });
    expect(record.pending).toBeUndefined();
    expect(record.applied.audienceSha256).toMatch(/^[0-9a-f]{64}$/);

    const again = await runPlan(deps, [ws.dir], { cwd: ws.dir, env: {} });
    expect(again.plan.campaigns[0]!.actions).toEqual([]);
    expect(again.plan.hasChanges).toBe(false);
    expect(again.plan.campaigns[0]!.notes.map((n) => n.code)).toEqual(["send_disabled"]);
    expect(deps.client.calls.get("createCampaign")).toBe(1);
  });

  it("a run killed after the create adopts what Lob made instead of creating it again", async () => {
    const deps = setup();
    ws.addCampaign("mem-crash");
    // The host stops the run at the checkpoint after Lob answered, before the state recorded the id.
    const crashing = {
      ...recordingIo(),
      notify(event: EngineEvent) {
        if (event.type === "checkpoint" && event.point === "campaign:after-response")
          throw new Error("killed");
      },
    };
    await expect(runApply({ ...deps, io: crashing }, [ws.dir], applyOptions())).rejects.toThrow("killed");
    expect(deps.stateStore.current()!.campaigns["mem-crash"]).toMatchObject({
      pending: { step: "campaign" },
    });
    expect(deps.client.calls.get("createCampaign")).toBe(1);

    const io = recordingIo();
    const resumed = await runApply({ ...deps, io }, [ws.dir], applyOptions());
    const actions = resumed.plan.campaigns[0]!.actions;
    expect(actions[0]).toMatchObject({ kind: "adopt", resource: "campaign", reasonCode: "found_by_tags" });
    expect(resumed.failed).toEqual([]);
    expect(deps.client.calls.get("createCampaign")).toBe(1);
    expect([...deps.client.campaigns.values()].filter((c) => !c.deleted)).toHaveLength(1);
    expect(deps.stateStore.current()!.campaigns["mem-crash"]!.pending).toBeUndefined();
  });

  it("destroy deletes the draft and records the key as destroyed", async () => {
    const deps = setup();
    ws.addCampaign("mem-gone");
    await runApply(deps, [ws.dir], applyOptions());
    const id = deps.stateStore.current()!.campaigns["mem-gone"]!.campaignId!;
    const io = recordingIo();
    const outcome = await runDestroy(
      { ...deps, io },
      { cwd: ws.dir, env: {}, paths: [], keys: ["mem-gone"] },
    );
    expect(outcome.plan.campaigns[0]!.actions).toMatchObject([
      { kind: "delete", id, reasonCode: "destroy_draft" },
    ]);
    expect(steps(io.events)).toEqual(["mem-gone:delete:campaign"]);
    expect(deps.client.campaigns.get(id)!.deleted).toBe(true);
    const state = deps.stateStore.current()!;
    expect(state.campaigns["mem-gone"]).toBeUndefined();
    expect(state.destroyed?.["mem-gone"]).toMatchObject({ how: "deleted", campaignId: id });
  });

  it("a send happens only when the approval question is answered yes (its default) and sends are allowed", async () => {
    const declined = setup({ io: recordingIo(() => false) });
    ws.addCampaign("mem-send", enableSend);
    await expect(runApply(declined, [ws.dir], applyOptions({ allowSend: true }))).rejects.toMatchObject({
      code: "APPROVAL_DECLINED",
    });
    expect(declined.client.calls.get("createCampaign")).toBeUndefined();
    expect(declined.client.calls.get("sendCampaign")).toBeUndefined();
    const [asked] = (declined.io as ReturnType<typeof recordingIo>).questions;
    expect(asked).toMatchObject({ code: "approve_plan", defaultResponse: true, allowSend: true });

    // The default answer (what --auto-approve takes) goes ahead; without allowSend the send is skipped.
    const io = recordingIo();
    const skipped = await runApply({ ...declined, io }, [ws.dir], applyOptions({ allowSend: false }));
    expect(skipped.skippedSends).toEqual(["mem-send"]);
    expect(declined.client.calls.get("sendCampaign")).toBeUndefined();
    expect(io.events).toContainEqual(expect.objectContaining({ type: "warn", code: "send_skipped" }));

    const sending = recordingIo();
    const sent = await runApply({ ...declined, io: sending }, [ws.dir], applyOptions({ allowSend: true }));
    expect(sent.sent).toEqual(["mem-send"]);
    expect(declined.client.calls.get("sendCampaign")).toBe(1);
    expect(steps(sending.events)).toEqual(["mem-send:send"]);
    expect(declined.stateStore.current()!.campaigns["mem-send"]).toMatchObject({
      sentAt: "2026-11-30T12:00:00.000Z",
      cancelDeadline: "2026-11-30T14:00:00.000Z",
    });
  });
});

describe("engine/ takes its world as arguments", () => {
  it("reads no env, installs no signal handler and never exits the process", async () => {
    const { readdirSync, readFileSync } = await import("node:fs");
    const dir = new URL("../../src/engine/", import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));
    expect(files).toContain("use-cases.ts");
    const uses = files.flatMap((file) =>
      [...readFileSync(new URL(file, dir), "utf8").matchAll(/\bprocess\.(env|exit|on|once|kill)\b/g)].map(
        (m) => `${file}: process.${m[1]}`,
      ),
    );
    expect(uses).toEqual([]);
  });
});
