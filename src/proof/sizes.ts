import type { ArtworkField } from "../manifest/types.js";

/**
 * Physical sizes of each mail piece's artwork, bleed included, from Lob's artwork specs (300 DPI):
 * postcards 6.25×4.25 in (4x6), 9.25×6.25 (6x9), 11.25×6.25 (6x11); self-mailers 18.25×6.25
 * (6x18 bifold), 11.25×9.25 (11x9), 12.25×9.25 (12x9), 18×9.25 (17.75x9 trifold); letters are
 * US letter pages, 8.5×11. All are multiples of 1/8 in, so they are whole CSS pixels (96 per inch)
 * and whole device pixels at 300 DPI.
 */
export const DPI = 300;
export const CSS_PX_PER_INCH = 96;
/** The trim line is 1/8 in inside the bleed edge; the safe zone another 1/8 in inside the trim. */
export const BLEED_IN = 0.125;
export const SAFE_MARGIN_IN = 0.125;

/** A rectangle in inches from the artwork's top-left corner (the bleed edge). */
export interface RectIn {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface ProofSurface {
  readonly widthIn: number;
  readonly heightIn: number;
  /** False for letters: pages are printed on US letter sheets, without bleed. */
  readonly bleed: boolean;
  /** The postcard back's address and postage area: nothing may be printed there. */
  readonly inkFree?: RectIn;
}

const POSTCARD: Readonly<Record<string, readonly [number, number]>> = {
  "4x6": [6.25, 4.25],
  "6x9": [9.25, 6.25],
  "6x11": [11.25, 6.25],
};
const SELF_MAILER: Readonly<Record<string, readonly [number, number]>> = {
  "6x18_bifold": [18.25, 6.25],
  "11x9_bifold": [11.25, 9.25],
  "12x9_bifold": [12.25, 9.25],
  "17.75x9_trifold": [18, 9.25],
};
export const LETTER_PAGE = { widthIn: 8.5, heightIn: 11 } as const;

/**
 * Lob's ink-free zone on a postcard back: 3.2835 × 2.375 in on a 4x6, 4 × 2.375 in on the larger
 * sizes, 0.275 in from the right edge and 0.25 in from the bottom edge, bleed included.
 */
function inkFreeZone(size: string, widthIn: number, heightIn: number): RectIn {
  const width = size === "4x6" ? 3.2835 : 4;
  const height = 2.375;
  return { x: widthIn - 0.275 - width, y: heightIn - 0.25 - height, width, height };
}

export const DEFAULT_SIZE = { postcard: "4x6", self_mailer: "6x18_bifold" } as const;

/** The surface one artwork field is printed on; undefined for a size Lob does not have. */
export function surfaceFor(
  resourceType: "postcard" | "letter" | "self_mailer",
  field: ArtworkField,
  details: Readonly<Record<string, unknown>>,
): ProofSurface | undefined {
  if (resourceType === "letter") return { ...LETTER_PAGE, bleed: false };
  const size = typeof details["size"] === "string" ? details["size"] : DEFAULT_SIZE[resourceType];
  const dims = (resourceType === "postcard" ? POSTCARD : SELF_MAILER)[size];
  if (!dims) return undefined;
  const [widthIn, heightIn] = dims;
  return {
    widthIn,
    heightIn,
    bleed: true,
    ...(resourceType === "postcard" && field === "back"
      ? { inkFree: inkFreeZone(size, widthIn, heightIn) }
      : {}),
  };
}

/** Pixels at 300 DPI: 6.25 in → 1875. */
export function devicePixels(inches: number): number {
  return Math.round(inches * DPI);
}

export function cssPixels(inches: number): number {
  return Math.round(inches * CSS_PX_PER_INCH);
}
