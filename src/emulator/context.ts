import type { IncomingMessage } from "node:http";
import type { LobMode } from "../lob/wire.js";
import type { Reply } from "./http.js";
import type { Processor } from "./processing.js";
import type { Store, UndeliverableRule } from "./store.js";

/** An API key's world: every distinct key is its own account. */
export interface Account {
  /** Hex hash of the key; doubles as the upload `accountId`. The key itself is never kept. */
  readonly id: string;
  readonly mode: LobMode;
}

export interface Env {
  readonly store: Store;
  now(): Date;
  readonly defaultCancelWindowMinutes: number;
  readonly processor: Processor;
  /** Whether PATCH may change a sent campaign's metadata (EmulatorOptions.acceptMetadataAfterSend). */
  acceptMetadataAfterSend(): boolean;
  /** The undeliverable-row setting a send fixes on its upload (EmulatorOptions.undeliverable). */
  undeliverable(): UndeliverableRule | undefined;
}

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly account: Account;
  readonly params: Readonly<Record<string, string>>;
  /** Query string without `?` (parsed with qs where brackets matter). */
  readonly rawQuery: string;
  /** e.g. "http://127.0.0.1:4010": absolute URLs (next_url, file URLs) start with it. */
  readonly origin: string;
  readonly env: Env;
}

export type Handler = (ctx: RequestContext) => Promise<Reply>;

export function isoNow(env: Env): string {
  return env.now().toISOString();
}
