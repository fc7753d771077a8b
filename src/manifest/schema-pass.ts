import { validate } from "./generated/manifest-validator.js";
import type { SchemaError, SchemaProblem } from "./schema-messages.js";
import { describeSchemaErrors } from "./schema-messages.js";

interface CompiledValidator {
  (data: unknown): boolean;
  errors?: readonly SchemaError[] | null;
}

/** Runs the precompiled schema (scripts/compile-schemas.mjs); every problem, in words. */
export function checkAgainstSchema(value: unknown): SchemaProblem[] {
  const run = validate as CompiledValidator;
  if (run(value)) return [];
  return describeSchemaErrors(run.errors ?? [], value);
}
