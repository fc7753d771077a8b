import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "puppeteer-core";
import type { ResourceProofRenderer, ResourceProofRendering, ResourceProofRequest } from "../lob/wire.js";
import type { ArtworkField } from "../manifest/types.js";
import { browserLauncher } from "./browser.js";
import type { MergeValues } from "./merge.js";
import { mergeHtml } from "./merge.js";
import { blockNetwork, renderSide } from "./render-page.js";
import type { ProofSurface } from "./sizes.js";
import { surfaceFor } from "./sizes.js";

const SIDES: Readonly<Record<ResourceProofRequest["resourceType"], readonly ArtworkField[]>> = {
  postcard: ["front", "back"],
  letter: ["file"],
  self_mailer: ["inside", "outside"],
};

function valuesFrom(parameters: Readonly<Record<string, unknown>>): MergeValues {
  const out = new Map<string, { column: string; value: string }>();
  const given = parameters["merge_variables"];
  if (given && typeof given === "object" && !Array.isArray(given)) {
    for (const [name, value] of Object.entries(given)) {
      if (value !== null && value !== undefined) out.set(name, { column: name, value: String(value) });
    }
  }
  return out;
}

const escapeText = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function sideHtml(value: unknown, values: MergeValues): { html: string; template: string } {
  const text = typeof value === "string" ? value : "";
  if (text.includes("<")) return { html: mergeHtml(text, values).html, template: text };
  const page = `<!doctype html><html><body style="margin:0;font:24px sans-serif;display:flex;align-items:center;justify-content:center;height:100vh;background:#eee">${escapeText(text)} (not rendered by the emulator)</body></html>`;
  return { html: page, template: page };
}

/** One PDF of every side: each side's HTML in a frame the size of the piece, a page per frame. */
function combinedDocument(htmls: readonly string[], surface: ProofSurface): string {
  const frame = (html: string) =>
    `<iframe srcdoc="${html.replace(/&/g, "&amp;").replace(/"/g, "&quot;")}" style="display:block;border:0;width:${surface.widthIn}in;height:${surface.heightIn}in;break-after:page"></iframe>`;
  return `<!doctype html><html><body style="margin:0">${htmls.map(frame).join("")}</body></html>`;
}

/**
 * The emulator's POST /v1/resource_proofs, rendered by the same pipeline as `campaignctl proof`:
 * Mustache merge of `merge_variables`, one page per side in one browser (started on the first
 * proof, closed with the emulator), a PNG per side and one PDF of all sides. Template ids and URLs
 * cannot be fetched offline: they render as a page naming them.
 */
export function createEmulatorProofRenderer(
  env: Readonly<Record<string, string | undefined>>,
): ResourceProofRenderer {
  const launch = browserLauncher(env);
  let browser: Promise<Browser> | undefined;
  return {
    async render(request): Promise<ResourceProofRendering> {
      browser ??= launch();
      const running = await browser;
      const dir = await mkdtemp(join(tmpdir(), "campaignctl-emulator-proof-"));
      try {
        const values = valuesFrom(request.parameters);
        const details = { size: request.parameters["size"] };
        const images: Uint8Array[] = [];
        const htmls: string[] = [];
        let surface: ProofSurface | undefined;
        let pdf: Uint8Array | undefined;
        const sides = SIDES[request.resourceType];
        for (const [i, field] of sides.entries()) {
          surface = surfaceFor(request.resourceType, field, details);
          if (!surface)
            throw new Error(`unknown size '${String(details.size)}' for a ${request.resourceType}`);
          const { html, template } = sideHtml(request.parameters[field], values);
          htmls.push(html);
          const single = sides.length === 1;
          const side = await renderSide(running, {
            html,
            template,
            values: [],
            surface,
            guides: false,
            formats: single ? ["png", "pdf"] : ["png"],
            outBase: join(dir, `side-${i}`),
          });
          for (const file of side.files) {
            const bytes = await readFile(file);
            if (file.endsWith(".png")) images.push(bytes);
            else pdf = bytes;
          }
        }
        if (!pdf && surface) {
          const page = await running.newPage();
          try {
            await blockNetwork(page);
            await page.setJavaScriptEnabled(false);
            await page.setContent(combinedDocument(htmls, surface), { waitUntil: "load" });
            pdf = await page.pdf({
              width: `${surface.widthIn}in`,
              height: `${surface.heightIn}in`,
              printBackground: true,
              margin: { top: 0, right: 0, bottom: 0, left: 0 },
            });
          } finally {
            await page.close();
          }
        }
        return { pdf: pdf ?? new Uint8Array(), images };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    async close() {
      const started = browser;
      browser = undefined;
      await (await started?.catch(() => undefined))?.close();
    },
  };
}
