import type { Browser } from "puppeteer-core";
import { CampaignctlError } from "../core/errors.js";

/**
 * Starts the one headless Chromium a proof run uses (a page per proof, never a browser per proof).
 * The browser is the one bundled in the @sparticuz/chromium npm package, or the user's own Chrome
 * when CHROME_PATH names it. puppeteer-core and the bundle are imported here, lazily: only `proof`
 * (and the emulator's resource proofs) pay for them.
 */
export type LaunchBrowser = () => Promise<Browser>;

/**
 * Flags for rendering artwork we did not write. No `--disable-web-security` (which the package's
 * own list has, for Lambda). `--no-sandbox`: the sandbox cannot start as root or in most
 * containers; the page gets no network and no JavaScript instead (see render-page.ts).
 */
const ARGS = [
  "--no-sandbox",
  "--no-zygote",
  "--disable-dev-shm-usage",
  "--disable-gpu",
  "--disable-webgl",
  "--font-render-hinting=none",
  "--hide-scrollbars",
  "--mute-audio",
  "--no-first-run",
  "--no-default-browser-check",
  "--no-pings",
  "--disable-domain-reliability",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function browserLauncher(env: Readonly<Record<string, string | undefined>>): LaunchBrowser {
  return async () => {
    const { launch } = await import("puppeteer-core");
    const chromePath = env["CHROME_PATH"];
    try {
      if (chromePath) {
        return await launch({ executablePath: chromePath, headless: true, args: ARGS });
      }
      const { bundledChromium } = await import("./bundled-chromium.js");
      const bundled = await bundledChromium();
      return await launch({
        executablePath: bundled.executablePath,
        headless: "shell",
        args: ARGS,
        env: { ...process.env, ...bundled.env },
      });
    } catch (error) {
      throw new CampaignctlError({
        code: "BROWSER_FAILED",
        source: "toolkit",
        message: `could not start ${chromePath ? `the browser at CHROME_PATH (${chromePath})` : "the bundled Chromium (@sparticuz/chromium)"}: ${firstLine(error)}`,
        hint: chromePath
          ? "check that CHROME_PATH names a Chrome or Chromium executable, or unset it to use the bundled one"
          : "run `npm ci` again so node_modules/@sparticuz/chromium is complete, or set CHROME_PATH to a Chrome or Chromium executable",
        cause: error,
      });
    }
  };
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0]!.slice(0, 300);
}
