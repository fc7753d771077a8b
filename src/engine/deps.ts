import { sleep } from "../core/sleep.js";
import type { LobClient } from "../lob/client.js";
import type { StateStore, StateTarget } from "../state/types.js";
import type { EngineIo } from "./events.js";

/**
 * The engine's whole world, built once by whoever runs it: the CLI from flags and env
 * (cli/engine-deps.ts), a test in memory, a library user however they like. The engine reads no
 * env, installs no signal handler and never exits the process: all of that lives in bin.ts and cli/.
 */
export interface EngineDeps {
  /** Lob (or the sandbox emulator, or an in-memory fake). */
  readonly client: LobClient;
  readonly stateStore: StateStore;
  /** Serialises runs that write the state; read-only use cases (status) never take it. */
  readonly lock: EngineLock;
  /** Typed, coded events out; questions (approval), each with a default answer, in. */
  readonly io: EngineIo;
  readonly clock: Clock;
  /**
   * Where the state belongs (API URL and mode): a fresh state is made for it, and a state made
   * for another target is refused rather than applied somewhere it does not describe.
   */
  readonly target: StateTarget;
}

export interface EngineLock {
  /** Take the state lock for `command` ("apply", "destroy", …); resolves to its release. */
  acquire(command: string): Promise<() => Promise<void>>;
}

export interface Clock {
  /** Lob's clock for the CLI (cancel windows and send times are Lob's), a fixed one in tests. */
  now(): Date;
  /** Waits (settle times, polling); tests pass one that returns at once. */
  sleep(ms: number): Promise<void>;
}

/** A lock for a single process (tests, scripts): runs in this process never overlap, nothing more. */
export function inProcessLock(): EngineLock {
  let tail: Promise<void> = Promise.resolve();
  return {
    async acquire() {
      let release!: () => void;
      const previous = tail;
      tail = new Promise<void>((resolve) => (release = resolve));
      await previous;
      return async () => release();
    },
  };
}

/** Real time: `setTimeout` for sleeps. */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep,
};
