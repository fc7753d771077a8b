// After tsc: make the bin executable (tsc does not keep modes) so `npx campaignctl` and a
// linked install both work.
import { chmodSync } from "node:fs";

chmodSync(new URL("../dist/bin.js", import.meta.url), 0o755);
