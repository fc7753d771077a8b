import type { Browser, HTTPRequest } from "puppeteer-core";
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { ProofFormat } from "./render-page.js";
import { DPI } from "./sizes.js";

/**
 * Renders a PDF artwork's pages (letters) to PNGs at 300 DPI, in the run's browser, with pdf.js
 * (pdfjs-dist, from node_modules: nothing is fetched). The page that runs pdf.js is ours, with no
 * network; pdf.js runs with `isEvalSupported: false`, so the PDF's own content cannot run script.
 * PDF output is the artwork itself: it is already what Lob prints.
 */
export interface RenderedPdf {
  readonly files: readonly string[];
  readonly pages: number;
}

let pdfjsSources: Promise<{ main: string; worker: string }> | undefined;

function loadPdfjs(): Promise<{ main: string; worker: string }> {
  pdfjsSources ??= (async () => {
    const require = createRequire(import.meta.url);
    const read = async (file: string) =>
      `data:text/javascript;base64,${(await readFile(require.resolve(`pdfjs-dist/build/${file}`))).toString("base64")}`;
    return { main: await read("pdf.min.mjs"), worker: await read("pdf.worker.min.mjs") };
  })();
  return pdfjsSources;
}

const OPEN = String.raw`(async function (sources, data) {
  const pdfjs = await import(sources.main);
  // The worker's code on the page's own thread: no Worker to fetch, nothing leaves the page.
  globalThis.pdfjsWorker = await import(sources.worker);
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  globalThis.campaignctlPdf = await pdfjs.getDocument({ data: bytes, isEvalSupported: false }).promise;
  return globalThis.campaignctlPdf.numPages;
})`;

const RENDER = String.raw`(async function (number, scale) {
  const page = await globalThis.campaignctlPdf.getPage(number);
  const viewport = page.getViewport({ scale: scale });
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(viewport.width);
  canvas.height = Math.round(viewport.height);
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff";
  context.fillRect(0, 0, canvas.width, canvas.height);
  await page.render({ canvasContext: context, viewport: viewport }).promise;
  return canvas.toDataURL("image/png").slice("data:image/png;base64,".length);
})`;

export async function renderPdfPages(
  browser: Browser,
  pdf: Uint8Array,
  outBase: string,
  formats: readonly ProofFormat[],
): Promise<RenderedPdf> {
  const files: string[] = [];
  const sources = await loadPdfjs();
  const page = await browser.newPage();
  try {
    await page.setRequestInterception(true);
    page.on("request", (request: HTTPRequest) => {
      const url = request.url();
      if (url.startsWith("data:") || url.startsWith("blob:") || url === "about:blank")
        void request.continue();
      else void request.abort("blockedbyclient");
    });
    await page.setContent("<!doctype html><html><body></body></html>");
    const data = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString("base64");
    const pages = (await page.evaluate(
      `${OPEN}(${JSON.stringify(sources)}, ${JSON.stringify(data)})`,
    )) as number;
    if (formats.includes("png")) {
      for (let n = 1; n <= pages; n++) {
        const png = (await page.evaluate(`${RENDER}(${n}, ${DPI / 72})`)) as string;
        const file = `${outBase}${n === 1 ? "" : `-p${n}`}.png`;
        await writeFile(file, Buffer.from(png, "base64"));
        files.push(file);
      }
    }
    if (formats.includes("pdf")) {
      await writeFile(`${outBase}.pdf`, pdf);
      files.push(`${outBase}.pdf`);
    }
    return { files, pages };
  } finally {
    await page.close();
  }
}
