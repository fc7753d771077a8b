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
