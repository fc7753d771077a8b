import { execa } from "execa";
import { fileURLToPath } from "node:url";

/** The built CLI. `npm test` builds before running vitest, so dist/ is always fresh there. */
export const BIN = fileURLToPath(new URL("../../dist/bin.js", import.meta.url));

export interface SpawnResult {
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

export async function spawnCli(
  args: readonly string[],
  opts: {
    cwd: string;
    env: Record<string, string>;
    timeoutMs?: number;
    killAfterMs?: number;
    /** SIGKILL the run `delayMs` after its stderr has shown `text` `count` times. */
    killAfterOutput?: { text: string; count: number; delayMs: number };
  },
): Promise<SpawnResult> {
  const child = execa("node", [BIN, ...args], {
    cwd: opts.cwd,
    // Plain output unless a test asks for colour: a FORCE_COLOR in the developer's shell must not leak in.
    env: { FORCE_COLOR: undefined, NO_COLOR: "1", ...opts.env },
    extendEnv: true,
    reject: false,
    timeout: opts.timeoutMs ?? 60_000,
    stdin: "ignore",
  });
  if (opts.killAfterMs !== undefined) {
    setTimeout(() => child.kill("SIGKILL"), opts.killAfterMs);
  }
  const trigger = opts.killAfterOutput;
  if (trigger !== undefined) {
    let seen = 0;
    child.stderr?.on("data", (chunk: Buffer) => {
      const before = seen;
      seen += chunk.toString("utf8").split(trigger.text).length - 1;
      if (before < trigger.count && seen >= trigger.count) {
        setTimeout(() => child.kill("SIGKILL"), trigger.delayMs);
      }
    });
  }
  const result = await child;
  return {
    exitCode: result.exitCode,
    signal: result.signal,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
  };
}
