import { fileURLToPath } from "node:url";
import type { AudienceMapping } from "../../src/audience/types.js";

/**
 * Lob's own audience fixture (a copy of lobster-family.csv from Lob's fixtures, so tests need
 * nothing outside the repository): 10 rows; row 10 has no city and no ZIP.
 */
export const LOBSTER_CSV = fileURLToPath(new URL("../fixtures/lob/lobster-family.csv", import.meta.url));

/** Header `recipient,primary line,city,state,zip_code` → Lob's required address fields. */
export const LOBSTER_REQUIRED_MAPPING = {
  name: "recipient",
  address_line1: "primary line",
  address_city: "city",
  address_state: "state",
  address_zip: "zip_code",
} as const;

export const NO_OPTIONAL_MAPPING = { address_line2: null, company: null, address_country: null } as const;

export const LOBSTER_MAPPING: AudienceMapping = {
  requiredAddressColumnMapping: LOBSTER_REQUIRED_MAPPING,
  optionalAddressColumnMapping: NO_OPTIONAL_MAPPING,
  mergeVariableColumnMapping: null,
  metadata: { columns: [] },
};
