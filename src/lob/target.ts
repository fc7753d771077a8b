import { CampaignctlError } from "../core/errors.js";
import type { LobMode } from "./wire.js";

export const DEFAULT_LOB_API_URL = "https://api.lob.com/v1";

/** Where API calls go: Lob (or anything speaking its API at LOB_API_URL), or the local sandbox. */
export type LobTarget =
  | { readonly kind: "sandbox" }
  | { readonly kind: "lob"; readonly apiKey: string; readonly baseUrl: string; readonly mode: LobMode };

export interface TargetFlags {
  /** `--sandbox`: run against a local emulator the engine starts; no key needed. */
  readonly sandbox?: boolean;
}

const SECRET_KEY = /^(test|live)_[A-Za-z0-9_]+$/;
const PUBLISHABLE_KEY = /^(test|live)_pub_/;

/**
 * Reads LOB_API_KEY and LOB_API_URL. Never puts the key (or any part of it) in a message: a
 * wrong key is described by its shape only.
 */
export function resolveTarget(
  env: Readonly<Record<string, string | undefined>>,
  flags: TargetFlags = {},
): LobTarget {
  if (flags.sandbox === true) return { kind: "sandbox" };

  const apiKey = (env["LOB_API_KEY"] ?? "").trim();
  if (apiKey === "") {
    throw new CampaignctlError({
      code: "NO_API_KEY",
      source: "user",
      message: "No Lob API key: LOB_API_KEY is not set.",
      hint: "Set LOB_API_KEY to a test_… key (e.g. `export LOB_API_KEY=test_…`), or pass --sandbox to run against the local emulator without a key.",
    });
  }
  if (PUBLISHABLE_KEY.test(apiKey)) {
    throw new CampaignctlError({
      code: "LOB_AUTH",
      source: "user",
      message: "LOB_API_KEY holds a publishable key (…_pub_…); the Campaigns API needs a secret key.",
      hint: "Copy the secret test_… or live_… key from the Lob dashboard (Settings → API Keys), or pass --sandbox.",
    });
  }
  if (!SECRET_KEY.test(apiKey)) {
    throw new CampaignctlError({
      code: "LOB_AUTH",
      source: "user",
      message: `LOB_API_KEY does not look like a Lob key (expected test_… or live_… with letters and digits; got ${apiKey.length} characters).`,
      hint: "Copy the secret test_… or live_… key from the Lob dashboard (Settings → API Keys), or pass --sandbox.",
    });
  }
  const mode: LobMode = apiKey.startsWith("live_") ? "live" : "test";
  return { kind: "lob", apiKey, baseUrl: resolveBaseUrl(env["LOB_API_URL"]), mode };
}

function resolveBaseUrl(raw: string | undefined): string {
  const text = (raw ?? "").trim();
  if (text === "") return DEFAULT_LOB_API_URL;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badUrl("LOB_API_URL is not a valid URL.");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw badUrl("LOB_API_URL must be an http(s) URL.");
  }
  if (url.username !== "" || url.password !== "") {
    throw badUrl("LOB_API_URL must not contain credentials; the key goes in LOB_API_KEY.");
  }
  if (url.protocol === "http:" && !isLoopback(url.hostname)) {
    // The key travels in every request header; plain HTTP would expose it on the network.
    throw badUrl("LOB_API_URL uses plain http to a non-local host; the API key would travel unencrypted.");
  }
  url.search = "";
  url.hash = "";
  return url.toString().replace(/\/+$/, "");
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

function badUrl(message: string): CampaignctlError {
  return new CampaignctlError({
    code: "USAGE",
    source: "user",
    message,
    hint: `Unset LOB_API_URL to use ${DEFAULT_LOB_API_URL}, or set it to e.g. http://127.0.0.1:4010/v1 for a local emulator.`,
  });
}
