import { readFile } from "node:fs/promises";
import { LineCounter, parseDocument } from "yaml";
import type { Diagnostic } from "../core/diagnostics.js";
import { sortDiagnostics } from "../core/diagnostics.js";
import { CampaignctlError, internalError } from "../core/errors.js";
import { readManifestText } from "../manifest/read-manifest.js";
import { describeSchemaErrors } from "../manifest/schema-messages.js";
import type { SchemaError } from "../manifest/schema-messages.js";
import { formatPath, locate, positionOfNode, yamlSyntaxDiagnostic } from "../manifest/yaml-nodes.js";
import { validate } from "./generated/prices-validator.js";

/**
 * A price table (schemas/prices.v1.schema.json): per-piece prices keyed by product × size × mail
 * type × colour × tier, and adders for extra letter pages and extra services. campaignctl ships
 * one as data (data/prices.v1.json, in the npm package); `pricing.table` replaces it.
 */
export type Confidence = "published" | "third_hand" | "estimate" | "unknown";

export interface PriceRow {
  readonly tier: string;
  readonly product: "postcard" | "letter" | "self_mailer";
  readonly size: string;
  readonly mail_type: "usps_first_class" | "usps_standard";
  readonly color: boolean;
  readonly price: number | null;
  readonly confidence: Confidence;
  readonly source: string;
}

export interface AdderRow {
  readonly tier: string;
  readonly adder: "extra_page" | "extra_service";
  readonly color?: boolean;
  readonly service?: "certified" | "certified_return_receipt" | "registered";
  readonly price: number | null;
  readonly confidence: Confidence;
  readonly source: string;
}

export interface PriceTable {
  readonly format: "campaignctl-prices";
  readonly version: 1;
  readonly as_of: string;
  readonly currency: "USD";
  readonly source: string;
  readonly default_tier: string;
  readonly prices: readonly PriceRow[];
  readonly adders?: readonly AdderRow[];
}

/** The table that ships with campaignctl: `data/` beside `dist/` (and beside `src/` in a checkout). */
export const BUNDLED_TABLE_URL = new URL("../../data/prices.v1.json", import.meta.url);

/** A price table file with problems: carries every diagnostic so the CLI prints them all. */
export class PriceTableInvalid extends CampaignctlError {
  constructor(
    readonly diagnostics: readonly Diagnostic[],
    shown: string,
  ) {
    const errors = diagnostics.filter((d) => d.severity === "error").length;
    super({
      code: "PROJECT_INVALID",
      message: `${errors} error${errors === 1 ? "" : "s"} in the price table ${shown} (campaignctl.yaml pricing.table); nothing was planned`,
      hint: "fix the table (its format is schemas/prices.v1.schema.json; docs/pricing.md), or remove pricing.table to use campaignctl's own",
    });
  }
}

export async function loadBundledPriceTable(): Promise<PriceTable> {
  const text = await readFile(BUNDLED_TABLE_URL, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw internalError(`the price table that ships with campaignctl is missing (${error.code ?? "error"})`);
  });
  const value: unknown = JSON.parse(text);
  if (!checkTable(value)) throw internalError("the price table that ships with campaignctl is invalid");
  return value;
}

function checkTable(value: unknown): value is PriceTable {
  return (validate as (data: unknown) => boolean)(value);
}

/**
 * Reads a team's own table (JSON or YAML) as guardedly as the project file: a regular file, a size
 * limit, UTF-8; every problem is a `file:line:col` diagnostic.
 */
export async function readPriceTableFile(file: string, shown: string): Promise<PriceTable> {
  const read = await readManifestText(file, shown);
  if ("diagnostic" in read) throw new PriceTableInvalid([read.diagnostic], shown);
  const lineCounter = new LineCounter();
  // YAML 1.2 reads JSON as well, with positions for messages.
  const doc = parseDocument(read.text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new PriceTableInvalid(
      doc.errors.map((error) => yamlSyntaxDiagnostic(error, lineCounter, shown)),
      shown,
    );
  }
  const value: unknown = doc.toJS({ maxAliasCount: 10 });
  const run = validate as { (data: unknown): boolean; errors?: readonly SchemaError[] | null };
  if (run(value)) return value as PriceTable;
  const diagnostics = describeSchemaErrors(run.errors ?? [], value).map((problem): Diagnostic => {
    const located = locate(doc, problem.segments);
    const node = problem.anchor === "key" && located.keyNode ? located.keyNode : located.node;
    return {
      severity: "error",
      code: "SCHEMA",
      file: shown,
      ...positionOfNode(node, lineCounter),
      path: formatPath(problem.segments),
      message: problem.message,
      hint: problem.hint,
    };
  });
  throw new PriceTableInvalid(sortDiagnostics(diagnostics), shown);
}
