import type { PreflightReport } from "../audience/types.js";
import type { PathSegment } from "./yaml-nodes.js";

/**
 * Lob's mailing rules that a manifest can break before anything is sent (Lob's help centre:
 * "Letter envelopes", "Marketing Mail", campaigns' cancel window). Pure: the loader gives the
 * values it read (page count, preflight) and pins each finding to a YAML node.
 * (`usps_standard` with a 4x6 postcard is the schema's own error: schemas/manifest.v1.schema.json.)
 */
export interface MailingFinding {
  readonly severity: "error" | "warning";
  readonly code:
    | "STANDARD_MAIL_NON_US"
    | "STANDARD_MAIL_MINIMUM"
    | "LETTER_FLAT_ENVELOPE"
    | "LETTER_TOO_MANY_PAGES"
    | "PDF_PAGES_UNKNOWN"
    | "CANCEL_WINDOW_DEFAULT";
  readonly segments: readonly PathSegment[];
  readonly anchor: "value" | "key";
  readonly message: string;
  readonly hint: string;
}

/** Lob's minimum for a Marketing Mail (usps_standard) campaign. */
export const STANDARD_MAIL_MIN_PIECES = 200;
/** Sheets a standard #10 envelope holds; more go in a flat (9x12) envelope. */
export const MAX_SHEETS_STANDARD_ENVELOPE = 6;
/** Sheets Lob prints for one letter, at most (a flat envelope's limit). */
export const MAX_SHEETS_LETTER = 60;
/** Lob's smallest account default cancel window, in minutes. */
export const SMALLEST_DEFAULT_CANCEL_WINDOW_MINUTES = 5;

/** Letter details as the manifest gives them (only the fields these rules read). */
export interface LetterShape {
  readonly pages: number;
  /** Default true, as Lob's. */
  readonly doubleSided: boolean;
  /** The artwork file as shown in messages. */
  readonly file: string;
}

export function sheetsOf(pages: number, doubleSided: boolean): number {
  return doubleSided ? Math.ceil(pages / 2) : pages;
}

/** Over 6 sheets: a flat envelope (warning). Over 60 sheets: Lob will not print it (error). */
export function checkLetterPages(letter: LetterShape): MailingFinding[] {
  const sheets = sheetsOf(letter.pages, letter.doubleSided);
  const sided = letter.doubleSided ? "double-sided" : "single-sided";
  const pagesText = `${letter.file} has ${letter.pages} page${letter.pages === 1 ? "" : "s"}, ${sheets} sheet${sheets === 1 ? "" : "s"} ${sided}`;
  if (sheets > MAX_SHEETS_LETTER) {
    return [
      {
        severity: "error",
        code: "LETTER_TOO_MANY_PAGES",
        segments: ["creative", "file"],
        anchor: "value",
        message: `${pagesText}: Lob prints at most ${MAX_SHEETS_LETTER} sheets per letter (${MAX_SHEETS_LETTER} pages single-sided, ${MAX_SHEETS_LETTER * 2} double-sided)`,
        hint: letter.doubleSided
          ? "shorten the letter"
          : "print double-sided (creative.details.double_sided: true) or shorten the letter",
      },
    ];
  }
  if (sheets > MAX_SHEETS_STANDARD_ENVELOPE) {
    return [
      {
        severity: "warning",
        code: "LETTER_FLAT_ENVELOPE",
        segments: ["creative", "file"],
        anchor: "value",
        message: `${pagesText}: more than ${MAX_SHEETS_STANDARD_ENVELOPE} sheets go in a flat envelope (over ${MAX_SHEETS_STANDARD_ENVELOPE} pages single-sided, over ${MAX_SHEETS_STANDARD_ENVELOPE * 2} double-sided), which costs more and mails as a flat`,
        hint: letter.doubleSided
          ? "shorten the letter to keep it in a standard envelope, or accept the flat envelope"
          : "print double-sided (creative.details.double_sided: true) or shorten the letter to keep it in a standard envelope",
      },
    ];
  }
  return [];
}

/**
 * `usps_standard` (Marketing Mail) mails only to US addresses and needs at least 200 pieces.
 * `nonUsRows` is the preflight's failure group for rows whose address_country is not US.
 */
export function checkStandardMail(report: PreflightReport, audienceFile: string): MailingFinding[] {
  const findings: MailingFinding[] = [];
  const nonUs = report.failures.find((f) => f.code === "address_country_not_us");
  if (nonUs !== undefined) {
    const rows = nonUs.firstRows.join(", ") + (nonUs.count > nonUs.firstRows.length ? ", …" : "");
    findings.push({
      severity: "error",
      code: "STANDARD_MAIL_NON_US",
      segments: ["creative", "details", "mail_type"],
      anchor: "value",
      message: `usps_standard mails only to US addresses, but ${nonUs.count} row${nonUs.count === 1 ? "" : "s"} of ${audienceFile} ha${nonUs.count === 1 ? "s" : "ve"} another address_country (column '${nonUs.column}'; row ${rows})`,
      hint: "use usps_first_class, or move the non-US rows to a campaign of their own",
    });
  }
  if (report.passingRows < STANDARD_MAIL_MIN_PIECES) {
    findings.push({
      severity: "warning",
      code: "STANDARD_MAIL_MINIMUM",
      segments: ["creative", "details", "mail_type"],
      anchor: "value",
      message: `usps_standard (Marketing Mail) needs at least ${STANDARD_MAIL_MIN_PIECES} pieces per mailing, and ${audienceFile} has ${report.passingRows} mailable row${report.passingRows === 1 ? "" : "s"}`,
      hint: `use usps_first_class for fewer than ${STANDARD_MAIL_MIN_PIECES} pieces, or add recipients`,
    });
  }
  return findings;
}

/** No cancel window in the manifest: the account default applies, which may be as little as 5 minutes. */
export function checkCancelWindow(campaign: Readonly<Record<string, unknown>>): MailingFinding[] {
  const value = campaign.cancel_window_campaign_minutes;
  if (typeof value === "number") return [];
  const hasKey = Object.hasOwn(campaign, "cancel_window_campaign_minutes");
  return [
    {
      severity: "warning",
      code: "CANCEL_WINDOW_DEFAULT",
      segments: hasKey ? ["campaign", "cancel_window_campaign_minutes"] : ["campaign"],
      anchor: hasKey ? "value" : "key",
      message: `campaign.cancel_window_campaign_minutes is ${hasKey ? "null" : "not set"}: the account's default cancel window applies, which can be as little as ${SMALLEST_DEFAULT_CANCEL_WINDOW_MINUTES} minutes, so 'campaignctl destroy' may come too late to stop the mailing`,
      hint: "set it, e.g. cancel_window_campaign_minutes: 120, to have a known time to cancel after a send",
    },
  ];
}
