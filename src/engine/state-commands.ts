import { getLiveCampaign } from "./observe.js";
import { CampaignctlError } from "../core/errors.js";
import { projectOf, TAG_KEY, TAG_LINEAGE } from "../core/tags.js";
import type { LobClient } from "../lob/client.js";
import { isLobApiError } from "../lob/errors.js";
import type { Campaign } from "../lob/wire.js";
import { campaignTags, userMetadata } from "../plan/campaign-fields.js";
import { cancelDeadline } from "../plan/plan-apply.js";
import { withCampaign, withDestroyed } from "../state/index.js";
import { clearPending } from "../state/records.js";
import type { CampaignRecord, DestroyedRecord, StateFile, StateVersion } from "../state/types.js";
import { projectName } from "./project-name.js";
import type { EngineDeps } from "./deps.js";
import type { Session } from "./session.js";
import { openSession } from "./session.js";
import type { UseCaseOptions } from "./use-cases.js";
import { compareText } from "../core/en-us.js";

/** What the state commands are given besides their deps: the project (its name is the tag). */
export type StateCommandOptions = Pick<UseCaseOptions, "project">;

/**
 * `state list|show|rm|mv|rebuild` and `import`: edit what the state records, keeping Lob's tags
 * in step, because the tags (not the state) are what stop a second mailing after a state is lost
 * (decisions.md §14). Each takes the state lock like apply.
 */

/** Manifest keys: the same pattern as the manifest schema's `key`. */
const KEY_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export interface StateListing {
  readonly campaigns: readonly CampaignRecord[];
  readonly destroyed: readonly DestroyedRecord[];
}

export async function runStateList(deps: EngineDeps): Promise<StateListing> {
  return withSession(deps, "state list", (session) => ({
    campaigns: Object.values(session.state.campaigns).sort((a, b) => compareText(a.key, b.key)),
    destroyed: Object.values(session.state.destroyed ?? {}).sort((a, b) => compareText(a.key, b.key)),
  }));
}

/** The most recent versions of the state, newest first. Reads only: no lock, no Lob call. */
export async function runStateHistory(deps: EngineDeps, limit: number): Promise<readonly StateVersion[]> {
  return deps.stateStore.history(limit);
}

export async function runStateShow(
  deps: EngineDeps,
  options: StateCommandOptions,
  key: string,
): Promise<{ readonly record?: CampaignRecord; readonly destroyed?: DestroyedRecord }> {
  return withSession(deps, "state show", (session) => {
    const record = own(session.state.campaigns, key);
    const destroyed = own(session.state.destroyed ?? {}, key);
    if (!record && !destroyed) throw unknownKey(session.state, key);
    return { ...(record ? { record } : {}), ...(destroyed ? { destroyed } : {}) };
  });
}

export interface RmOutcome {
  readonly campaignId?: string;
  /** Our tags were removed from the campaign in Lob. */
  readonly untagged: boolean;
  /** Why they were not (Lob refused, the campaign is gone, nothing was recorded). */
  readonly note?: string;
}

/** Stop managing a key: remove our tags where Lob lets us, then forget the record. */
export async function runStateRm(
  deps: EngineDeps,
  options: StateCommandOptions,
  key: string,
): Promise<RmOutcome> {
  return withSession(deps, "state rm", async (session) => {
    const record = own(session.state.campaigns, key);
    const destroyed = own(session.state.destroyed ?? {}, key);
    if (!record && !destroyed) throw unknownKey(session.state, key);
    let outcome: RmOutcome = { untagged: false, note: "no campaign was recorded for it" };
    const id = record?.campaignId;
    if (id !== undefined) {
      const campaign = await getLiveCampaign(session.client, id);
      if (!campaign) {
        outcome = { campaignId: id, untagged: false, note: `campaign ${id} no longer exists in Lob` };
      } else {
        try {
          await session.client.updateCampaign(id, { metadata: userMetadata(campaign.metadata) });
          outcome = { campaignId: id, untagged: true };
        } catch (error) {
          if (!isRefusal(error)) throw error;
          outcome = {
            campaignId: id,
            untagged: false,
            note: `Lob refused to change the metadata of ${campaign.is_draft ? "" : "sent "}campaign ${id} (${error.message}); it keeps its campaignctl tags, so a run without a record of it will refuse to create '${key}' again`,
          };
        }
      }
    }
    await session.commit([
      ...(record ? [{ kind: "remove", key } as const] : []),
      ...(destroyed ? [{ kind: "remove_destroyed", key } as const] : []),
    ]);
    return outcome;
  });
}

/** Rename a key without a new campaign: retag it in Lob first, and refuse when Lob won't. */
export async function runStateMv(
  deps: EngineDeps,
  options: StateCommandOptions,
  from: string,
  to: string,
): Promise<{ readonly campaignId?: string }> {
  assertKey(to);
  return withSession(deps, "state mv", async (session) => {
    const record = own(session.state.campaigns, from);
    if (!record) throw unknownKey(session.state, from);
    if (own(session.state.campaigns, to)) {
      throw new CampaignctlError({
        code: "USAGE",
        message: `the state already records a campaign under '${to}'`,
        hint: `pick another key, or 'campaignctl state rm ${to}' first`,
      });
    }
    const id = record.campaignId;
    if (id === undefined) {
      throw new CampaignctlError({
        code: "USAGE",
        message: `'${from}' has no campaign yet (its create never finished), so there is nothing to retag`,
        hint: "run 'campaignctl apply' to finish it, then move it",
      });
    }
    const project = projectName(options);
    const campaign = await session.client.getCampaign(id);
    const holders = (await taggedInProject(session.client, project)).filter(
      (c) => c.metadata?.[TAG_KEY] === to && c.id !== id,
    );
    if (holders.length > 0) {
      throw new CampaignctlError({
        code: "USAGE",
        message: `Lob already holds campaign ${holders.map((c) => c.id).join(", ")} tagged with key '${to}' in project '${project}'`,
        hint: `pick another key; two campaigns under one key would defeat the protection against mailing twice`,
      });
    }
    try {
      await session.client.updateCampaign(id, {
        metadata: { ...userMetadata(campaign.metadata), ...campaignTags(to, session.state.lineage, project) },
      });
    } catch (error) {
      if (!isRefusal(error)) throw error;
      throw new CampaignctlError({
        code: "LOB_VALIDATION",
        source: "remote",
        message: `Lob refused to retag ${campaign.is_draft ? "" : "sent "}campaign ${id} as '${to}' (${error.message}); the state is unchanged`,
        hint: `the tag is what stops a second mailing after the state is lost, so '${from}' is not renamed; keep the manifest's key '${from}'`,
      });
    }
    await session.commit([
      { kind: "remove", key: from },
      { kind: "put", record: { ...record, key: to } },
      ...(own(session.state.destroyed ?? {}, to) ? [{ kind: "remove_destroyed", key: to } as const] : []),
    ]);
    return { campaignId: id };
  });
}

export interface RebuildOutcome {
  readonly lineage: string;
  readonly found: readonly { key: string; campaignId: string; sent: boolean }[];
  /** Keys the state recorded whose campaigns Lob no longer holds (dropped). */
  readonly dropped: readonly string[];
  /** Further campaigns under a key already found (left alone; a plan deletes our-lineage draft duplicates). */
  readonly duplicates: readonly { key: string; campaignId: string }[];
}

/**
 * Rebuild the records from Lob's tags for this project: ids, sent status, cancel deadlines. What
 * only a past apply could know (the hashes of the artwork and the audience file) is marked unknown.
 */
export async function runStateRebuild(
  deps: EngineDeps,
  options: StateCommandOptions,
): Promise<RebuildOutcome> {
  return withSession(deps, "state rebuild", async (session) => {
    const project = projectName(options);
    const byKey = new Map<string, Campaign[]>();
    for (const campaign of await taggedInProject(session.client, project)) {
      const key = campaign.metadata![TAG_KEY]!;
      byKey.set(key, [...(byKey.get(key) ?? []), campaign]);
    }
    const exists = session.state.serial > 0;
    const chosen = [...byKey.entries()].map(([key, list]) => {
      // Like the planner: a sent one first (it is the one that mailed), then the oldest.
      const [first, ...rest] = [...list].sort(
        (a, b) =>
          Number(a.is_draft) - Number(b.is_draft) ||
          compareText(a.date_created, b.date_created) ||
          compareText(a.id, b.id),
      );
      return { key, campaign: first!, rest };
    });
    // A new state takes the lineage the campaigns share, so it finds its own lost creates later.
    const lineages = new Set(chosen.map((c) => c.campaign.metadata?.[TAG_LINEAGE]));
    const shared = [...lineages][0];
    const lineage =
      !exists && lineages.size === 1 && shared !== undefined && UUID.test(shared)
        ? shared
        : session.state.lineage;

    let state: StateFile = { ...session.state, lineage, campaigns: {} };
    for (const { key, campaign } of chosen) {
      const before = own(session.state.campaigns, key);
      state = withCampaign(state, key, () =>
        before?.campaignId === campaign.id ? refreshed(before, campaign) : recordOf(key, campaign),
      );
      state = withDestroyed(state, key, undefined);
    }
    const dropped: string[] = [];
    for (const record of Object.values(session.state.campaigns)) {
      if (own(state.campaigns, record.key)) continue;
      // A create with no answer yet keeps its intent: it may still land, and must be found then.
      if (record.campaignId === undefined && record.pending) {
        state = withCampaign(state, record.key, () => record);
      } else {
        dropped.push(record.key);
      }
    }
    // A rebuild replaces every record (and may adopt the campaigns' lineage): one whole-state change.
    await session.commit([{ kind: "replace", state }]);
    return {
      lineage,
      found: chosen.map(({ key, campaign }) => ({ key, campaignId: campaign.id, sent: !campaign.is_draft })),
      dropped: dropped.sort(),
      duplicates: chosen.flatMap(({ key, rest }) => rest.map((c) => ({ key, campaignId: c.id }))),
    };
  });
}

export interface ImportOutcome {
  readonly campaignId: string;
  readonly sent: boolean;
  /** False when Lob refused our tags: from now on only the state protects this campaign. */
  readonly tagged: boolean;
  readonly note?: string;
}

/** Adopt a campaign made elsewhere (say, Lob's dashboard): tag it, then record it. */
export async function runImport(
  deps: EngineDeps,
  options: StateCommandOptions,
  key: string,
  campaignId: string,
): Promise<ImportOutcome> {
  assertKey(key);
  return withSession(deps, "import", async (session) => {
    const project = projectName(options);
    const campaign = await getLiveCampaign(session.client, campaignId);
    if (!campaign) {
      throw new CampaignctlError({
        code: "LOB_NOT_FOUND",
        source: "remote",
        message: `Lob holds no campaign ${campaignId} for this API key`,
        hint: "check the id in Lob's dashboard, and that LOB_API_KEY is the key of that account",
      });
    }
    const existing = own(session.state.campaigns, key);
    if (existing?.campaignId !== undefined && existing.campaignId !== campaignId) {
      throw new CampaignctlError({
        code: "USAGE",
        message: `the state already records campaign ${existing.campaignId} under '${key}'`,
        hint: `'campaignctl state rm ${key}' first if ${campaignId} should replace it`,
      });
    }
    const other = Object.values(session.state.campaigns).find(
      (r) => r.campaignId === campaignId && r.key !== key,
    );
    if (other) {
      throw new CampaignctlError({
        code: "USAGE",
        message: `campaign ${campaignId} is already recorded under '${other.key}'`,
        hint: `rename the key instead: 'campaignctl state mv ${other.key} ${key}'`,
      });
    }
    const taggedKey = campaign.metadata?.[TAG_KEY];
    if (taggedKey !== undefined && taggedKey !== key && projectOf(campaign.metadata) === project) {
      throw new CampaignctlError({
        code: "USAGE",
        message: `campaign ${campaignId} carries key '${taggedKey}' in project '${project}', not '${key}'`,
        hint: `import it as '${taggedKey}', or give its manifest that key`,
      });
    }
    let tagged = true;
    let note: string | undefined;
    try {
      await session.client.updateCampaign(campaignId, {
        metadata: {
          ...userMetadata(campaign.metadata),
          ...campaignTags(key, session.state.lineage, project),
        },
      });
    } catch (error) {
      if (!isRefusal(error)) throw error;
      tagged = false;
      note = `Lob refused to tag ${campaign.is_draft ? "" : "sent "}campaign ${campaignId} (${error.message}); it is recorded anyway, but from now on only the state protects it: if the state is lost, a plan cannot find it`;
    }
    // Imported again: keep what the state already knew about it (its hashes).
    const record =
      existing?.campaignId === campaignId ? refreshed(existing, campaign) : recordOf(key, campaign);
    await session.commit([
      { kind: "put", record },
      ...(own(session.state.destroyed ?? {}, key) ? [{ kind: "remove_destroyed", key } as const] : []),
    ]);
    return { campaignId, sent: !campaign.is_draft, tagged, ...(note ? { note } : {}) };
  });
}

// ─── helpers ──────────────────────────────────────────────────────────────────────────────────

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function withSession<T>(
  deps: EngineDeps,
  command: string,
  work: (session: Session) => Promise<T> | T,
): Promise<T> {
  const session = await openSession(deps, command);
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}

/** A record for a campaign campaignctl did not apply: ids and send from Lob, hashes unknown. */
function recordOf(key: string, campaign: Campaign): CampaignRecord {
  const creative = campaign.creatives[0];
  const upload = campaign.uploads[0];
  const sentAt = campaign.is_draft ? undefined : (campaign.send_date ?? undefined);
  const deadline = sentAt ? cancelDeadline(campaign, undefined) : undefined;
  return {
    key,
    campaignId: campaign.id,
    ...(creative ? { creativeId: creative.id } : {}),
    ...(upload ? { uploadId: upload.id } : {}),
    applied: { unknown: ["creativeContentHash", "audienceSha256"] },
    ...(sentAt ? { sentAt } : {}),
    ...(deadline ? { cancelDeadline: deadline } : {}),
  };
}

/** A record the state already had for this very campaign keeps what it knew; Lob's send wins. */
function refreshed(record: CampaignRecord, campaign: Campaign): CampaignRecord {
  const rest = clearPending(record);
  const sentAt = campaign.is_draft ? undefined : (campaign.send_date ?? record.sentAt);
  const deadline = sentAt ? cancelDeadline(campaign, record) : undefined;
  return { ...rest, ...(sentAt ? { sentAt } : {}), ...(deadline ? { cancelDeadline: deadline } : {}) };
}

/** Every live campaign tagged with a key in this project (untagged-project ones count as `default`). */
async function taggedInProject(client: LobClient, project: string): Promise<Campaign[]> {
  return (await client.listAllCampaigns()).filter(
    (c) => !c.deleted && c.metadata?.[TAG_KEY] !== undefined && projectOf(c.metadata) === project,
  );
}

/** Lob said no to a metadata change (a 4xx other than auth, not found or rate limit). */
function isRefusal(error: unknown): error is Error & { status: number } {
  return isLobApiError(error) && (error.status === 422 || error.status === 400);
}

function own<T>(map: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

function assertKey(key: string): void {
  if (!KEY_PATTERN.test(key)) {
    throw new CampaignctlError({
      code: "USAGE",
      message: `'${key}' is not a campaign key`,
      hint: "keys are lowercase letters, digits and dashes, starting with a letter or digit, at most 63 characters",
    });
  }
}

function unknownKey(state: StateFile, key: string): CampaignctlError {
  const known = [...Object.keys(state.campaigns), ...Object.keys(state.destroyed ?? {})].sort();
  return new CampaignctlError({
    code: "USAGE",
    message: `the state records nothing under '${key}'`,
    hint:
      known.length > 0
        ? `known keys: ${known.join(", ")}`
        : "the state is empty: run 'campaignctl apply' first",
  });
}
