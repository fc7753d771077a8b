import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";

const REGISTER_URL = pathToFileURL(fileURLToPath(new URL("./register-ts.mjs", import.meta.url))).href;

/** Start `test/state/children/<name>.ts` in a real node process running our TypeScript sources. */
export function spawnChild(name: string, args: readonly string[]): ChildProcessWithoutNullStreams {
  const script = fileURLToPath(new URL(`../children/${name}.ts`, import.meta.url));
  return spawn(process.execPath, ["--no-warnings", "--import", REGISTER_URL, script, ...args], {
    stdio: "pipe",
  });
}

/** Resolves with the first stdout line matching `pattern`; rejects if the child exits first. */
export function waitForLine(
  child: ChildProcessWithoutNullStreams,
  pattern: RegExp,
  timeoutMs = 20_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = "";
    let stderr = "";
    const timer = setTimeout(
      () => finish(new Error(`no line matching ${pattern} within ${timeoutMs}ms`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      const hit = lines.find((line) => pattern.test(line));
      if (hit !== undefined) finish(undefined, hit);
    };
    const onErr = (chunk: Buffer) => (stderr += chunk.toString());
    const onExit = (code: number | null) =>
      finish(new Error(`child exited (code ${String(code)}) before ${pattern}; stderr: ${stderr}`));
    function finish(error: Error | undefined, line?: string) {
      clearTimeout(timer);
      child.stdout.off("data", onData);
      child.stderr.off("data", onErr);
      child.off("exit", onExit);
      if (error) reject(error);
      else resolve(line!);
    }
    child.stdout.on("data", onData);
    child.stderr.on("data", onErr);
    child.once("exit", onExit);
  });
}

export function waitForExit(
  child: ChildProcessWithoutNullStreams,
): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

/** A pid that belonged to a process on this host that has already exited. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  const pid = child.pid;
  await new Promise((resolve) => child.once("exit", resolve));
  if (pid === undefined) throw new Error("could not start a short-lived process");
  return pid;
}
