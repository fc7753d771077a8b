// Preloaded with `node --import` by test/library-entry.test.ts: registers a loader hook that
// appends every module URL the process resolves to the file named by CAMPAIGNCTL_RECORD_IMPORTS,
// so a test can see what importing a module really loads (ESM has no require cache to inspect).
import { register } from "node:module";

register("./record-imports-hooks.mjs", import.meta.url);
