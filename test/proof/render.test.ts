import { readFileSync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pixelmatch from "pixelmatch";
import { PNG } from "pngjs";
import type { Browser } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserLauncher } from "../../src/proof/browser.js";
import { mergeHtml } from "../../src/proof/merge.js";
import type { RenderedSide } from "../../src/proof/render-page.js";
import { renderSide } from "../../src/proof/render-page.js";
import type { ProofSurface } from "../../src/proof/sizes.js";
import { surfaceFor } from "../../src/proof/sizes.js";

/**
 * Pixel tests of the local renderer, in one browser for the whole file (starting Chromium costs
 * seconds; a page per proof is what the command does too).
 */
let browser: Browser;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "campaignctl-proof-"));
  browser = await browserLauncher(process.env)();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
async function render(
  html: string,
  surface: ProofSurface,
  template = html,
): Promise<RenderedSide & { png: PNG }> {
  const outBase = join(dir, `side-${++counter}`);
  const side = await renderSide(browser, {
    html,
    template,
    values: [],
    surface,
    guides: false,
    formats: ["png"],
    outBase,
  });
  return { ...side, png: PNG.sync.read(readFileSync(side.files[0]!)) };
}

const POSTCARD_4X6_BACK = surfaceFor("postcard", "back", { size: "4x6" })!;
const page = (body: string) =>
  `<!doctype html><html><body style="margin:0;font-family:'Open Sans'">${body}</body></html>`;

/** The pixels of a box (in inches) as a separate image. */
function crop(png: PNG, box: { x: number; y: number; width: number; height: number }): PNG {
  const out = new PNG({ width: Math.round(box.width * 300), height: Math.round(box.height * 300) });
  PNG.bitblt(png, out, Math.round(box.x * 300), Math.round(box.y * 300), out.width, out.height, 0, 0);
  return out;
}

function darkPixels(png: PNG): number {
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4) if (png.data[i]! < 128) n++;
  return n;
}

describe("local renderer", () => {
  it.each([
    ["postcard", "front", "4x6", 1875, 1275],
    ["postcard", "back", "6x9", 2775, 1875],
    ["postcard", "front", "6x11", 3375, 1875],
    ["self_mailer", "inside", "6x18_bifold", 5475, 1875],
    ["self_mailer", "outside", "11x9_bifold", 3375, 2775],
    ["self_mailer", "outside", "12x9_bifold", 3675, 2775],
    ["letter", "file", undefined, 2550, 3300],
  ] as const)(
    "renders a %s %s (%s) at its printed size with bleed, 300 DPI",
    async (type, field, size, w, h) => {
      const surface = surfaceFor(type, field, size ? { size } : {})!;
      const { png } = await render(page("<p>size</p>"), surface);
      expect([png.width, png.height]).toEqual([w, h]);
    },
  );

  it("shows a merge variable's value in its box, as the same text written in plain HTML does", async () => {
    const box = { x: 1, y: 1, width: 3, height: 0.75 };
    const at = (text: string) =>
      page(
        `<div style="position:absolute;left:1in;top:1in;width:3in;height:0.75in;font-size:40px">${text}</div>`,
      );
    const values = new Map([["first_name", { column: "first_name", value: "Zephyrine" }]]);
    const merged = mergeHtml(at("{{first_name}}"), values);
    expect(merged.missing).toEqual([]);
    const proof = await render(merged.html, POSTCARD_4X6_BACK, at("{{first_name}}"));
    const reference = await render(at("Zephyrine"), POSTCARD_4X6_BACK);
    const other = await render(at("Bartholomew"), POSTCARD_4X6_BACK);
    const [a, b, c] = [proof.png, reference.png, other.png].map((png) => crop(png, box));
    expect(darkPixels(a!)).toBeGreaterThan(500); // there is text in the box
    const size = [a!.width, a!.height] as const;
    expect(pixelmatch(a!.data, b!.data, undefined, ...size, { threshold: 0.1 })).toBe(0);
    expect(pixelmatch(a!.data, c!.data, undefined, ...size, { threshold: 0.1 })).toBeGreaterThan(500);
  });

  it("renders a missing merge variable visibly", async () => {
    const merged = mergeHtml(page(`<p style="font-size:40px">Hi {{nickname}}</p>`), new Map());
    expect(merged.missing).toEqual(["nickname"]);
    expect(merged.html).toContain("{{nickname}}");
    const { png } = await render(merged.html, POSTCARD_4X6_BACK);
    // The marker's yellow background is on the card.
    let yellow = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      if (png.data[i]! > 240 && png.data[i + 1]! > 240 && png.data[i + 2]! < 30) yellow++;
    }
    expect(yellow).toBeGreaterThan(1000);
  });

  it("warns about text in the postcard back's ink-free zone, with its selector, and not about text outside it", async () => {
    // The 4x6 zone: 3.2835 × 2.375 in, 0.275 in from the right and 0.25 in from the bottom of 6.25 × 4.25.
    const inside = await render(
      page(`<div class="promo" style="position:absolute;left:4in;top:3in;font-size:20px">inside</div>`),
      POSTCARD_4X6_BACK,
    );
    expect(inside.findings.filter((f) => f.code === "INK_FREE_ZONE")).toEqual([
      expect.objectContaining({ severity: "warning", selector: "body > div.promo" }),
    ]);
    const outside = await render(
      page(`<div class="promo" style="position:absolute;left:0.5in;top:0.5in;font-size:20px">outside</div>`),
      POSTCARD_4X6_BACK,
    );
    expect(outside.findings.filter((f) => f.code === "INK_FREE_ZONE")).toEqual([]);
    // The front has no ink-free zone.
    const front = await render(
      page(`<div style="position:absolute;left:4in;top:3in;font-size:20px">front</div>`),
      surfaceFor("postcard", "front", { size: "4x6" })!,
    );
    expect(front.findings.filter((f) => f.code === "INK_FREE_ZONE")).toEqual([]);
  });

  it("warns about text outside the safe zone and errors on an external stylesheet", async () => {
    const side = await render(
      `<html><head><link rel="stylesheet" href="https://example.com/x.css"></head><body style="margin:0"><p style="position:absolute;left:0.05in;top:1in;margin:0">edge</p></body></html>`,
      POSTCARD_4X6_BACK,
    );
    expect(side.findings.map((f) => [f.severity, f.code])).toEqual([
      ["error", "EXTERNAL_STYLESHEET"],
      ["warning", "OUTSIDE_SAFE_ZONE"],
    ]);
    // The stylesheet was not fetched: the page has no network.
    expect(side.blockedRequests).toBe(1);
  });

  it("keeps merged values out of selectors", async () => {
    const template = page(`<p class="{{tier}} note" style="position:absolute;left:4in;top:3in">x</p>`);
    const merged = mergeHtml(template, new Map([["tier", { column: "tier", value: "platinum" }]]));
    const outBase = join(dir, "selector");
    const side = await renderSide(browser, {
      html: merged.html,
      template,
      values: ["platinum"],
      surface: POSTCARD_4X6_BACK,
      guides: true,
      formats: ["png", "pdf"],
      outBase,
    });
    expect(side.findings[0]?.selector).toBe("body > p.note");
    expect(side.files).toEqual([`${outBase}.png`, `${outBase}.pdf`]);
    expect(readFileSync(`${outBase}.pdf`).subarray(0, 5).toString()).toBe("%PDF-");
  });

  it("renders a long HTML letter on as many US letter pages as it needs", async () => {
    const side = await render(
      page(`<div style="height:25in">long letter</div>`),
      surfaceFor("letter", "file", {})!,
    );
    expect(side.pages).toBe(3);
    expect(side.files).toHaveLength(3);
  });
});
