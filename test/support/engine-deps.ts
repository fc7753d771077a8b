import { engineDepsFromEnv } from "../../src/deps-from-env.js";
import type { EngineDeps } from "../../src/engine/deps.js";
import type { EngineEvent, EngineIo } from "../../src/engine/events.js";
import type { Plan } from "../../src/plan/types.js";

/** What a test wants to see or do at the engine's I/O points. */
export interface TestIoHooks {
  /** Every event but the plan and checkpoints. */
  readonly reporter?: (event: EngineEvent) => void;
  readonly showPlan?: (plan: Plan) => void;
  /** Runs when approval is asked; throwing declines. Otherwise the default answer is taken. */
  readonly confirm?: (plan: Plan) => Promise<void> | void;
}

/** An I/O host for tests: events to the hooks; approval takes the default after `confirm`. */
export function testIo(hooks: TestIoHooks = {}): EngineIo {
  return {
    notify(event) {
      if (event.type === "plan") hooks.showPlan?.(event.plan);
      else if (event.type !== "checkpoint") hooks.reporter?.(event);
    },
    async requestResponse(question) {
      await hooks.confirm?.(question.plan);
      return question.defaultResponse;
    },
  };
}

/** Deps built from `env` the way the CLI builds them (real client and state file), closed after `work`. */
export async function withEnvDeps<T>(
  options: { readonly cwd: string; readonly env: Readonly<Record<string, string | undefined>> },
  hooks: TestIoHooks,
  work: (deps: EngineDeps) => Promise<T>,
): Promise<T> {
  const opened = await engineDepsFromEnv({ ...options, sandbox: false, io: testIo(hooks) });
  try {
    return await work(opened.deps);
  } finally {
    await opened.close();
  }
}
