import { isPlainObject } from "../core/objects.js";
import type { ReplyError } from "./http.js";
import { lobError } from "./http.js";

/**
 * Field readers for campaign and creative bodies (error shape A). Lenient where real traffic
 * contradicts the schema: numeric strings for integers, "true"/"false" for booleans (form bodies
 * can only carry strings).
 */
export function invalid(message: string): ReplyError {
  return lobError(422, "invalid", message);
}

export function has(body: Record<string, unknown>, field: string): boolean {
  return Object.hasOwn(body, field) && body[field] !== undefined;
}

export function readString(
  body: Record<string, unknown>,
  field: string,
  opts: { required?: boolean; nullable?: boolean; max?: number; pattern?: RegExp } = {},
): string | null | undefined {
  if (!has(body, field)) {
    if (opts.required) throw invalid(`${field} is required`);
    return undefined;
  }
  const value = body[field];
  if (value === null || (value === "" && opts.nullable)) {
    if (opts.nullable) return null;
    throw invalid(`${field} must not be null`);
  }
  if (typeof value !== "string") throw invalid(`${field} must be a string`);
  if (opts.required && value.trim() === "") throw invalid(`${field} is required`);
  if (opts.max !== undefined && value.length > opts.max) {
    throw invalid(`${field} must be at most ${opts.max} characters`);
  }
  if (opts.pattern && !opts.pattern.test(value)) throw invalid(`${field} has an invalid format`);
  return value;
}

export function readEnum<T extends string>(
  body: Record<string, unknown>,
  field: string,
  allowed: readonly T[],
  opts: { required?: boolean; nullable?: boolean } = {},
): T | null | undefined {
  const value = readString(body, field, opts);
  if (value === undefined || value === null) return value;
  if (!(allowed as readonly string[]).includes(value)) {
    throw invalid(`${field} must be one of ${allowed.join(", ")}`);
  }
  return value as T;
}

export function readInteger(
  body: Record<string, unknown>,
  field: string,
  opts: { nullable?: boolean; min?: number } = {},
): number | null | undefined {
  if (!has(body, field)) return undefined;
  const value = body[field];
  if (value === null || (value === "" && opts.nullable)) {
    if (opts.nullable) return null;
    throw invalid(`${field} must not be null`);
  }
  const number =
    typeof value === "number"
      ? value
      : typeof value === "string" && /^-?\d+$/.test(value.trim())
        ? Number(value)
        : NaN;
  if (!Number.isSafeInteger(number)) throw invalid(`${field} must be an integer`);
  if (opts.min !== undefined && number < opts.min) throw invalid(`${field} must be at least ${opts.min}`);
  return number;
}

export function readBoolean(body: Record<string, unknown>, field: string): boolean | undefined {
  if (!has(body, field)) return undefined;
  const value = body[field];
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  throw invalid(`${field} must be a boolean`);
}

export function readDateTime(
  body: Record<string, unknown>,
  field: string,
  opts: { nullable?: boolean } = {},
): string | null | undefined {
  const value = readString(body, field, { nullable: opts.nullable ?? false });
  if (value === undefined || value === null) return value;
  const time = Date.parse(value);
  if (Number.isNaN(time) || !/^\d{4}-\d{2}-\d{2}/.test(value))
    throw invalid(`${field} must be an ISO 8601 date-time`);
  return new Date(time).toISOString();
}

/** Lob's metadata rules (Lob's API reference): ≤20 pairs, key ≤40, value ≤500, no `"` or `\`, strings only. */
export function readMetadata(
  body: Record<string, unknown>,
  field = "metadata",
): Record<string, string> | undefined {
  if (!has(body, field)) return undefined;
  const value = body[field];
  if (value === null) return {};
  if (!isPlainObject(value)) throw invalid(`${field} must be an object of string keys and string values`);
  const entries = Object.entries(value);
  if (entries.length > 20) throw invalid(`${field} must have at most 20 keys`);
  const out: Record<string, string> = {};
  for (const [key, v] of entries) {
    if (typeof v !== "string") throw invalid(`${field}.${key} must be a string (metadata cannot be nested)`);
    if (key.length > 40) throw invalid(`${field} keys must be at most 40 characters`);
    if (v.length > 500) throw invalid(`${field}.${key} must be at most 500 characters`);
    if (/["\\]/.test(key) || /["\\]/.test(v))
      throw invalid(`${field} keys and values must not contain " or \\`);
    out[key] = v;
  }
  return out;
}
