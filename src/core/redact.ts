/**
 * Lob keys look like `test_…`, `live_…`, `test_pub_…`. Anything that may carry one (error
 * messages, request configs, URLs) passes through here before it is shown or stored.
 */
const KEY_PATTERN = /\b(test|live)_(pub_)?[A-Za-z0-9]{8,}\b/g;

export const REDACTED = "[REDACTED]";

/** Secrets shorter than this are not redacted: replacing 1–3 characters everywhere would garble text. */
const MIN_SECRET_LENGTH = 4;
/** Base64 fragments shorter than this could match ordinary text by chance. */
const MIN_BASE64_FRAGMENT = 8;

/**
 * Error texts: every given secret in any of its forms, and anything shaped like a Lob key (a key
 * of another account in a proxy's reflected request is still a key).
 */
export function redactSecrets(text: string, extraSecrets: readonly string[] = []): string {
  return redactSecretForms(text, extraSecrets.flatMap(secretForms)).replace(
    KEY_PATTERN,
    (_m, mode: string) => `${mode}_${REDACTED}`,
  );
}

/**
 * The ways a secret can appear in text: as itself, and base64-encoded as HTTP basic auth sends it
 * (Lob takes the key as the user name: `Basic base64("KEY:")`). Besides whole encodings of `KEY`
 * and `KEY:`, the part of the encoding that depends only on the key's bytes is listed for each of
 * the three byte alignments, so the key is found inside any base64 text (`KEY:password`, a header
 * dump encoded whole) — standard and URL-safe alphabets.
 */
export function secretForms(secret: string): string[] {
  if (secret.length < MIN_SECRET_LENGTH) return [];
  const bytes = Buffer.from(secret, "utf8");
  const forms = new Set<string>([secret]);
  const addBase64 = (b64: string) => {
    const trimmed = b64.replace(/=+$/, "");
    if (trimmed.length < MIN_BASE64_FRAGMENT) return;
    // With its padding too, so a whole `Basic …` token goes, not all but its trailing `=`.
    for (const form of [b64, trimmed]) {
      forms.add(form);
      forms.add(form.replace(/\+/g, "-").replace(/\//g, "_"));
    }
  };
  addBase64(Buffer.concat([bytes, Buffer.from(":")]).toString("base64"));
  addBase64(bytes.toString("base64"));
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    // Drop the leading group that mixes in the padding bytes and the trailing group that depends
    // on whatever follows the key: what is left is determined by the key alone.
    const start = offset === 0 ? 0 : 4;
    const usable = Math.floor((offset + bytes.length) / 3) * 4;
    addBase64(encoded.slice(start, usable));
  }
  // Longest first, so a longer form is not left half-replaced by one of its own fragments.
  return [...forms].sort((a, b) => b.length - a.length);
}

/** Replaces each of `forms` (from secretForms) wherever it occurs. */
export function redactSecretForms(text: string, forms: readonly string[]): string {
  let out = text;
  for (const form of forms) {
    if (out.includes(form)) out = out.split(form).join(REDACTED);
  }
  return out;
}
