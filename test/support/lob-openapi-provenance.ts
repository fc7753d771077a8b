/**
 * What the vendored copy of Lob's OpenAPI document was made from. Copied from CONTRACT.md §0 (the
 * project's digest of Lob's contract, kept beside the repository, never read by the tests).
 */

/** sha256 of lob/lob-openapi `dist/lob-api-bundled.yml` at 539ed451 (info.version 1.22.0). */
export const LOB_BUNDLE_SHA256 = "5d2b91b838d778d83b841a245b1674aa2a59887ef69568a650331f813c3ca1b5";

/** Where the full bundle is looked for: only the staleness test and the trim script need it. */
export const LOB_BUNDLE_ENV = "CAMPAIGNCTL_LOB_SPEC";
