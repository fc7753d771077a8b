import type { Browser, HTTPRequest, Page } from "puppeteer-core";
import { writeFile } from "node:fs/promises";
import type { ProofFinding } from "./checks.js";
import { checkLayout, guidesOverlay } from "./checks.js";
import type { LayoutProbeResult } from "./layout-probe.js";
import { layoutProbe } from "./layout-probe.js";
import type { ProofSurface } from "./sizes.js";
import { CSS_PX_PER_INCH, DPI, cssPixels } from "./sizes.js";

/**
 * Renders one side of one proof in its own page of the run's browser: the page has no network
 * (Lob renders the HTML it was given; nothing here may reach out with a recipient's data in a URL)
 * and no JavaScript, and is closed afterwards.
 */
export type ProofFormat = "png" | "pdf";

export interface RenderSideInput {
  /** The merged HTML. */
  readonly html: string;
  /** The artwork before merging (for selectors that carry no recipient value). */
  readonly template: string;
  /** The row's values (kept out of selectors). */
  readonly values: readonly string[];
  readonly surface: ProofSurface;
  readonly guides: boolean;
  readonly formats: readonly ProofFormat[];
  /** Output path without extension; pages of a letter get `-p2`, `-p3`, … after it. */
  readonly outBase: string;
}

export interface RenderedSide {
  /** Files written, in page order (PNG pages, then the PDF). */
  readonly files: readonly string[];
  readonly pages: number;
  readonly findings: readonly ProofFinding[];
  /** Requests the page made that were not loaded (remote images, fonts): counted, never named. */
  readonly blockedRequests: number;
}

const RENDER_TIMEOUT_MS = 30_000;

/** Lets the page load only what it carries (data: URLs); counts what it tried to fetch. */
export async function blockNetwork(page: Page): Promise<() => number> {
  let blocked = 0;
  await page.setRequestInterception(true);
  page.on("request", (request: HTTPRequest) => {
    const url = request.url();
    if (url.startsWith("data:") || url === "about:blank") void request.continue();
    else {
      blocked++;
      void request.abort("blockedbyclient");
    }
  });
  return () => blocked;
}

export async function renderSide(browser: Browser, input: RenderSideInput): Promise<RenderedSide> {
  const page = await browser.newPage();
  try {
    const blocked = await blockNetwork(page);
    await page.setJavaScriptEnabled(false);
    const { surface } = input;
    const width = cssPixels(surface.widthIn);
    const pageHeight = cssPixels(surface.heightIn);
    await page.setViewport({ width, height: pageHeight, deviceScaleFactor: DPI / CSS_PX_PER_INCH });
    await page.setContent(input.html, { waitUntil: "load", timeout: RENDER_TIMEOUT_MS });
    const probe = (await page.evaluate(
      layoutProbe({ template: input.template, values: input.values }),
    )) as LayoutProbeResult;
    // Letters flow onto as many US letter pages as their content needs; other pieces are one surface.
    const pages = surface.bleed ? 1 : Math.max(1, Math.ceil((probe.scrollHeight - 0.5) / pageHeight));
    const findings = checkLayout(probe, surface, surface.heightIn);
    if (input.guides) {
      const overlay = JSON.stringify(guidesOverlay(surface, surface.heightIn));
      await page.evaluate(`document.documentElement.insertAdjacentHTML("beforeend", ${overlay})`);
    }
    const files: string[] = [];
    if (input.formats.includes("png")) {
      for (let i = 0; i < pages; i++) {
        const file = `${input.outBase}${i === 0 ? "" : `-p${i + 1}`}.png`;
        const png = await page.screenshot({
          type: "png",
          clip: { x: 0, y: i * pageHeight, width, height: pageHeight },
          captureBeyondViewport: pages > 1,
        });
        await writeFile(file, png);
        files.push(file);
      }
    }
    if (input.formats.includes("pdf")) {
      const file = `${input.outBase}.pdf`;
      const pdf = await page.pdf({
        width: `${surface.widthIn}in`,
        height: `${surface.heightIn}in`,
        printBackground: true,
        margin: { top: 0, right: 0, bottom: 0, left: 0 },
        ...(surface.bleed ? { pageRanges: "1" } : {}),
        timeout: RENDER_TIMEOUT_MS,
      });
      await writeFile(file, pdf);
      files.push(file);
    }
    return { files, pages, findings, blockedRequests: blocked() };
  } finally {
    await page.close();
  }
}
