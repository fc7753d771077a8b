/** Characters of a name shown in a message; the rest is cut (a 1 MB "header name" is data). */
export const SHOWN_NAME_CHARS = 60;

// Control characters (C0 and DEL), which would break a message's line or a terminal.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;

/**
 * A user-supplied name (a column, a merge variable) as messages show it: control characters
 * escaped so one message stays one line, and cut to SHOWN_NAME_CHARS with its full length noted.
 */
export function shownName(name: string, max = SHOWN_NAME_CHARS): string {
  const cut = name.length > max ? name.slice(0, max) : name;
  const escaped = cut.replace(CONTROL, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return name.length > max ? `${escaped}… (${name.length} characters)` : escaped;
}
