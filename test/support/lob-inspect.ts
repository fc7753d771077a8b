import type { RunningEmulator } from "../../src/emulator/index.js";
import type { Campaign, Upload } from "../../src/lob/wire.js";

/** Campaign ids seen per API key by censusByKey, so send counts can be scoped to one account. */
const sentIdsByKey = new Map<string, Set<string>>();

/** Plain-HTTP views of what the emulator holds (independent of our client), for assertions. */
export async function lobGet<T>(emulator: RunningEmulator, apiKey: string, path: string): Promise<T> {
  const res = await fetch(`${emulator.url}${path}`, {
    headers: { authorization: `Basic ${Buffer.from(`${apiKey}:`).toString("base64")}` },
  });
  if (!res.ok) throw new Error(`GET ${path} → ${res.status}`);
  return (await res.json()) as T;
}

/** Sends a campaign as someone outside campaignctl would (Lob's dashboard): the HTTP status. */
export async function sendFromDashboard(
  emulator: RunningEmulator,
  apiKey: string,
  id: string,
): Promise<number> {
  const res = await fetch(`${emulator.url}/campaigns/${id}/send`, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from(`${apiKey}:`).toString("base64")}` },
  });
  return res.status;
}

export async function allCampaigns(emulator: RunningEmulator, apiKey: string): Promise<Campaign[]> {
  const out: Campaign[] = [];
  let path: string | null = "/campaigns?limit=100";
  while (path) {
    const page: { data: Campaign[]; next_url: string | null } = await lobGet(emulator, apiKey, path);
    out.push(...page.data);
    path = page.next_url ? page.next_url.slice(page.next_url.indexOf("/campaigns")) : null;
  }
  return out;
}

export interface KeyCensus {
  readonly campaigns: number;
  readonly creatives: number;
  readonly uploads: number;
  readonly sent: number;
}

/** How many campaigns/creatives/uploads exist in Lob per campaignctl key. */
export async function censusByKey(
  emulator: RunningEmulator,
  apiKey: string,
): Promise<Record<string, KeyCensus>> {
  const out: Record<string, KeyCensus> = {};
  const ids = new Set<string>();
  sentIdsByKey.set(apiKey, ids);
  for (const campaign of await allCampaigns(emulator, apiKey)) {
    ids.add(campaign.id);
    const key = campaign.metadata?.campaignctl_key ?? "(untagged)";
    const uploads = await lobGet<Upload[]>(emulator, apiKey, `/uploads?campaignId=${campaign.id}`);
    const prev = out[key] ?? { campaigns: 0, creatives: 0, uploads: 0, sent: 0 };
    out[key] = {
      campaigns: prev.campaigns + 1,
      creatives: prev.creatives + campaign.creatives.length,
      uploads: prev.uploads + uploads.length,
      sent: prev.sent + (campaign.is_draft ? 0 : 1),
    };
  }
  return out;
}

/** Send requests the server processed (answered 200, or committed and then dropped the connection). */
export function processedSends(emulator: RunningEmulator, apiKey?: string): number {
  const ids = apiKey === undefined ? undefined : sentIdsByKey.get(apiKey);
  return emulator
    .requests()
    .filter(
      (r) =>
        r.endpoint === "POST /campaigns/{id}/send" && (r.status === 200 || r.fault === "commit_then_drop"),
    )
    .filter(
      (r) => ids === undefined || ids.has(r.path.split("/").find((part) => part.startsWith("cmp_")) ?? ""),
    ).length;
}

export function writeRequests(emulator: RunningEmulator): string[] {
  return emulator
    .requests()
    .filter((r) => r.method !== "GET")
    .map((r) => `${r.endpoint} ${r.status}`);
}
