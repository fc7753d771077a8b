import { ID_PREFIX } from "./wire.js";

/** A path segment that is an id of any kind: it is replaced by `{id}` in the endpoint key. */
const ANY_ID = new RegExp(`^(${Object.values(ID_PREFIX).join("|")})_[A-Za-z0-9]+$`);

/**
 * Lob rate-limits "per API key per endpoint". We take an endpoint to be the method plus the path
 * template (ids replaced by a placeholder), so GET /campaigns/cmp_1 and GET /campaigns/cmp_2
 * share one budget. The client's limiter and the emulator's limiter both use this function, so
 * the client provably stays inside what the emulator enforces.
 */
export function endpointKey(method: string, path: string): string {
  const pathname = path.split("?")[0] ?? "";
  const withoutVersion = pathname.replace(/^\/v1(?=\/|$)/, "");
  const template = withoutVersion
    .split("/")
    .map((segment) => (ANY_ID.test(segment) ? "{id}" : segment))
    .join("/");
  return `${method.toUpperCase()} ${template || "/"}`;
}

/** Lob's documented limit: 150 requests per 5 seconds, per key, per endpoint. */
export const LOB_RATE_LIMIT = { requests: 150, windowMs: 5_000 } as const;
