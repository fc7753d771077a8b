import { mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PDFDocument } from "pdf-lib";
import { afterEach, describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/core/diagnostics.js";
import { loadManifests } from "../../src/manifest/index.js";

/**
 * Lob's mailing rules as checks (issue 13 §3): each one at the manifest's file:line:col, as an
 * error or a warning.
 */
let scratch: string | undefined;
afterEach(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
  scratch = undefined;
});

async function pdfOf(pages: number): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  for (let i = 0; i < pages; i++) pdf.addPage([612, 792]);
  return pdf.save();
}

function csvOf(rows: number, country?: (i: number) => string): string {
  const header = `name,line1,city,state,zip${country ? ",country" : ""}\n`;
  let body = "";
  for (let i = 1; i <= rows; i++) {
    body += `Person ${i},${i} Main St,Springfield,IL,62704${country ? `,${country(i)}` : ""}\n`;
  }
  return header + body;
}

function manifest(opts: { creative: string; cancelWindow?: string; country?: boolean }): string {
  return `version: 1
key: k
campaign:
  name: N
  schedule_type: immediate
  use_type: marketing
${opts.cancelWindow ?? "  cancel_window_campaign_minutes: 60"}
${opts.creative}
audience:
  file: ./audience.csv
  requiredAddressColumnMapping: { name: name, address_line1: line1, address_city: city, address_state: state, address_zip: zip }
  optionalAddressColumnMapping: { address_line2: null, company: null, address_country: ${opts.country ? "country" : "null"} }
  mergeVariableColumnMapping: null
`;
}

const postcard = (size: string, mailType: string) => `creative:
  resource_type: postcard
  front: tmpl_front1
  back: tmpl_back1
  details: { size: ${size}, mail_type: ${mailType} }`;

const letter = (doubleSided?: boolean) => `creative:
  resource_type: letter
  file: ./letter.pdf
  from: { name: Sender, address_line1: 1 Main St, address_city: Springfield, address_state: IL, address_zip: "62704" }
  details:
    color: false${doubleSided === undefined ? "" : `\n    double_sided: ${doubleSided}`}`;

async function load(files: Record<string, string | Uint8Array>): Promise<readonly Diagnostic[]> {
  scratch = await realpath(await mkdtemp(join(tmpdir(), "ccmail-")));
  for (const [name, content] of Object.entries(files)) await writeFile(join(scratch, name), content);
  const result = await loadManifests(["campaign.yaml"], { cwd: scratch, env: {} });
  return result.diagnostics;
}

const codesOf = (diagnostics: readonly Diagnostic[]) =>
  diagnostics.map((d) => [d.severity, d.code, `${d.file}:${d.line}:${d.col}`]);

describe("usps_standard", () => {
  it("with a 4x6 postcard is an error (the schema's, kept)", async () => {
    const diagnostics = await load({
      "campaign.yaml": manifest({ creative: postcard("4x6", "usps_standard") }),
      "audience.csv": csvOf(250),
    });
    expect(codesOf(diagnostics)).toEqual([["error", "SCHEMA", "campaign.yaml:12:36"]]);
    expect(diagnostics[0]!.message).toContain("usps_standard is not available for 4x6 postcards");
  });

  it("with a non-US row is an error at mail_type, naming the rows by number (never their values)", async () => {
    const diagnostics = await load({
      "campaign.yaml": manifest({ creative: postcard("6x9", "usps_standard"), country: true }),
      "audience.csv": csvOf(250, (i) => (i === 7 || i === 9 ? "CA" : i === 8 ? "us" : "US")),
    });
    const error = diagnostics.find((d) => d.code === "STANDARD_MAIL_NON_US")!;
    expect(codesOf([error])).toEqual([["error", "STANDARD_MAIL_NON_US", "campaign.yaml:12:36"]]);
    expect(error.message).toBe(
      "usps_standard mails only to US addresses, but 2 rows of audience.csv have another address_country (column 'country'; row 7, 9)",
    );
    expect(error.message).not.toContain("CA");
  });

  it("with only US rows (any letter case) or no country column passes", async () => {
    const withCountry = await load({
      "campaign.yaml": manifest({ creative: postcard("6x9", "usps_standard"), country: true }),
      "audience.csv": csvOf(250, (i) => (i % 2 ? "US" : " us ")),
    });
    expect(codesOf(withCountry)).toEqual([]);
    const without = await load({
      "campaign.yaml": manifest({ creative: postcard("6x11", "usps_standard") }),
      "audience.csv": csvOf(200),
    });
    expect(codesOf(without)).toEqual([]);
  });

  it("under 200 pieces is a warning (Lob's Marketing Mail minimum); 200 is enough", async () => {
    const diagnostics = await load({
      "campaign.yaml": manifest({ creative: postcard("6x9", "usps_standard") }),
      "audience.csv": csvOf(199),
    });
    expect(codesOf(diagnostics)).toEqual([["warning", "STANDARD_MAIL_MINIMUM", "campaign.yaml:12:36"]]);
    expect(diagnostics[0]!.message).toContain("at least 200 pieces");
    expect(diagnostics[0]!.message).toContain("199 mailable rows");
  });

  it("first class has neither rule", async () => {
    const diagnostics = await load({
      "campaign.yaml": manifest({ creative: postcard("4x6", "usps_first_class"), country: true }),
      "audience.csv": csvOf(3, () => "CA"),
    });
    expect(codesOf(diagnostics)).toEqual([]);
  });
});

describe("letter pages (counted from the PDF)", () => {
  it.each([
    // pages, double_sided, expected
    [6, false, []],
    [7, false, [["warning", "LETTER_FLAT_ENVELOPE", "campaign.yaml:10:9"]]],
    [12, undefined, []],
    [13, undefined, [["warning", "LETTER_FLAT_ENVELOPE", "campaign.yaml:10:9"]]],
    [60, false, [["warning", "LETTER_FLAT_ENVELOPE", "campaign.yaml:10:9"]]],
    [61, false, [["error", "LETTER_TOO_MANY_PAGES", "campaign.yaml:10:9"]]],
    [120, true, [["warning", "LETTER_FLAT_ENVELOPE", "campaign.yaml:10:9"]]],
    [121, true, [["error", "LETTER_TOO_MANY_PAGES", "campaign.yaml:10:9"]]],
  ] as const)("%i pages, double_sided %s", async (pages, doubleSided, expected) => {
    const diagnostics = await load({
      "campaign.yaml": manifest({ creative: letter(doubleSided) }),
      "audience.csv": csvOf(2),
      "letter.pdf": await pdfOf(pages),
    });
    expect(codesOf(diagnostics)).toEqual(expected);
    if (expected.length > 0) {
      expect(diagnostics[0]!.message).toContain(`letter.pdf has ${pages} pages`);
      expect(diagnostics[0]!.message).toContain(doubleSided === false ? "single-sided" : "double-sided");
    }
  });

  it("records the page count for pricing", async () => {
    scratch = await realpath(await mkdtemp(join(tmpdir(), "ccmail-")));
    await writeFile(join(scratch, "campaign.yaml"), manifest({ creative: letter() }));
    await writeFile(join(scratch, "audience.csv"), csvOf(2));
    await writeFile(join(scratch, "letter.pdf"), await pdfOf(3));
    const result = await loadManifests(["campaign.yaml"], { cwd: scratch, env: {} });
    expect(result.manifests[0]!.creative.pages).toBe(3);
  });

  it("a file that is not a PDF gets a warning, not a crash", async () => {
    const diagnostics = await load({
      "campaign.yaml": manifest({ creative: letter() }),
      "audience.csv": csvOf(2),
      "letter.pdf": "this is not a pdf",
    });
    expect(codesOf(diagnostics)).toEqual([["warning", "PDF_PAGES_UNKNOWN", "campaign.yaml:10:9"]]);
  });
});

describe("the cancel window", () => {
  it("null is a warning: the account default applies, as little as 5 minutes", async () => {
    const diagnostics = await load({
      "campaign.yaml": manifest({
        creative: postcard("4x6", "usps_first_class"),
        cancelWindow: "  cancel_window_campaign_minutes: null",
      }),
      "audience.csv": csvOf(2),
    });
    expect(codesOf(diagnostics)).toEqual([["warning", "CANCEL_WINDOW_DEFAULT", "campaign.yaml:7:35"]]);
    expect(diagnostics[0]!.message).toContain("as little as 5 minutes");
    expect(diagnostics[0]!.message).toContain("destroy");
  });

  it("not set at all is the same warning, at the campaign", async () => {
    const diagnostics = await load({
      "campaign.yaml": manifest({ creative: postcard("4x6", "usps_first_class"), cancelWindow: "" }),
      "audience.csv": csvOf(2),
    });
    expect(codesOf(diagnostics)).toEqual([["warning", "CANCEL_WINDOW_DEFAULT", "campaign.yaml:3:1"]]);
    expect(diagnostics[0]!.message).toContain("is not set");
  });
});
