import type { ResourceProofRenderer } from "../lob/wire.js";

/**
 * The emulator's resource-proof renderer, loaded on the first proof: starting the sandbox or
 * `campaignctl emulator` must not load Mustache, puppeteer or a browser for the many runs that
 * never ask for a proof.
 */
export function lazyEmulatorProofRenderer(
  env: Readonly<Record<string, string | undefined>>,
): ResourceProofRenderer {
  let real: Promise<ResourceProofRenderer> | undefined;
  const load = () =>
    (real ??= import("./emulator-renderer.js").then((m) => m.createEmulatorProofRenderer(env)));
  return {
    render: async (request) => (await load()).render(request),
    close: async () => {
      if (real) await (await real).close?.();
    },
  };
}
