// The columns bench/gen-audience.mjs writes, and the address mappings that fit them. Every bench
// that maps a generated audience takes its address mappings from here, so a change to the
// generator's header cannot leave a bench mapping columns that no longer exist.
export const AUDIENCE_COLUMNS = [
  "recipient",
  "company",
  "primary line",
  "secondary line",
  "city",
  "state",
  "zip_code",
  "country",
  "first_name",
  "gift_code",
  "email",
];

export const ADDRESS_MAPPINGS = {
  requiredAddressColumnMapping: {
    name: "recipient",
    address_line1: "primary line",
    address_city: "city",
    address_state: "state",
    address_zip: "zip_code",
  },
  optionalAddressColumnMapping: {
    address_line2: "secondary line",
    company: "company",
    address_country: "country",
  },
};

/** Profile B of bench/gen-audience.mjs: a plain 8-column CRM export. */
export const CRM_COLUMNS = [
  "customer_id",
  "recipient",
  "primary line",
  "secondary line",
  "city",
  "state",
  "zip_code",
  "first_name",
];

/** A full mapping of the CRM profile: the address, a merge variable and a metadata column. */
export const CRM_MAPPING = {
  requiredAddressColumnMapping: ADDRESS_MAPPINGS.requiredAddressColumnMapping,
  optionalAddressColumnMapping: { address_line2: "secondary line", company: null, address_country: null },
  mergeVariableColumnMapping: { first_name: "first_name" },
  metadata: { columns: ["customer_id"] },
};
