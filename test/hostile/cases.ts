import { execFileSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, symlinkSync, truncateSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";

/**
 * The hostile-input corpus: each case is a small project (the base below, with some files
 * replaced, and special files made at test time), a command, the exit code and a fragment of the
 * message the user must see. corpus.test.ts runs every case through the built CLI.
 *
 * Every recipient cell in every CSV here contains the marker PLANTED ("Zqx"), and the API key is
 * KEY; neither may ever appear in stdout, stderr, or a file under .campaignctl/ (the sandbox
 * emulator's own store, which plays Lob, excepted).
 */

export const PLANTED = "Zqx";
export const KEY = "test_hostileKey9f8e7d6c5b4a3";
/** Values of other environment variables used by the cases; messages name the variable instead. */
export const ENV_SECRET = "envSecretW7v";

export interface HostileCase {
  readonly name: string;
  /** Files relative to the project directory, written over the base; null removes a base file. */
  readonly files?: Readonly<Record<string, string | Buffer | null>>;
  /** Rewrites the base manifest's text. */
  readonly manifest?: (base: string) => string;
  /** Makes what cannot be committed: symlinks, FIFOs, huge sparse files. */
  readonly setup?: (project: string, outside: string) => void;
  /** Default: ["validate"]. */
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly exit: 0 | 1 | 2;
  /** Must appear in stdout or stderr (a diagnostic code, or part of the message). */
  readonly expect?: string | RegExp;
  /** Must not appear anywhere (in addition to PLANTED and KEY). */
  readonly secrets?: readonly string[];
  /** Upper bound on stdout + stderr length (for cases about long names). */
  readonly maxOutputChars?: number;
}

export const HEADER = "customer_id,recipient,first_name,primary line,secondary line,city,state,zip_code,code";
export const ROWS = [
  "C-1,Ada Zqxlovelace,Ada Zqx,12 Zqx Analytical St,,London Zqx,CA,94107,X1",
  "C-2,Alan Zqxturing,Alan Zqx,1 Zqx Bletchley Park,Hut 8 Zqx,Bletchley Zqx,NY,10001,X2",
  'C-3,"Grace Zqxhopper, Rear Adm",Grace Zqx,"9 Zqx Navy Yard",,Arlington Zqx,VA,22202,X3',
];

export const BASE_MANIFEST = `version: 1
key: hostile-base
campaign:
  name: Hostile corpus
  description: Base campaign of the hostile corpus
  schedule_type: immediate
  use_type: marketing
  cancel_window_campaign_minutes: 120
creative:
  resource_type: postcard
  front: ./front.html
  back: tmpl_c94e83ca2cd5121
  details:
    size: 4x6
    mail_type: usps_first_class
audience:
  file: ./audience.csv
  requiredAddressColumnMapping:
    name: recipient
    address_line1: primary line
    address_city: city
    address_state: state
    address_zip: zip_code
  optionalAddressColumnMapping:
    address_line2: secondary line
    company: null
    address_country: null
  mergeVariableColumnMapping:
    first_name: first_name
    discount_code: code
  metadata:
    columns: [customer_id]
send:
  enabled: false
  max_pieces: 50000
`;

export const BASE_FRONT =
  "<html><body><h1>Hello {{first_name}}</h1><p>Code {{discount_code}}</p></body></html>\n";

export function csv(rows: readonly string[], eol = "\n", header = HEADER): string {
  return [header, ...rows].join(eol) + eol;
}

const replace =
  (from: string | RegExp, to: string) =>
  (base: string): string => {
    const out = base.replace(from, to);
    if (out === base) throw new Error(`corpus case: '${String(from)}' not in the base manifest`);
    return out;
  };

function fifo(path: string): void {
  execFileSync("mkfifo", [path]);
}

function sparse(path: string, head: string | Buffer, size: number): void {
  writeFileSync(path, head);
  truncateSync(path, size);
}

function repeatToFile(path: string, line: string, bytes: number): void {
  const fd = openSync(path, "w");
  const block = Buffer.from(line.repeat(Math.ceil((1024 * 1024) / line.length)));
  for (let written = 0; written < bytes; written += block.length) writeSync(fd, block);
  closeSync(fd);
}

function link(target: string, path: string): void {
  symlinkSync(target, path);
}

const plan = ["plan", "--sandbox"];
const apply = ["apply", "--sandbox", "--auto-approve"];

// ------------------------------------------------------------------------------------------------
// Manifests: YAML, size, encoding, file type.
// ------------------------------------------------------------------------------------------------
const manifestCases: HostileCase[] = [
  { name: "valid base project", exit: 0, expect: "OK: 1 campaign valid" },
  {
    name: "YAML alias bomb (billion laughs)",
    args: ["validate", "campaign.yaml"],
    files: {
      "campaign.yaml":
        'version: 1\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' +
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n" +
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n" +
        "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n",
    },
    exit: 1,
    expect: /campaign\.yaml:3:\d+: error YAML_LIMIT/,
  },
  {
    name: "alias bomb inside a valid campaign",
    manifest: (base) =>
      base.replace("version: 1\n", "version: 1\n") +
      "x-bomb:\n  a: &a [1,1,1,1,1,1,1,1,1,1]\n  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n  d: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n",
    exit: 1,
    expect: "YAML_LIMIT",
  },
  {
    name: "a few aliases are fine",
    manifest: replace("  name: Hostile corpus", "  name: &n Hostile corpus"),
    exit: 0,
  },
  {
    name: "2 MB manifest",
    setup: (p) =>
      repeatToFile(join(p, "campaign.yaml"), "# padding padding padding padding\n", 2 * 1024 * 1024),
    exit: 1,
    expect: "FILE_TOO_LARGE",
  },
  {
    name: "60 MB manifest",
    setup: (p) =>
      repeatToFile(join(p, "campaign.yaml"), "k: [1, 2, 3, 4, 5, 6, 7, 8, 9]\n", 60 * 1024 * 1024),
    exit: 1,
    expect: "manifests may be at most 1.0 MB",
  },
  {
    name: "3 GB sparse manifest",
    setup: (p) => sparse(join(p, "campaign.yaml"), "version: 1\n", 3 * 1024 * 1024 * 1024),
    exit: 1,
    expect: "FILE_TOO_LARGE",
  },
  {
    name: "UTF-16 LE manifest with BOM",
    files: {
      "campaign.yaml": Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(BASE_MANIFEST, "utf16le")]),
    },
    exit: 1,
    expect: /FILE_ENCODING .*UTF-16/,
  },
  {
    name: "UTF-16 BE manifest with BOM",
    files: {
      "campaign.yaml": Buffer.concat([
        Buffer.from([0xfe, 0xff]),
        Buffer.from(BASE_MANIFEST, "utf16le").swap16(),
      ]),
    },
    exit: 1,
    expect: "FILE_ENCODING",
  },
  {
    name: "UTF-16 manifest without BOM",
    files: { "campaign.yaml": Buffer.from(BASE_MANIFEST, "utf16le") },
    exit: 1,
    expect: /campaign\.yaml:1:2: error FILE_ENCODING .*looks like UTF-16/,
  },
  {
    name: "Latin-1 manifest",
    files: {
      "campaign.yaml": Buffer.from(BASE_MANIFEST.replace("Hostile corpus", "Caf\u00e9 corpus"), "latin1"),
    },
    exit: 1,
    expect: /campaign\.yaml:4:12: error FILE_ENCODING .*Latin-1/,
  },
  {
    name: "UTF-8 manifest with BOM",
    files: { "campaign.yaml": `\uFEFF${BASE_MANIFEST}` },
    exit: 0,
  },
  {
    name: "NUL byte in the manifest file",
    files: { "campaign.yaml": BASE_MANIFEST.replace("Hostile corpus", "Hostile\u0000corpus") },
    exit: 1,
    expect: /campaign\.yaml:4:\d+: error FILE_ENCODING .*NUL byte/,
  },
  {
    name: 'NUL escape ("\\0") in the campaign name',
    manifest: replace("  name: Hostile corpus", '  name: "Hostile\\0corpus"'),
    exit: 1,
    expect: /campaign\.yaml:4:9: error SCHEMA campaign\.name: contains a NUL character/,
  },
  {
    name: "NUL escape in a metadata value",
    manifest: replace("  use_type: marketing", '  use_type: marketing\n  metadata:\n    team: "a\\0b"'),
    exit: 1,
    expect: "NUL character",
  },
  {
    name: "binary garbage manifest",
    files: { "campaign.yaml": Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)) },
    exit: 1,
    expect: "FILE_ENCODING",
  },
  {
    name: "empty manifest",
    args: ["validate", "campaign.yaml"],
    files: { "campaign.yaml": "" },
    exit: 1,
    expect: "contains no campaign document",
  },
  {
    name: "only comments",
    args: ["validate", "campaign.yaml"],
    files: { "campaign.yaml": "# nothing here\n# at all\n" },
    exit: 1,
    expect: "contains no campaign document",
  },
  {
    name: "top-level scalar",
    args: ["validate", "campaign.yaml"],
    files: { "campaign.yaml": "hello\n" },
    exit: 1,
    expect: "SCHEMA",
  },
  {
    name: "top-level list",
    args: ["validate", "campaign.yaml"],
    files: { "campaign.yaml": "- a\n- b\n" },
    exit: 1,
    expect: "must be a mapping",
  },
  {
    name: "duplicate key",
    manifest: replace("version: 1\n", "version: 1\nversion: 1\n"),
    exit: 1,
    expect: "YAML_SYNTAX",
  },
  {
    name: "unclosed quote",
    manifest: replace("  name: Hostile corpus", '  name: "Hostile corpus'),
    exit: 1,
    expect: "YAML_SYNTAX",
  },
  {
    name: "tab indentation",
    manifest: replace("  name: Hostile corpus", "\tname: Hostile corpus"),
    exit: 1,
    expect: "YAML_SYNTAX",
  },
  {
    name: "deeply nested flow sequences",
    files: { "campaign.yaml": `version: 1\nx: ${"[".repeat(5000)}${"]".repeat(5000)}\n` },
    exit: 1,
  },
  {
    name: "deeply nested block mappings",
    files: {
      "campaign.yaml": `version: 1\nx:\n${Array.from({ length: 2000 }, (_, i) => `${" ".repeat(i + 1)}k${i}:`).join("\n")} 1\n`,
    },
    exit: 1,
  },
  {
    name: "10,000 unknown fields",
    manifest: (base) =>
      base + Array.from({ length: 10_000 }, (_, i) => `unknown_field_${i}: ${i}`).join("\n") + "\n",
    exit: 1,
    expect: "unknown field",
  },
  {
    name: "900 KB campaign name",
    manifest: replace("  name: Hostile corpus", `  name: ${"n".repeat(900 * 1024)}`),
    exit: 0,
    maxOutputChars: 20_000,
  },
  {
    name: "500 empty documents",
    args: ["validate", "campaign.yaml"],
    files: { "campaign.yaml": "---\n".repeat(500) },
    exit: 1,
    expect: "SCHEMA",
  },
  {
    name: "second document broken",
    manifest: (base) => `${base}---\nversion: 1\nkey: [oops\n`,
    exit: 1,
    expect: "YAML_SYNTAX",
  },
  {
    name: "unknown YAML tag",
    manifest: replace("  name: Hostile corpus", "  name: !!js/function 'function () { return 1 }'"),
    exit: 0,
    expect: "OK: 1 campaign valid",
  },
  {
    name: "binary YAML tag",
    manifest: replace("  name: Hostile corpus", "  name: !!binary aGVsbG8="),
    exit: 1,
  },
  {
    name: "merge key",
    manifest: (base) =>
      base
        .replace("campaign:\n", "defaults: &d\n  use_type: marketing\ncampaign:\n  <<: *d\n")
        .replace("  use_type: marketing\n  cancel", "  cancel"),
    exit: 1,
  },
  {
    name: "CR-only manifest (classic Mac line endings)",
    files: { "campaign.yaml": BASE_MANIFEST.replace(/\n/g, "\r") },
    exit: 1,
  },
  { name: "CRLF manifest", files: { "campaign.yaml": BASE_MANIFEST.replace(/\n/g, "\r\n") }, exit: 0 },
  {
    name: "huge number",
    manifest: replace("  cancel_window_campaign_minutes: 120", "  cancel_window_campaign_minutes: 1e400"),
    exit: 1,
    expect: "SCHEMA",
  },
  {
    name: "emoji key",
    manifest: replace("key: hostile-base", "key: \u{1F4EE}-base"),
    exit: 1,
    expect: "SCHEMA",
  },
  {
    name: "manifest is a FIFO",
    files: { "campaign.yaml": null },
    setup: (p) => fifo(join(p, "campaign.yaml")),
    args: ["validate", "campaign.yaml"],
    exit: 1,
    expect: "named pipe (FIFO)",
  },
  {
    name: "symlinked manifest that is a FIFO, found in a directory",
    files: { "campaign.yaml": null },
    setup: (p, o) => {
      fifo(join(o, "pipe"));
      link(join(o, "pipe"), join(p, "campaign.yaml"));
    },
    exit: 1,
    expect: "named pipe (FIFO)",
  },
  {
    name: "manifest symlink to /dev/zero",
    files: { "campaign.yaml": null },
    setup: (p) => link("/dev/zero", join(p, "campaign.yaml")),
    exit: 1,
    expect: "FILE_UNREADABLE",
  },
  {
    name: "manifest symlink to /proc/self/environ",
    files: { "campaign.yaml": null },
    setup: (p) => link("/proc/self/environ", join(p, "campaign.yaml")),
    exit: 1,
    expect: "special file",
  },
  {
    name: "manifest symlink to /proc/self/mem",
    files: { "campaign.yaml": null },
    setup: (p) => link("/proc/self/mem", join(p, "campaign.yaml")),
    exit: 1,
    expect: "special file",
  },
  { name: "/dev/null as the manifest", args: ["validate", "/dev/null"], exit: 1, expect: "FILE_UNREADABLE" },
  { name: "/dev/zero as the manifest", args: ["validate", "/dev/zero"], exit: 1, expect: "FILE_UNREADABLE" },
  {
    name: "/proc/self/mem as the manifest",
    args: ["validate", "/proc/self/mem"],
    exit: 1,
    expect: "special file",
  },
  {
    name: "missing manifest path",
    args: ["validate", "nope.yaml"],
    exit: 1,
    expect: "no such file or directory",
  },
  {
    name: "directory without manifests",
    setup: (p) => mkdirSync(join(p, "empty")),
    args: ["validate", "empty"],
    exit: 1,
    expect: "no *.yaml or *.yml manifests",
  },
  {
    name: "dangling manifest symlink",
    files: { "campaign.yaml": null },
    setup: (p) => link(join(p, "gone.yaml"), join(p, "campaign.yaml")),
    exit: 1,
  },
];

// ------------------------------------------------------------------------------------------------
// ${env:…} and the API key.
// ------------------------------------------------------------------------------------------------
const keyRefused = "ENV_KEY_REFUSED";
const envCases: HostileCase[] = [
  {
    name: "${env:LOB_API_KEY} in the description",
    manifest: replace(
      "  description: Base campaign of the hostile corpus",
      '  description: "${env:LOB_API_KEY}"',
    ),
    exit: 1,
    expect: /campaign\.yaml:5:16: error ENV_KEY_REFUSED/,
  },
  {
    name: "${env:LOB_API_KEY} in the name",
    manifest: replace("  name: Hostile corpus", "  name: Mail ${env:LOB_API_KEY}"),
    exit: 1,
    expect: keyRefused,
  },
  {
    name: "${env:LOB_API_KEY} as schedule_type",
    manifest: replace("  schedule_type: immediate", "  schedule_type: ${env:LOB_API_KEY}"),
    exit: 1,
    expect: keyRefused,
  },
  {
    name: "${env:LOB_API_KEY} as a column name",
    manifest: replace("    name: recipient", "    name: ${env:LOB_API_KEY}"),
    exit: 1,
    expect: keyRefused,
  },
  {
    name: "${env:LOB_API_KEY} as the artwork path",
    manifest: replace("  front: ./front.html", "  front: ./${env:LOB_API_KEY}.html"),
    exit: 1,
    expect: keyRefused,
  },
  {
    name: "${env:LOB_API_KEY} as the audience path",
    manifest: replace("  file: ./audience.csv", "  file: ./${env:LOB_API_KEY}.csv"),
    exit: 1,
    expect: keyRefused,
  },
  {
    name: "${env:LOB_API_KEY} in campaign metadata",
    manifest: replace(
      "  use_type: marketing",
      '  use_type: marketing\n  metadata:\n    k: "${env:LOB_API_KEY}"',
    ),
    exit: 1,
    expect: keyRefused,
  },
  {
    name: "${env:LOB_API_KEY} in the creative description",
    manifest: replace(
      "  back: tmpl_c94e83ca2cd5121",
      '  back: tmpl_c94e83ca2cd5121\n  description: "${env:LOB_API_KEY}"',
    ),
    exit: 1,
    expect: keyRefused,
  },
  {
    name: "${env:LOB_API_KEY} as the key",
    manifest: replace("key: hostile-base", "key: ${env:LOB_API_KEY}"),
    exit: 1,
    expect: keyRefused,
  },
  {
    name: "another variable holding the key",
    manifest: replace(
      "  description: Base campaign of the hostile corpus",
      "  description: ${env:COPY_OF_KEY}",
    ),
    env: { COPY_OF_KEY: KEY },
    exit: 1,
    expect: "${env:COPY_OF_KEY} holds the Lob API key",
  },
  {
    name: "a variable with the key inside it",
    manifest: replace("  name: Hostile corpus", "  name: ${env:WRAPPED}"),
    env: { WRAPPED: `prefix ${KEY} suffix` },
    exit: 1,
    expect: keyRefused,
  },
  {
    name: "the key variable as schedule_type through a copy",
    manifest: replace("  schedule_type: immediate", "  schedule_type: ${env:COPY_OF_KEY}"),
    env: { COPY_OF_KEY: KEY },
    exit: 1,
    expect: keyRefused,
  },
  {
    name: "${env:LOB_API_KEY} refused with plan --format markdown",
    manifest: replace(
      "  description: Base campaign of the hostile corpus",
      '  description: "${env:LOB_API_KEY}"',
    ),
    args: [...plan, "--format", "markdown"],
    exit: 1,
    expect: keyRefused,
  },
  {
    name: "${env:LOB_API_KEY} refused by apply in the sandbox (never stored in state)",
    manifest: replace(
      "  description: Base campaign of the hostile corpus",
      '  description: "${env:LOB_API_KEY}"',
    ),
    args: apply,
    exit: 1,
    expect: keyRefused,
  },
  {
    name: "env value as an invalid schedule_type is not echoed",
    manifest: replace("  schedule_type: immediate", "  schedule_type: ${env:SCHED}"),
    env: { SCHED: ENV_SECRET },
    exit: 1,
    expect: "must be immediate (got '${env:SCHED}')",
    secrets: [ENV_SECRET],
  },
  {
    name: "env value as a missing column is not echoed",
    manifest: replace("    name: recipient", "    name: ${env:COLUMN}"),
    env: { COLUMN: ENV_SECRET },
    exit: 1,
    expect: "column '${env:COLUMN}' is not in the header",
    secrets: [ENV_SECRET],
  },
  {
    name: "env value as a missing artwork file is not echoed",
    manifest: replace("  front: ./front.html", "  front: ./${env:ART}.html"),
    env: { ART: ENV_SECRET },
    exit: 1,
    expect: "artwork file ${env:ART}.html does not exist",
    secrets: [ENV_SECRET],
  },
  {
    name: "env value as a missing audience file is not echoed",
    manifest: replace("  file: ./audience.csv", "  file: ./${env:AUD}.csv"),
    env: { AUD: ENV_SECRET },
    exit: 1,
    expect: "FILE_NOT_FOUND",
    secrets: [ENV_SECRET],
  },
  {
    name: "env value as a bad use_type is not echoed",
    manifest: replace("  use_type: marketing", "  use_type: ${env:USE}"),
    env: { USE: ENV_SECRET },
    exit: 1,
    expect: "SCHEMA",
    secrets: [ENV_SECRET],
  },
  {
    name: "missing environment variable",
    manifest: replace("  name: Hostile corpus", "  name: ${env:NOT_SET_ANYWHERE}"),
    exit: 1,
    expect: "ENV_MISSING",
  },
  {
    name: "typed boolean: send.enabled from the environment",
    manifest: replace("  enabled: false", "  enabled: ${env:SEND_ENABLED}"),
    env: { SEND_ENABLED: "true" },
    exit: 0,
  },
  {
    name: "typed boolean: quoted reference",
    manifest: replace("  enabled: false", '  enabled: "${env:SEND_ENABLED}"'),
    env: { SEND_ENABLED: "FALSE" },
    exit: 0,
  },
  {
    name: "typed boolean: not a boolean, value not echoed",
    manifest: replace("  enabled: false", "  enabled: ${env:SEND_ENABLED}"),
    env: { SEND_ENABLED: ENV_SECRET },
    exit: 1,
    expect: "${env:SEND_ENABLED} must hold true or false",
    secrets: [ENV_SECRET],
  },
  {
    name: "typed number: max_pieces from the environment",
    manifest: replace("  max_pieces: 50000", "  max_pieces: ${env:MAX_PIECES}"),
    env: { MAX_PIECES: "12" },
    exit: 0,
  },
  {
    name: "typed number: max_pieces not a number",
    manifest: replace("  max_pieces: 50000", "  max_pieces: ${env:MAX_PIECES}"),
    env: { MAX_PIECES: `12${ENV_SECRET}` },
    exit: 1,
    expect: "must hold a whole number",
    secrets: [ENV_SECRET],
  },
  {
    name: "typed number: max_pieces is a fraction",
    manifest: replace("  max_pieces: 50000", "  max_pieces: ${env:MAX_PIECES}"),
    env: { MAX_PIECES: "1.5" },
    exit: 1,
    expect: "must hold a whole number",
  },
  {
    name: "typed number: cancel window from the environment",
    manifest: replace(
      "  cancel_window_campaign_minutes: 120",
      "  cancel_window_campaign_minutes: ${env:WINDOW}",
    ),
    env: { WINDOW: "60" },
    exit: 0,
  },
  {
    name: "typed number: negative cancel window",
    manifest: replace(
      "  cancel_window_campaign_minutes: 120",
      "  cancel_window_campaign_minutes: ${env:WINDOW}",
    ),
    env: { WINDOW: "-5" },
    exit: 1,
    expect: "must be >= 0",
  },
  {
    name: "string field keeps a numeric-looking value as text",
    manifest: replace("  name: Hostile corpus", "  name: ${env:NAME_NUMBER}"),
    env: { NAME_NUMBER: "2026" },
    exit: 0,
  },
  {
    name: "reference inside a longer boolean value stays a string",
    manifest: replace("  enabled: false", "  enabled: x${env:SEND_ENABLED}"),
    env: { SEND_ENABLED: "true" },
    exit: 1,
    expect: "SCHEMA",
  },
  {
    name: "env value with YAML syntax is taken literally",
    manifest: replace("  name: Hostile corpus", "  name: ${env:YAMLISH}"),
    env: { YAMLISH: "a: [b, *c] &d" },
    exit: 0,
  },
  {
    name: "env value with a NUL-like escape is literal text",
    manifest: replace("  name: Hostile corpus", "  name: ${env:ESCAPED}"),
    env: { ESCAPED: "a\\0b" },
    exit: 0,
  },
  {
    name: "valid project in the sandbox with env-typed send settings",
    manifest: (base) =>
      base
        .replace("  enabled: false", "  enabled: ${env:SEND_ENABLED}")
        .replace("  max_pieces: 50000", "  max_pieces: ${env:MAX_PIECES}"),
    env: { SEND_ENABLED: "false", MAX_PIECES: "10" },
    args: plan,
    exit: 0,
    expect: "to create",
  },
];

// ------------------------------------------------------------------------------------------------
// Audience CSVs.
// ------------------------------------------------------------------------------------------------
const crOnly = csv(ROWS, "\r");
const missingColumn = replace("    address_zip: zip_code", "    address_zip: postcode");
const csvCases: HostileCase[] = [
  {
    name: "CR-only CSV (Excel CSV Macintosh)",
    files: { "audience.csv": crOnly },
    exit: 0,
    expect: "3 rows, 3 passing, 0 failing",
  },
  {
    name: "CR-only CSV with a missing column",
    files: { "audience.csv": crOnly },
    manifest: missingColumn,
    exit: 1,
    expect: "column 'postcode' is not in the header",
  },
  {
    name: "CR-only CSV, missing column, json format",
    files: { "audience.csv": crOnly },
    manifest: missingColumn,
    args: ["validate", "--format", "json"],
    exit: 1,
    expect: "COLUMN_MISSING",
  },
  {
    name: "CR-only CSV, missing column, github format",
    files: { "audience.csv": crOnly },
    manifest: missingColumn,
    args: ["validate", "--format", "github"],
    exit: 1,
    expect: "::error",
  },
  {
    name: "CR-only CSV with a BOM and empty lines",
    files: { "audience.csv": `\uFEFF${csv(["", ...ROWS, "", ""], "\r")}` },
    exit: 0,
  },
  {
    name: "CR-only CSV with quoted line breaks",
    files: {
      "audience.csv": csv([...ROWS, 'C-4,"Lin\rZqx\nus",Lin Zqx,"1 Zqx\r\nRd",,Oslo Zqx,NY,10001,X4'], "\r"),
    },
    exit: 0,
  },
  { name: "CRLF CSV", files: { "audience.csv": csv(ROWS, "\r\n") }, exit: 0 },
  {
    name: "first line CRLF, later lone CRs stay data",
    files: { "audience.csv": `${HEADER}\r\n${ROWS.join("\r")}\r\n` },
    exit: 0,
  },
  {
    name: "no header row",
    files: { "audience.csv": csv(ROWS.slice(1), "\n", ROWS[0]) },
    exit: 1,
    expect: "does not look like a header row",
  },
  {
    name: "no header row, one cell equals a mapped column",
    files: {
      "audience.csv": csv(ROWS.slice(1), "\n", "C-1,Ada Zqxlovelace,Ada Zqx,12 Zqx St,,city,CA,94107,X1"),
    },
    exit: 1,
    expect: "mapped columns found in it: city",
  },
  {
    name: "no header row, with plan in the sandbox (cache holds no cells)",
    files: { "audience.csv": csv(ROWS.slice(1), "\n", ROWS[0]) },
    args: plan,
    exit: 1,
    expect: "COLUMN_MISSING",
  },
  {
    name: "unbalanced quote in the header",
    files: { "audience.csv": csv(ROWS, "\n", HEADER.replace("recipient", '"recipient')) },
    exit: 1,
  },
  {
    name: "unbalanced quote in the header, closed in a later row",
    files: {
      "audience.csv": csv(
        [...ROWS, 'C-9,"x",y,z,,q,NY,10001,X9'],
        "\n",
        HEADER.replace("recipient", '"recipient'),
      ),
    },
    exit: 1,
  },
  {
    name: "unbalanced quote in the header followed by a quoted field",
    files: { "audience.csv": `${HEADER.replace("code", '"code')}\n${ROWS.join("\n")}\n"",x\n` },
    exit: 1,
  },
  {
    name: "CR inside a header cell",
    files: { "audience.csv": csv(ROWS, "\n", HEADER.replace("city", "ci\rty")) },
    exit: 1,
  },
  {
    name: "CR inside a quoted header cell",
    files: { "audience.csv": csv(ROWS, "\n", HEADER.replace("city", '"ci\rty"')) },
    exit: 1,
    expect: "HEADER_CHARACTERS",
  },
  {
    name: "LF inside a quoted header cell",
    files: { "audience.csv": csv(ROWS, "\n", HEADER.replace("city", '"ci\nty"')) },
    exit: 1,
  },
  { name: "header only", files: { "audience.csv": `${HEADER}\n` }, exit: 1, expect: "CSV_NO_ROWS" },
  { name: "empty CSV", files: { "audience.csv": "" }, exit: 1, expect: "CSV_EMPTY" },
  { name: "only empty lines", files: { "audience.csv": "\n\n\r\n\n" }, exit: 1, expect: "CSV_EMPTY" },
  {
    name: "NUL byte on the first data line",
    files: { "audience.csv": csv([ROWS[0]!.replace("Ada", "A\u0000da"), ...ROWS.slice(1)]) },
    exit: 1,
    expect: /audience\.csv:2:1: error CSV_MALFORMED NUL byte at line 2/,
  },
  {
    name: "NUL byte in the header",
    files: { "audience.csv": csv(ROWS, "\n", HEADER.replace("city", "ci\u0000ty")) },
    exit: 1,
    expect: "CSV_MALFORMED",
  },
  {
    name: "Latin-1 CSV",
    files: {
      "audience.csv": Buffer.from(
        csv([...ROWS, "C-5,Zqx Caf\u00e9,Zqx,1 Rue Zqx,,Paris Zqx,NY,10001,X5"]),
        "latin1",
      ),
    },
    exit: 1,
    expect: "CSV_NOT_UTF8",
  },
  {
    name: "UTF-16 CSV",
    files: { "audience.csv": Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv(ROWS), "utf16le")]) },
    exit: 1,
  },
  {
    name: "unterminated quote in a data row",
    files: { "audience.csv": csv([...ROWS, 'C-6,"Zqx never closed,Zqx,1 Zqx,,Zqx,NY,10001,X6']) },
    exit: 1,
    expect: "CSV_MALFORMED",
  },
  {
    name: "text after a closing quote",
    files: { "audience.csv": csv([...ROWS, 'C-7,"Zqx"tail,Zqx,1 Zqx,,Zqx,NY,10001,X7']) },
    exit: 1,
    expect: "text after the closing quote",
  },
  {
    name: "1 MB header name with a missing column",
    files: { "audience.csv": csv(ROWS, "\n", HEADER.replace("zip_code", "z".repeat(1024 * 1024))) },
    exit: 1,
    expect: "column 'zip_code' is not in the first row",
    maxOutputChars: 20_000,
  },
  {
    name: "1 MB mapped column name",
    manifest: replace("    address_zip: zip_code", `    address_zip: ${"q".repeat(1024 * 1024)}`),
    exit: 1,
    maxOutputChars: 20_000,
  },
  {
    name: "duplicate header names",
    files: {
      "audience.csv": csv(
        ROWS.map((r) => `${r},dup`),
        "\n",
        `${HEADER},city`,
      ),
    },
    exit: 1,
    expect: "CSV_DUPLICATE_HEADER",
  },
  {
    name: "header with characters Lob disallows",
    files: {
      "audience.csv": csv(
        ROWS.map((r) => `${r},x`),
        "\n",
        `${HEADER},e-mail#`,
      ),
    },
    exit: 1,
    expect: "HEADER_CHARACTERS",
  },
  {
    name: "rows with too many and too few cells",
    files: { "audience.csv": csv([...ROWS, `${ROWS[0]},Zqx extra`, "C-8,Zqx short"]) },
    exit: 0,
    expect: "ROWS_FAILING",
  },
  {
    name: "rows failing Lob's rules",
    files: { "audience.csv": csv([...ROWS, "C-9,Zqx Bad Zip,Zqx,1 Zqx Rd,,Zqx City,NY,ABCDE,X9"]) },
    exit: 0,
    expect: "ROWS_FAILING",
  },
  {
    name: "duplicate recipients",
    files: { "audience.csv": csv([...ROWS, ROWS[0]!.replace("C-1", "C-10")]) },
    exit: 0,
    expect: "DUPLICATE_RECIPIENTS",
  },
  {
    name: "formula-looking cells",
    files: { "audience.csv": csv([...ROWS, 'C-11,=HYPERLINK("Zqx"),Zqx,@Zqx,,+Zqx,NY,10001,-X11']) },
    exit: 0,
  },
  {
    name: "record longer than 4 MB (unterminated quote)",
    setup: (p) => writeFileSync(join(p, "audience.csv"), `${HEADER}\nC-1,"${"Zqx ".repeat(1_200_000)}`),
    exit: 1,
    expect: "CSV_MALFORMED",
  },
  {
    name: "3 GB CSV with a NUL byte on line 2 stops at once (validate)",
    setup: (p) => sparse(join(p, "audience.csv"), `${HEADER}\n`, 3 * 1024 * 1024 * 1024),
    exit: 1,
    expect: "NUL byte at line 2",
  },
  {
    name: "3 GB CSV with a NUL byte on line 2 stops at once (plan)",
    setup: (p) => sparse(join(p, "audience.csv"), `${HEADER}\n`, 3 * 1024 * 1024 * 1024),
    args: plan,
    exit: 1,
    expect: "NUL byte at line 2",
  },
  {
    name: "100,000-column header",
    files: {
      "audience.csv": csv(
        ROWS,
        "\n",
        `${HEADER},${Array.from({ length: 100_000 }, (_, i) => `c${i}`).join(",")}`,
      ),
    },
    exit: 0,
  },
  {
    name: "audience is a FIFO",
    files: { "audience.csv": null },
    setup: (p) => fifo(join(p, "audience.csv")),
    exit: 1,
    expect: "named pipe (FIFO)",
  },
  {
    name: "audience symlink to /etc/passwd",
    files: { "audience.csv": null },
    setup: (p) => link("/etc/passwd", join(p, "audience.csv")),
    exit: 1,
    expect: "FILE_OUTSIDE_PROJECT",
  },
  {
    name: "audience symlink to a recipients file outside the project",
    files: { "audience.csv": null },
    setup: (p, o) => link(join(o, "outside.csv"), join(p, "audience.csv")),
    exit: 1,
    expect: "FILE_OUTSIDE_PROJECT",
  },
  {
    name: "audience by absolute path outside the project",
    manifest: (base) => base.replace("  file: ./audience.csv", "  file: OUTSIDE/outside.csv"),
    exit: 1,
    expect: "FILE_OUTSIDE_PROJECT",
  },
  {
    name: "audience by ../ outside the project",
    manifest: replace("  file: ./audience.csv", "  file: ../outside/outside.csv"),
    exit: 1,
    expect: "is outside the project directory",
  },
  {
    name: "audience symlink to /proc/self/environ",
    files: { "audience.csv": null },
    setup: (p) => link("/proc/self/environ", join(p, "audience.csv")),
    exit: 1,
    expect: "special file",
  },
  {
    name: "audience symlink to /dev/zero",
    files: { "audience.csv": null },
    setup: (p) => link("/dev/zero", join(p, "audience.csv")),
    exit: 1,
    expect: "special file",
  },
  {
    name: "audience is a directory",
    files: { "audience.csv": null },
    setup: (p) => mkdirSync(join(p, "audience.csv")),
    exit: 1,
    expect: "a directory",
  },
  { name: "audience missing", files: { "audience.csv": null }, exit: 1, expect: "FILE_NOT_FOUND" },
  {
    name: "audience symlink loop",
    files: { "audience.csv": null },
    setup: (p) => {
      link(join(p, "b.csv"), join(p, "audience.csv"));
      link(join(p, "audience.csv"), join(p, "b.csv"));
    },
    exit: 1,
    expect: "FILE_UNREADABLE",
  },
  {
    name: "audience symlink inside the project",
    files: { "audience.csv": null, "data/real.csv": csv(ROWS) },
    setup: (p) => link(join(p, "data", "real.csv"), join(p, "audience.csv")),
    exit: 0,
  },
];

// ------------------------------------------------------------------------------------------------
// Artwork files.
// ------------------------------------------------------------------------------------------------
const artworkCases: HostileCase[] = [
  {
    name: "artwork symlink to /etc/passwd",
    files: { "front.html": null },
    setup: (p) => link("/etc/passwd", join(p, "front.html")),
    exit: 1,
    expect: /campaign\.yaml:11:10: error FILE_OUTSIDE_PROJECT creative\.front/,
  },
  {
    name: "artwork symlink to /proc/self/environ",
    files: { "front.html": null },
    setup: (p) => link("/proc/self/environ", join(p, "front.html")),
    exit: 1,
    expect: "special file",
  },
  {
    name: "artwork symlink to /proc/self/mem",
    files: { "front.html": null },
    setup: (p) => link("/proc/self/mem", join(p, "front.html")),
    exit: 1,
    expect: "special file",
  },
  {
    name: "artwork symlink to a file holding the key, outside the project",
    files: { "front.html": null },
    setup: (p, o) => link(join(o, "secret.html"), join(p, "front.html")),
    exit: 1,
    expect: "FILE_OUTSIDE_PROJECT",
  },
  {
    name: "artwork by absolute path outside the project",
    manifest: replace("  front: ./front.html", "  front: OUTSIDE/secret.html"),
    exit: 1,
    expect: "FILE_OUTSIDE_PROJECT",
  },
  {
    name: "artwork by ../ outside the project",
    manifest: replace("  front: ./front.html", "  front: ../outside/secret.html"),
    exit: 1,
    expect: "FILE_OUTSIDE_PROJECT",
  },
  {
    name: "artwork in a symlinked directory that points outside",
    manifest: replace("  front: ./front.html", "  front: ./art/secret.html"),
    setup: (p, o) => link(o, join(p, "art")),
    exit: 1,
    expect: "FILE_OUTSIDE_PROJECT",
  },
  {
    name: "artwork is a FIFO",
    files: { "front.html": null },
    setup: (p) => fifo(join(p, "front.html")),
    exit: 1,
    expect: "named pipe (FIFO)",
  },
  {
    name: "artwork symlink to /dev/null",
    files: { "front.html": null },
    setup: (p) => link("/dev/null", join(p, "front.html")),
    exit: 1,
    expect: "special file",
  },
  {
    name: "artwork is a directory",
    files: { "front.html": null },
    setup: (p) => mkdirSync(join(p, "front.html")),
    exit: 1,
    expect: "a directory",
  },
  {
    name: "dangling artwork symlink",
    files: { "front.html": null },
    setup: (p) => link(join(p, "nowhere.html"), join(p, "front.html")),
    exit: 1,
    expect: "FILE_NOT_FOUND",
  },
  {
    name: "artwork symlink loop",
    files: { "front.html": null },
    setup: (p) => {
      link(join(p, "b.html"), join(p, "front.html"));
      link(join(p, "front.html"), join(p, "b.html"));
    },
    exit: 1,
    expect: "FILE_UNREADABLE",
  },
  {
    name: "1.5 GB artwork",
    files: { "front.html": null },
    setup: (p) => sparse(join(p, "front.html"), BASE_FRONT, 1536 * 1024 * 1024),
    exit: 1,
    expect: "is 1.5 GB; Lob accepts artwork files up to 5.0 MB",
  },
  {
    name: "6 MB HTML artwork",
    files: { "front.html": `${BASE_FRONT}<!--${"x".repeat(6 * 1024 * 1024)}-->` },
    exit: 1,
    expect: "FILE_TOO_LARGE",
  },
  {
    name: "6 MB PDF artwork",
    manifest: replace("  front: ./front.html", "  front: ./front.pdf"),
    setup: (p) => sparse(join(p, "front.pdf"), "%PDF-1.4\n", 6 * 1024 * 1024),
    exit: 1,
    expect: "FILE_TOO_LARGE",
  },
  {
    name: "4.9 MB HTML artwork is within the limit",
    files: { "front.html": `${BASE_FRONT}<!--${"x".repeat(4.9 * 1024 * 1024)}-->` },
    exit: 0,
  },
  {
    name: "HTML artwork over 10,000 characters is fine as a file",
    files: { "front.html": `${BASE_FRONT}<!--${"y".repeat(50_000)}-->` },
    exit: 0,
  },
  {
    name: "artwork symlink inside the project",
    files: { "front.html": null, "art/front.html": BASE_FRONT },
    setup: (p) => link(join(p, "art", "front.html"), join(p, "front.html")),
    exit: 0,
  },
  {
    name: "binary bytes in HTML artwork",
    files: { "front.html": Buffer.concat([Buffer.from(BASE_FRONT), Buffer.from([0, 0xff, 0xfe, 0x80])]) },
    exit: 0,
  },
  {
    name: "Latin-1 HTML artwork",
    files: { "front.html": Buffer.from(BASE_FRONT.replace("Hello", "H\u00e9llo"), "latin1") },
    exit: 0,
  },
  {
    name: "artwork with 5,000 distinct merge variables",
    files: { "front.html": BASE_FRONT + Array.from({ length: 5000 }, (_, i) => `{{v${i}}}`).join(" ") },
    exit: 1,
    expect: "MERGE_VARIABLE_UNMAPPED",
  },
  {
    name: "artwork missing",
    files: { "front.html": null },
    exit: 1,
    expect: "artwork file front.html does not exist",
  },
];

// ------------------------------------------------------------------------------------------------
// plan / apply in the sandbox, where files land under .campaignctl/.
// ------------------------------------------------------------------------------------------------
const sandboxCases: HostileCase[] = [
  { name: "plan: valid base project", args: plan, exit: 0, expect: "to create" },
  { name: "plan: CR-only CSV", files: { "audience.csv": crOnly }, args: plan, exit: 0, expect: "to create" },
  {
    name: "plan: CR-only CSV with a missing column (cache and output hold no cells)",
    files: { "audience.csv": crOnly },
    manifest: missingColumn,
    args: plan,
    exit: 1,
    expect: "COLUMN_MISSING",
  },
  {
    name: "plan --format json: unbalanced quote in the header",
    files: { "audience.csv": csv(ROWS, "\n", HEADER.replace("recipient", '"recipient')) },
    args: [...plan, "--format", "json"],
    exit: 1,
  },
  {
    name: "plan --format markdown: artwork symlink to /proc/self/environ",
    files: { "front.html": null },
    setup: (p) => link("/proc/self/environ", join(p, "front.html")),
    args: [...plan, "--format", "markdown"],
    exit: 1,
    expect: "special file",
  },
  {
    name: "apply: artwork symlink to /etc/passwd uploads nothing",
    files: { "front.html": null },
    setup: (p) => link("/etc/passwd", join(p, "front.html")),
    args: apply,
    exit: 1,
    expect: "FILE_OUTSIDE_PROJECT",
  },
  {
    name: "apply: artwork symlink to a key file outside the project",
    files: { "front.html": null },
    setup: (p, o) => link(join(o, "secret.html"), join(p, "front.html")),
    args: apply,
    exit: 1,
    expect: "FILE_OUTSIDE_PROJECT",
  },
  {
    name: "apply: CR-only CSV (state and cache hold no cells)",
    files: { "audience.csv": crOnly },
    args: apply,
    exit: 0,
  },
  {
    name: "apply: CRLF CSV with failing rows",
    files: { "audience.csv": csv([...ROWS, "C-9,Zqx Bad Zip,Zqx,1 Zqx Rd,,Zqx City,NY,ABCDE,X9"], "\r\n") },
    args: apply,
    exit: 0,
  },
  {
    name: "apply: no header row",
    files: { "audience.csv": csv(ROWS.slice(1), "\n", ROWS[0]) },
    args: apply,
    exit: 1,
    expect: "COLUMN_MISSING",
  },
  {
    name: "apply: typed send settings from the environment (send skipped without --allow-send)",
    manifest: (base) =>
      base
        .replace("  enabled: false", "  enabled: ${env:SEND_ENABLED}")
        .replace("  max_pieces: 50000", "  max_pieces: ${env:MAX_PIECES}"),
    env: { SEND_ENABLED: "true", MAX_PIECES: "100" },
    args: apply,
    exit: 0,
    expect: "--allow-send",
  },
  {
    name: "apply: audience FIFO",
    files: { "audience.csv": null },
    setup: (p) => fifo(join(p, "audience.csv")),
    args: apply,
    exit: 1,
    expect: "named pipe (FIFO)",
  },
  {
    name: "plan: 1.5 GB artwork",
    files: { "front.html": null },
    setup: (p) => sparse(join(p, "front.html"), BASE_FRONT, 1536 * 1024 * 1024),
    args: plan,
    exit: 1,
    expect: "FILE_TOO_LARGE",
  },
  {
    name: "plan: alias bomb",
    manifest: (base) =>
      base +
      "x-bomb:\n  a: &a [1,1,1,1,1,1,1,1,1,1]\n  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n  d: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n",
    args: plan,
    exit: 1,
    expect: "YAML_LIMIT",
  },
  {
    name: "plan: manifest FIFO",
    files: { "campaign.yaml": null },
    setup: (p) => fifo(join(p, "campaign.yaml")),
    args: [...plan, "campaign.yaml"],
    exit: 1,
    expect: "named pipe (FIFO)",
  },
];

export const CASES: readonly HostileCase[] = [
  ...manifestCases,
  ...envCases,
  ...csvCases,
  ...artworkCases,
  ...sandboxCases,
];
