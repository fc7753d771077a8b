import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import type { Browser } from "puppeteer-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { browserLauncher } from "../../src/proof/browser.js";
import { renderPdfPages } from "../../src/proof/pdf-pages.js";

/** A minimal US letter PDF whose page N has a black square N inches from the top-left. */
function pdfWithPages(count: number): Uint8Array {
  const objects: string[] = [];
  const kids = Array.from({ length: count }, (_, i) => `${3 + 2 * i} 0 R`).join(" ");
  objects.push("<< /Type /Catalog /Pages 2 0 R >>");
  objects.push(`<< /Type /Pages /Kids [${kids}] /Count ${count} >>`);
  for (let i = 0; i < count; i++) {
    const n = i + 1;
    const draw = `0 g ${72 * n} ${792 - 72 * n - 72} 72 72 re f`;
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${4 + 2 * i} 0 R >>`);
    objects.push(`<< /Length ${draw.length} >>\nstream\n${draw}\nendstream`);
  }
  let body = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, "0")} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(body);
}

let browser: Browser;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "campaignctl-proof-pdf-"));
  browser = await browserLauncher(process.env)();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

const isDark = (png: PNG, xIn: number, yIn: number) =>
  png.data[(Math.round(yIn * 300) * png.width + Math.round(xIn * 300)) * 4]! < 64;

it("renders every page of a PDF letter at 300 DPI", async () => {
  const outBase = join(dir, "letter");
  const rendered = await renderPdfPages(browser, pdfWithPages(2), outBase, ["png", "pdf"]);
  expect(rendered.pages).toBe(2);
  expect(rendered.files).toEqual([`${outBase}.png`, `${outBase}-p2.png`, `${outBase}.pdf`]);
  const [one, two] = [`${outBase}.png`, `${outBase}-p2.png`].map((f) => PNG.sync.read(readFileSync(f)));
  expect([one!.width, one!.height, two!.width, two!.height]).toEqual([2550, 3300, 2550, 3300]);
  // Page 1's square is at 1 in, page 2's at 2 in: each page shows its own content.
  expect([isDark(one!, 1.5, 1.5), isDark(one!, 2.5, 2.5)]).toEqual([true, false]);
  expect([isDark(two!, 1.5, 1.5), isDark(two!, 2.5, 2.5)]).toEqual([false, true]);
}, 60_000);
