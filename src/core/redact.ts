/**
 * Lob keys look like `test_…`, `live_…`, `test_pub_…`. Anything that may carry one (error
 * messages, request configs, URLs) passes through here before it is shown or stored.
 */
const KEY_PATTERN = /\b(test|live)_(pub_)?[A-Za-z0-9]{8,}\b/g;

export function redactSecrets(text: string, extraSecrets: readonly string[] = []): string {
  let out = text;
  for (const secret of extraSecrets) {
    if (secret.length >= 4) out = out.split(secret).join("[REDACTED]");
  }
  return out.replace(KEY_PATTERN, (_m, mode: string) => `${mode}_[REDACTED]`);
}
