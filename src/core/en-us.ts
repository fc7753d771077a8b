/**
 * Numbers and text as en-US shows and orders them, without ICU.
 *
 * `toLocaleString("en-US")` and `localeCompare` load ICU's formatter and collator data: about
 * 7 MB of resident memory in every run that prints a row count or sorts keys or files (measured
 * on the 1,000-campaign apply of issue 11, whose budget is 150 MB). The output is the same: the
 * tests in test/core/en-us.test.ts compare these functions with toLocaleString and localeCompare
 * over random and edge-case inputs. What they do not cover (NaN, infinities, numbers of 1e21 and
 * more, text beyond printable ASCII) is handed to ICU, so it is never shown or ordered differently.
 */

const LOCALE = "en-US";

/** `1234567.891` → `1,234,567.891` (at most 3 decimals, like `n.toLocaleString("en-US")`). */
export function formatCount(n: number): string {
  return formatDecimal(n, 0, 3);
}

/**
 * en-US digits with between `minFraction` and `maxFraction` decimals, as
 * `n.toLocaleString("en-US", { minimumFractionDigits, maximumFractionDigits })` writes them. ICU
 * rounds the number's shortest decimal form (what String(n) shows: 1.005 is "1.005", so it
 * becomes 1.01, where toFixed would give 1.00), half away from zero; so does this.
 */
export function formatDecimal(n: number, minFraction: number, maxFraction: number): string {
  if (!Number.isFinite(n) || Math.abs(n) >= 1e21) {
    return n.toLocaleString(LOCALE, {
      minimumFractionDigits: minFraction,
      maximumFractionDigits: maxFraction,
    });
  }
  let { whole, fraction } = shortestDecimal(Math.abs(n));
  if (fraction.length > maxFraction) {
    const roundUp = fraction.charCodeAt(maxFraction) >= 53; /* "5" */
    fraction = fraction.slice(0, maxFraction);
    if (roundUp) {
      const bumped = incrementDigits(whole + fraction);
      whole = bumped.slice(0, bumped.length - fraction.length);
      fraction = bumped.slice(bumped.length - fraction.length);
    }
  }
  let end = fraction.length;
  while (end > minFraction && fraction.charCodeAt(end - 1) === 48 /* "0" */) end -= 1;
  fraction = fraction.slice(0, end).padEnd(minFraction, "0");
  // en-US shows the sign of any negative number, -0 and what rounds to 0 included.
  const sign = n < 0 || Object.is(n, -0) ? "-" : "";
  return `${sign}${groupThousands(whole)}${fraction === "" ? "" : `.${fraction}`}`;
}

/** The digits of String(x) (x >= 0, finite, < 1e21) around the decimal point, exponent applied. */
function shortestDecimal(x: number): { whole: string; fraction: string } {
  const text = String(x);
  const e = text.indexOf("e");
  const mantissa = e === -1 ? text : text.slice(0, e);
  const exponent = e === -1 ? 0 : Number(text.slice(e + 1));
  const point = mantissa.indexOf(".");
  let digits = point === -1 ? mantissa : mantissa.slice(0, point) + mantissa.slice(point + 1);
  let wholeLength = (point === -1 ? mantissa.length : point) + exponent;
  if (wholeLength < 1) {
    digits = "0".repeat(1 - wholeLength) + digits;
    wholeLength = 1;
  }
  if (digits.length < wholeLength) digits = digits.padEnd(wholeLength, "0");
  const whole = digits.slice(0, wholeLength).replace(/^0+(?=\d)/, "");
  return { whole, fraction: digits.slice(wholeLength) };
}

/** "1299" → "1300", "999" → "1000": one added to a string of decimal digits. */
function incrementDigits(digits: string): string {
  const out = digits.split("");
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] !== "9") {
      out[i] = String.fromCharCode(out[i]!.charCodeAt(0) + 1);
      return out.join("");
    }
    out[i] = "0";
  }
  return `1${out.join("")}`;
}

function groupThousands(digits: string): string {
  if (digits.length <= 3) return digits;
  const head = digits.length % 3 || 3;
  let out = digits.slice(0, head);
  for (let i = head; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return out;
}

/**
 * ICU's root collation of printable ASCII, which en-US uses: punctuation and symbols first (in
 * this order, not ASCII's), then digits, then letters; a letter's two cases share a place.
 */
const ASCII_ORDER = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789abcdefghijklmnopqrstuvwxyz";
const PRIMARY = new Uint8Array(128);
for (let i = 0; i < ASCII_ORDER.length; i++) {
  PRIMARY[ASCII_ORDER.charCodeAt(i)] = i + 1;
  const upper = ASCII_ORDER[i]!.toUpperCase().charCodeAt(0);
  if (upper !== ASCII_ORDER.charCodeAt(i)) PRIMARY[upper] = i + 1;
}

/**
 * `a.localeCompare(b)`'s sign. For printable ASCII, ICU compares the characters' places first
 * (so a shorter prefix comes first), and only then their case, lower case first, left to right.
 */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  if (!isPrintableAscii(a) || !isPrintableAscii(b)) return Math.sign(a.localeCompare(b));
  const shorter = Math.min(a.length, b.length);
  let caseOrder = 0;
  for (let i = 0; i < shorter; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    const pa = PRIMARY[ca]!;
    const pb = PRIMARY[cb]!;
    if (pa !== pb) return pa < pb ? -1 : 1;
    // Same letter, other case: decides only if nothing else does.
    if (caseOrder === 0) caseOrder = ca > cb ? -1 : 1;
  }
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return caseOrder;
}

function isPrintableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 || c > 126) return false;
  }
  return true;
}
