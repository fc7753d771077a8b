import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The committed standalone validator must be exactly what scripts/compile-schemas.mjs makes from
 * the current schema; otherwise `validate` would check against an old schema.
 */
const ROOT = new URL("../../", import.meta.url);

describe("src/manifest/generated/manifest-validator.ts", () => {
  it("is up to date with schemas/manifest.v1.schema.json (run: node scripts/compile-schemas.mjs)", async () => {
    const script = fileURLToPath(new URL("scripts/compile-schemas.mjs", ROOT));
    const { generateValidatorSource } = (await import(script)) as {
      generateValidatorSource: (schemaText: string) => string;
    };
    const schemaText = readFileSync(new URL("schemas/manifest.v1.schema.json", ROOT), "utf8");
    const committed = readFileSync(new URL("src/manifest/generated/manifest-validator.ts", ROOT), "utf8");
    expect(committed === generateValidatorSource(schemaText)).toBe(true);
  });

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
