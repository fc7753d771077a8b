import { redactSecretForms, secretForms } from "./redact.js";

/**
 * The secrets of this process (the API key in use, and LOB_API_KEY even when --sandbox leaves it
 * unused), known to every writer without being passed through each call: the CLI's stdout and
 * stderr and every file campaignctl writes redact them as a last line of defence, whatever bug
 * upstream might have let one through.
 */
const forms = new Set<string>();
let sorted: string[] = [];

export function registerSecret(secret: string | undefined): void {
  const trimmed = (secret ?? "").trim();
  let added = false;
  for (const form of secretForms(trimmed)) {
    if (!forms.has(form)) {
      forms.add(form);
      added = true;
    }
  }
  if (added) sorted = [...forms].sort((a, b) => b.length - a.length);
}

/** `text` with every registered secret (in any of its forms) replaced by [REDACTED]. */
export function redactActiveSecrets(text: string): string {
  return sorted.length === 0 ? text : redactSecretForms(text, sorted);
}

/** Whether `text` holds a registered secret in any form. */
export function containsActiveSecret(text: string): boolean {
  return sorted.some((form) => text.includes(form));
}

/** Tests only: forget every registered secret. */
export function clearActiveSecrets(): void {
  forms.clear();
  sorted = [];
}
