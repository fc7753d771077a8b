import { CampaignctlError } from "../core/errors.js";

/**
 * Where a state lives, as given by `--state`, CAMPAIGNCTL_STATE or the project file's `state`:
 * a `postgres://` (or `postgresql://`) URL selects the Postgres backend, anything else is a file
 * path. Kept free of the driver: this runs on every command, `validate` included.
 */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value.trim());
}

/** The default schema campaignctl's tables live in; `?schema=NAME` in the URL picks another. */
export const DEFAULT_PG_SCHEMA = "campaignctl";

export interface PostgresLocation {
  /** What the driver connects with: the URL without our own `schema` parameter. */
  readonly connectionString: string;
  /** Safe to print: no user name, no password (`postgres://host:5432/db?schema=campaignctl`). */
  readonly printable: string;
  readonly schema: string;
  /** The password and user:password part, raw and URL-escaped, to register as secrets. */
  readonly secrets: readonly string[];
}

/** Parses a postgres URL; a malformed one is a USAGE error that never echoes the URL itself. */
export function parsePostgresUrl(value: string, where = "--state"): PostgresLocation {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new CampaignctlError({
      code: "USAGE",
      message: `${where}: not a valid postgres URL`,
      hint: "write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE (escape special characters in the password with %XX)",
    });
  }
  const schema = url.searchParams.get("schema") ?? DEFAULT_PG_SCHEMA;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new CampaignctlError({
      code: "USAGE",
      message: `${where}: schema '${schema}' is not a plain lowercase SQL name`,
      hint: "use lowercase letters, digits and underscores, starting with a letter (default: campaignctl)",
    });
  }
  const secrets = new Set<string>();
  for (const part of [url.password, safeDecode(url.password)]) if (part.length > 0) secrets.add(part);
  if (url.password.length > 0) secrets.add(`${url.username}:${url.password}`);
  url.searchParams.delete("schema");
  const connectionString = url.toString();
  const printableUrl = new URL(url.toString());
  printableUrl.username = "";
  printableUrl.password = "";
  // Query parameters can carry credentials too (password=, sslkey=…): print their names only.
  const shownParams = [...printableUrl.searchParams.keys()].filter((k) => k !== "schema");
  printableUrl.search = "";
  const base = printableUrl.toString().replace(/\/$/, "");
  const params = [`schema=${schema}`, ...shownParams.map((k) => `${k}=…`)];
  for (const [key, v] of url.searchParams) {
    if (/pass|key|secret|token/i.test(key) && v.length > 0) {
      secrets.add(v);
      secrets.add(safeDecode(v));
    }
  }
  return { connectionString, printable: `${base}?${params.join("&")}`, schema, secrets: [...secrets] };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
