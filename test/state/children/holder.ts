// Child for the locking test: holds the state lock as 'apply' for HOLD_MS, then releases it.
import { acquireLock } from "../../../src/state/lock.js";

const [statePath, holdArg] = process.argv.slice(2);
if (statePath === undefined) throw new Error("usage: holder.ts STATE_PATH HOLD_MS");

const lock = await acquireLock(statePath, { command: "apply" }, { timeoutMs: 0 });
process.stdout.write(`locked ${process.pid}\n`);
await new Promise((resolve) => setTimeout(resolve, Number(holdArg ?? "1000")));
await lock.release();
process.stdout.write("released\n");
