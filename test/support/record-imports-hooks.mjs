// The loader hook registered by record-imports.mjs. It runs on the loader's own thread, so it
// writes each URL synchronously: nothing is lost when the process exits right after the import.
import { appendFileSync } from "node:fs";
import process from "node:process";

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  const record = process.env.CAMPAIGNCTL_RECORD_IMPORTS;
  if (record) appendFileSync(record, `${result.url}\n`);
  return result;
}
