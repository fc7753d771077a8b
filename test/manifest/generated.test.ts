import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The committed standalone validator must be exactly what scripts/compile-schemas.mjs makes from
 * the current schema; otherwise `validate` would check against an old schema.
 */
const ROOT = new URL("../../", import.meta.url);

describe("the precompiled schema validators", () => {
  it.each(["manifest", "project", "prices", "state"])(
    "%s: is up to date with its schema (run: node scripts/compile-schemas.mjs)",
    async (name) => {
      const script = fileURLToPath(new URL("scripts/compile-schemas.mjs", ROOT));
      const { generateValidatorSource, TARGETS } = (await import(script)) as {
        generateValidatorSource: (schemaText: string, target: unknown) => string;
        TARGETS: Record<string, { schema: string; output: string }>;
      };
      const target = TARGETS[name]!;
      const schemaText = readFileSync(new URL(target.schema, ROOT), "utf8");
      const committed = readFileSync(new URL(target.output, ROOT), "utf8");
      expect(committed === generateValidatorSource(schemaText, target)).toBe(true);
    },
  );

  it("is a 2020-12 schema with titles or descriptions on every top-level section", () => {
    const schema = JSON.parse(readFileSync(new URL("schemas/manifest.v1.schema.json", ROOT), "utf8")) as {
      $schema: string;
      properties: Record<string, { description?: string }>;
    };
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    for (const [name, property] of Object.entries(schema.properties)) {
      expect(property.description, name).toBeTruthy();
    }
  });
});
