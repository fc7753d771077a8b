// Generates a deterministic synthetic audience CSV for the preflight benchmark.
//   node bench/gen-audience.mjs [--profile a|b] [--rows 1000000] [--seed 42] [--out FILE]
// Profile A (default, bench/.data/audience-<rows>.csv): about 105 bytes per row, 11 columns,
// quoted fields with commas (~3% of rows), embedded newlines (~0.5%), ~2% rows breaking a Lob
// rule, ~0.5% repeating an earlier recipient with other case/spacing.
// Profile B (bench/.data/audience-b-<rows>.csv): a plain CRM export, 8 columns, about 70 bytes per
// row, every row valid and every recipient distinct, nothing quoted.
// Every value is invented; no real person or address.
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { AUDIENCE_COLUMNS, CRM_COLUMNS } from "./lib/audience-columns.mjs";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    seed: { type: "string", default: "42" },
    profile: { type: "string", default: "a" },
    out: { type: "string" },
  },
});
const rows = Number(values.rows);
const profile = values.profile;
if (profile !== "a" && profile !== "b") throw new Error(`unknown --profile ${profile} (a or b)`);
const defaultName = profile === "a" ? `audience-${rows}.csv` : `audience-b-${rows}.csv`;
const out = resolve(values.out ?? new URL(`./.data/${defaultName}`, import.meta.url).pathname);

let state = Number(values.seed) >>> 0;
function random() {
  // mulberry32: small, fast, deterministic across Node versions.
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];
const digits = (n) => {
  let s = "";
  for (let i = 0; i < n; i++) s += Math.floor(random() * 10);
  return s;
};

const FIRST =
  "Larry Lloyd Lisa Linda Leith Lala Krusty Patrick Christopher Maria José Zoë Amara Wei Olga Sven Ngozi Priya Hamish Ines Tomás Yuki Aleksandra Bjørn Chloé Dmitri Eleanor Fatima Gustavo Hana".split(
    " ",
  );
const LAST =
  "Lobster Krab Star Crawdad Nguyen García Müller O'Brien Smith Johnson Okafor Kowalski Tanaka Rossi Dubois Andersson Papadopoulos Haddad Fernández Schröder Ivanova Mbeki Larsen Moreau".split(
    " ",
  );
const STREET =
  "King Maple Oak Pine Cedar Elm Market Mission Valencia Harrison Folsom Howard Bryant Brannan Townsend".split(
    " ",
  );
const SUFFIX = "St Ave Blvd Rd Ln Way Ct Pl Dr Ter".split(" ");
const CITY =
  "San Francisco|Oakland|Berkeley|Portland|Seattle|Austin|Boston|New York|Chicago|Denver|Miami|Atlanta|Phoenix|Saint Paul|Winston-Salem|Coeur d'Alene|San Juan|Washington".split(
    "|",
  );
const STATE = "CA OR WA TX MA NY IL CO FL GA AZ MN NC ID PR DC".split(" ");
const COMPANY = [
  "",
  "",
  "",
  "",
  "",
  "Acme",
  "Krusty Krab",
  "Lobster, Inc.",
  "Bits & Bobs, LLC",
  "Chum Bucket",
];

const HEADER = `${(profile === "a" ? AUDIENCE_COLUMNS : CRM_COLUMNS).join(",")}\n`;

function quote(v) {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

const earlier = [];
function row(i) {
  let first = pick(FIRST);
  let name = `${first} ${pick(LAST)}`;
  let line1 = `${1 + Math.floor(random() * 9999)} ${pick(STREET)} ${pick(SUFFIX)}`;
  let line2 = random() < 0.15 ? `Apt ${1 + Math.floor(random() * 400)}` : "";
  let city = pick(CITY);
  let state = pick(STATE);
  let zip = random() < 0.2 ? `${digits(5)}-${digits(4)}` : digits(5);
  let company = pick(COMPANY);
  const r = random();
  if (r < 0.005 && earlier.length > 0) {
    // A repeat of an earlier recipient, differing only in case and spacing.
    const e = pick(earlier);
    name = `  ${e.name.toUpperCase()} `;
    line1 = e.line1.replace(" ", "  ");
    line2 = e.line2;
    city = e.city.toLowerCase();
    state = e.state;
    zip = e.zip.slice(0, 5);
    first = e.first;
  } else if (r < 0.01) zip = digits(4);
  else if (r < 0.015) state = "XX";
  else if (r < 0.02) city = "";
  else if (r < 0.025) name = `${name} ${"Extraordinarily-Long-Family-Name".repeat(2)}`;
  if (earlier.length < 5000 && i % 97 === 0) earlier.push({ name, line1, line2, city, state, zip, first });
  if (random() < 0.005) line2 = `Building 7\nFloor ${1 + Math.floor(random() * 30)}`;
  const gift = `GC-${digits(8)}`;
  const email = `${first.toLowerCase().replace(/[^a-z]/g, "x")}.${digits(6)}@example.com`;
  return (
    [name, company, line1, line2, city, state, zip, "US", first, gift, email].map(quote).join(",") + "\n"
  );
}

// Profile B: a CRM export. The house number is the row number, so every recipient is distinct.
const ASCII_FIRST = FIRST.filter((n) => /^[A-Za-z]+$/.test(n));
const ASCII_LAST = LAST.filter((n) => /^[A-Za-z]+$/.test(n));
function crmRow(i) {
  const first = pick(ASCII_FIRST);
  const line2 = random() < 0.1 ? `Apt ${1 + Math.floor(random() * 400)}` : "";
  const zip = random() < 0.3 ? `${digits(5)}-${digits(4)}` : digits(5);
  return `C${1000000 + i},${first} ${pick(ASCII_LAST)},${i} ${pick(STREET)} ${pick(SUFFIX)},${line2},${pick(CITY)},${pick(STATE)},${zip},${first}\n`;
}

mkdirSync(dirname(out), { recursive: true });
const fd = openSync(out, "w");
let buffer = HEADER;
let bytes = 0;
for (let i = 1; i <= rows; i++) {
  buffer += profile === "a" ? row(i) : crmRow(i);
  if (buffer.length > 1 << 22) {
    bytes += writeSync(fd, buffer);
    buffer = "";
  }
}
bytes += writeSync(fd, buffer);
closeSync(fd);
console.error(`wrote ${rows} rows (${bytes} bytes) to ${out}`);
