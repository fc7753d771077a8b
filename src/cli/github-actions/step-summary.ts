import { appendFile, stat } from "node:fs/promises";

/** GitHub drops a step's summary larger than this (bytes of the file, per step). */
export const STEP_SUMMARY_LIMIT = 1024 * 1024;

/** Left free for anything else the step may append after us. */
const MARGIN = 4 * 1024;

/**
 * Appends markdown to `$GITHUB_STEP_SUMMARY`, keeping the step's file within GitHub's 1 MiB.
 * `render` gets a character budget and must stay within it (renderPlanMarkdown does, degrading
 * in steps); characters may take up to 3 UTF-8 bytes, so the budget shrinks until the bytes fit.
 * Returns the bytes written (0 when there was no room at all).
 */
export async function appendStepSummary(
  path: string,
  render: (maxChars: number) => string,
  limit: number = STEP_SUMMARY_LIMIT,
): Promise<number> {
  const used = await stat(path).then(
    (s) => s.size,
    () => 0,
  );
  const budget = limit - used - Math.min(MARGIN, Math.floor(limit / 16));
  if (budget < 256) return 0;
  let maxChars = budget;
  for (let attempt = 0; attempt < 6; attempt += 1) {
    const text = `${render(maxChars)}\n`;
    const bytes = Buffer.byteLength(text, "utf8");
    if (bytes <= budget) {
      await appendFile(path, text, "utf8");
      return bytes;
    }
    maxChars = Math.floor((maxChars * budget * 0.95) / bytes);
  }
  const note = "campaignctl: the summary did not fit in GitHub's step summary limit; see the log.\n";
  await appendFile(path, note, "utf8");
  return Buffer.byteLength(note);
}
