import { endpointKey } from "./endpoint.js";
import { LobApiError } from "./errors.js";
import type { Query } from "./api-call.js";

/** Lob's list pages: the part this client reads. */
export interface ListPage<T> {
  readonly data: readonly T[];
  readonly next_url?: string | null;
}

/**
 * Every item of a list, following next_url with limit=100 (fewest requests). Only the cursor of
 * next_url is reused: its host is Lob's idea of itself, not necessarily ours.
 */
export async function listAll<T>(
  path: string,
  fetchPage: (query: Query) => Promise<ListPage<T>>,
  secrets: readonly string[],
): Promise<T[]> {
  const all: T[] = [];
  const seen = new Set<string>();
  let query: Query = { limit: 100 };
  for (;;) {
    const page = await fetchPage(query);
    all.push(...page.data);
    const next = nextPageQuery(page.next_url);
    if (next === undefined || page.data.length === 0) return all;
    const key = JSON.stringify(next);
    if (seen.has(key)) {
      throw new LobApiError({
        code: "LOB_UNEXPECTED",
        status: 200,
        lobCode: undefined,
        message: `GET ${path} returned the same next_url twice; stopping to avoid an endless loop.`,
        method: "GET",
        path,
        endpoint: endpointKey("GET", path),
        retryable: false,
        ambiguous: false,
        secrets,
      });
    }
    seen.add(key);
    query = { ...next, limit: 100 };
  }
}

/** The `after` cursor in a list's next_url (absolute or relative), or undefined on the last page. */
export function afterCursorOf(nextUrl: string | null | undefined): string | undefined {
  const after = nextPageQuery(nextUrl)?.after;
  return typeof after === "string" && after !== "" ? after : undefined;
}

/** The query of a next_url as a Query, or undefined on the last page. */
function nextPageQuery(nextUrl: string | null | undefined): Query | undefined {
  if (nextUrl === null || nextUrl === undefined || nextUrl.trim() === "") return undefined;
  let url: URL;
  try {
    url = new URL(nextUrl, "https://api.lob.com/v1/");
  } catch {
    return undefined;
  }
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    out[key] = values.length === 1 ? (values[0] as string) : values;
  }
  return out;
}
