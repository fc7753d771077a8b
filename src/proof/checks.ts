import type { InkBox, LayoutProbeResult } from "./layout-probe.js";
import type { ProofSurface, RectIn } from "./sizes.js";
import { BLEED_IN, CSS_PX_PER_INCH, SAFE_MARGIN_IN } from "./sizes.js";

/**
 * Layout checks on one rendered side, from the browser's own layout (layout-probe.ts): ink in the
 * postcard back's ink-free zone, text outside the safe zone (warnings), external stylesheets
 * (an error: Lob does not load them, so the printed piece would look different).
 */
export interface ProofFinding {
  readonly severity: "warning" | "error";
  readonly code:
    | "INK_FREE_ZONE"
    | "OUTSIDE_SAFE_ZONE"
    | "EXTERNAL_STYLESHEET"
    | "MISSING_MERGE_VARIABLE"
    | "REMOTE_RESOURCE"
    | "LOB_PROOF_FAILED";
  readonly message: string;
  readonly selector?: string;
}

function toCss(rect: RectIn) {
  return {
    left: rect.x * CSS_PX_PER_INCH,
    top: rect.y * CSS_PX_PER_INCH,
    right: (rect.x + rect.width) * CSS_PX_PER_INCH,
    bottom: (rect.y + rect.height) * CSS_PX_PER_INCH,
  };
}

/** Anti-aliasing and sub-pixel layout: overlaps under a quarter of a CSS pixel do not count. */
const TOLERANCE = 0.25;

function overlaps(box: InkBox, zone: ReturnType<typeof toCss>): boolean {
  return (
    box.x + box.width > zone.left + TOLERANCE &&
    box.x < zone.right - TOLERANCE &&
    box.y + box.height > zone.top + TOLERANCE &&
    box.y < zone.bottom - TOLERANCE
  );
}

function leaves(box: InkBox, zone: ReturnType<typeof toCss>): boolean {
  return (
    box.x < zone.left - TOLERANCE ||
    box.y < zone.top - TOLERANCE ||
    box.x + box.width > zone.right + TOLERANCE ||
    box.y + box.height > zone.bottom + TOLERANCE
  );
}

/** One finding per element and kind, in document order. */
export function checkLayout(
  probe: LayoutProbeResult,
  surface: ProofSurface,
  pageHeightIn: number,
): ProofFinding[] {
  const findings: ProofFinding[] = [];
  if (probe.externalStylesheets > 0) {
    findings.push({
      severity: "error",
      code: "EXTERNAL_STYLESHEET",
      message: `the artwork links ${probe.externalStylesheets} external stylesheet(s) (<link rel="stylesheet"> or @import): Lob does not load them; put the CSS in a <style> element`,
    });
  }
  const seen = new Set<string>();
  const once = (finding: ProofFinding) => {
    const id = `${finding.code} ${finding.selector}`;
    if (!seen.has(id)) {
      seen.add(id);
      findings.push(finding);
    }
  };
  if (surface.inkFree) {
    const zone = toCss(surface.inkFree);
    const { width, height } = surface.inkFree;
    for (const box of probe.ink.filter((b) => overlaps(b, zone))) {
      once({
        severity: "warning",
        code: "INK_FREE_ZONE",
        selector: box.selector,
        message: `${box.kind} in the ink-free address and postage zone (${width} × ${height} in at the bottom right): Lob covers it`,
      });
    }
  }
  if (surface.bleed) {
    const inset = BLEED_IN + SAFE_MARGIN_IN;
    const safe = toCss({
      x: inset,
      y: inset,
      width: surface.widthIn - 2 * inset,
      height: pageHeightIn - 2 * inset,
    });
    for (const box of probe.ink.filter((b) => b.kind === "text" && leaves(b, safe))) {
      once({
        severity: "warning",
        code: "OUTSIDE_SAFE_ZONE",
        selector: box.selector,
        message: `text outside the safe zone (${inset} in from the edge): it may be cut off when trimmed`,
      });
    }
  }
  return findings;
}

/** The overlay `--guides` draws: trim line, safe zone, ink-free zone. Ignored by the checks. */
export function guidesOverlay(surface: ProofSurface, pageHeightIn: number): string {
  const inch = (v: number) => `${v}in`;
  const rect = (r: RectIn, style: string, label = "") =>
    `<div style="position:absolute;left:${inch(r.x)};top:${inch(r.y)};width:${inch(r.width)};height:${inch(r.height)};box-sizing:border-box;${style}">${label}</div>`;
  const parts: string[] = [];
  if (surface.bleed) {
    const trim = {
      x: BLEED_IN,
      y: BLEED_IN,
      width: surface.widthIn - 2 * BLEED_IN,
      height: pageHeightIn - 2 * BLEED_IN,
    };
    const s = BLEED_IN + SAFE_MARGIN_IN;
    const safe = { x: s, y: s, width: surface.widthIn - 2 * s, height: pageHeightIn - 2 * s };
    parts.push(rect(trim, "border:2px solid rgba(220,0,0,.9)"));
    parts.push(rect(safe, "border:2px dashed rgba(0,90,220,.9)"));
  }
  if (surface.inkFree) {
    parts.push(
      rect(
        surface.inkFree,
        "background:rgba(255,140,0,.25);border:2px solid rgba(255,140,0,.9);font:bold 11px sans-serif;color:rgba(160,80,0,1);padding:4px",
        "ink-free zone",
      ),
    );
  }
  return `<div data-campaignctl-guides style="position:absolute;left:0;top:0;width:${inch(surface.widthIn)};height:${inch(pageHeightIn)};pointer-events:none;z-index:2147483647">${parts.join("")}</div>`;
}
