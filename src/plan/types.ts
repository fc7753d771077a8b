import type {
  Campaign,
  Creative,
  MergeVariableColumnMapping,
  OptionalAddressColumnMapping,
  RequiredAddressColumnMapping,
  Upload,
  UploadMetadata,
} from "../lob/wire.js";
import type { CampaignRecord, StateFile } from "../state/types.js";

/**
 * The planner's three inputs and its output. Everything here is plain data: the planner is a
 * pure function of (desired, recorded, observed, now), and rendering and applying are two
 * separate consumers of the same Plan.
 */

// ─── desired: what the manifests ask for, with file contents reduced to hashes ────────────────

export interface DesiredCampaign {
  readonly key: string;
  /** `file:line:col` of the manifest document, for messages. */
  readonly source: string;
  /** Campaign fields as the manifest sets them (Lob names), without our tags. */
  readonly campaign: Readonly<Record<string, unknown>>;
  readonly creative: DesiredCreative;
  readonly upload: DesiredUpload;
  readonly audience: DesiredAudience;
  readonly send: { readonly enabled: boolean; readonly maxPieces?: number; readonly maxCost?: number };
  /** The price of one piece from the price table (src/pricing/); absent: no estimate is made. */
  readonly unitCost?: UnitCost;
}

/** One piece's estimated price: the planner multiplies it by the pieces a send mails. */
export interface UnitCost {
  /** USD per piece; null when it cannot be estimated (`unknownReason` says why). */
  readonly unitPrice: number | null;
  readonly asOf: string;
  readonly tier: string;
  readonly basis: string;
  readonly unknownReason?: string;
}

/** What a send is estimated to cost (plan.v1.schema.json `$defs/costEstimate`). */
export interface CostEstimate {
  readonly pieces: number;
  /** USD per piece; null when it cannot be estimated. */
  readonly unitPrice: number | null;
  /** pieces × unitPrice, rounded to cents. */
  readonly amount: number | null;
  readonly currency: "USD";
  /** The price table's as_of date. */
  readonly asOf: string;
  readonly tier: string;
  /** e.g. "postcard 4x6, usps_first_class". */
  readonly basis: string;
  /** Why unitPrice is null. */
  readonly unknownReason?: string;
}

/** The estimated total of a plan's sends. */
export interface PlanCost {
  readonly total: number;
  readonly currency: "USD";
  readonly asOf: string;
  /** True when some send's cost could not be estimated (the total leaves it out). */
  readonly partial: boolean;
}

export interface DesiredCreative {
  readonly resource_type: string;
  readonly details: Readonly<Record<string, unknown>>;
  /** Artwork field → identity: `sha256:<hex>` for a local file, else the tmpl_ id or URL. */
  readonly artwork: Readonly<Record<string, string>>;
  /** Artwork field → the manifest's value (a path, id or URL), for display. */
  readonly artworkSource: Readonly<Record<string, string>>;
  /** Artwork field → current HTML text, only for local HTML files (for text diffs). */
  readonly html: Readonly<Record<string, string>>;
  /** Hash over resource_type, details and artwork identities: what Lob cannot change in place. */
  readonly contentHash: string;
  /** The updatable fields (from, description, metadata), as the manifest sets them. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** Artwork field → the local file a create uploads (absent for template ids and URLs). */
  readonly files?: Readonly<Record<string, LocalFileRef>>;
  /** Letters with a local PDF: its page count (prices extra pages). */
  readonly pages?: number;
}

export interface DesiredUpload {
  readonly requiredAddressColumnMapping: RequiredAddressColumnMapping;
  readonly optionalAddressColumnMapping: OptionalAddressColumnMapping;
  readonly mergeVariableColumnMapping: MergeVariableColumnMapping;
  readonly metadata: UploadMetadata;
}

export interface DesiredAudience {
  /** As written in the manifest (for display). */
  readonly file: string;
  readonly sha256: string;
  readonly totalRows: number;
  /** Rows that pass Lob's per-row rules: the pieces a send would mail. */
  readonly passingRows: number;
  /** The file apply streams to Lob (absolute path). */
  readonly local?: LocalFileRef;
}

// ─── observed: one refresh of the managed campaigns from Lob ─────────────────────────────────

export interface ObservedWorld {
  /** Campaigns by id, for every id the state records that Lob still has (drafts and sent). */
  readonly campaigns: ReadonlyMap<string, Campaign>;
  /** Ids the state records that Lob no longer has (deleted outside campaignctl). */
  readonly missing: ReadonlySet<string>;
  /** Campaigns carrying our tags (key + this state's lineage) that the state does not record. */
  readonly tagged: ReadonlyMap<string, readonly Campaign[]>;
  /**
   * Campaigns tagged with this project and a key, by another lineage (another copy of the state,
   * or another repository using the same project name), that the state does not record. Only
   * complete when `complete` is true.
   */
  readonly claimed?: ReadonlyMap<string, readonly Campaign[]>;
  /** True when every page of the account's campaign list was read: `tagged` and `claimed` are whole. */
  readonly complete?: boolean;
}

// ─── the plan ─────────────────────────────────────────────────────────────────────────────────

export type Resource = "campaign" | "creative" | "upload";

export interface FieldChange {
  /** e.g. `name`, `metadata.team`, `requiredAddressColumnMapping.address_zip`, `artwork.front`. */
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
  /** True when Lob's value differs from what campaignctl last applied (edited outside). */
  readonly drift?: boolean;
}

/**
 * Why an action is planned, as a stable code beside the English `reason` (which may be reworded):
 * programs and tests match on the code, people read the reason.
 */
export type ReasonCode =
  | "new_campaign"
  | "replacement"
  | "no_creative"
  | "no_upload"
  | "new_audience"
  | "file_not_recorded"
  | "found_by_tags"
  | "found_on_campaign"
  | "fields_changed"
  | "drift"
  | "mapping_changed"
  | "create_only_changed"
  | "audience_changed"
  | "send_enabled"
  | "sent_outside"
  | "duplicate_draft"
  | "removed_draft"
  | "orphan_draft"
  | "destroy_draft"
  | "destroy_sent_window_open"
  | "destroy_sent_window_unknown"
  | "cancel_window_closed"
  | "sent_and_gone"
  | "unrecorded_in_lob"
  | "sent_cannot_change"
  | "sent_duplicate"
  | "no_passing_rows"
  | "max_pieces_exceeded"
  | "max_cost_exceeded"
  | "run_budget_exceeded"
  | "cost_unknown"
  | "removed_but_sent"
  | "campaign_gone"
  | "never_created"
  | "settling_create";

/** A note that is not a change: a stable `code` to match on, `text` to show. */
export interface PlanNote {
  readonly code: NoteCode;
  readonly text: string;
}

export type NoteCode =
  | "send_disabled"
  | "already_sent_send_ignored"
  | "created_anew"
  | "audience_hash_unknown"
  | "artwork_hash_unknown"
  /** The artwork changed, but the HTML last applied is not in the state's blobs: no diff. */
  | "previous_artwork_unavailable"
  | "other_project_draft"
  | "sent_duplicate_left"
  | "not_in_state";

/**
 * A local file a create sends: the absolute path (read at apply time) and the sha256 the plan
 * judged, so apply refuses bytes that changed since. `path` is where this machine keeps it, not
 * what the plan decides: saved-plan fingerprints leave it out.
 */
export interface LocalFileRef {
  readonly path: string;
  readonly sha256: string;
  readonly mediaType: "html" | "pdf" | "png" | "jpg" | "csv";
}

/**
 * What a create or update sends to Lob (the `changes` beside it are for display). Ids that exist
 * only once an earlier step ran (`campaign_id`) are added by apply.
 */
export type ActionBody =
  | { readonly resource: "campaign"; readonly fields: Readonly<Record<string, unknown>> }
  | {
      readonly resource: "creative";
      readonly fields: Readonly<Record<string, unknown>>;
      /** Artwork fields sent as local files (multipart); template ids and URLs are in `fields`. */
      readonly files?: Readonly<Record<string, LocalFileRef>>;
    }
  | { readonly resource: "upload"; readonly fields: Readonly<Record<string, unknown>> };

/**
 * What the state records as applied once a create or update succeeds: the manifest's values,
 * without campaignctl's tags (so the next plan compares like with like).
 */
export interface AppliedValues {
  readonly campaign?: Readonly<Record<string, unknown>>;
  readonly creativeContentHash?: string;
  readonly creativeFields?: Readonly<Record<string, unknown>>;
  readonly artwork?: Readonly<Record<string, string>>;
  readonly uploadMapping?: Readonly<Record<string, unknown>>;
}

interface Reasoned {
  readonly reason: string;
  readonly reasonCode: ReasonCode;
}

/** One executable step of a campaign's plan, in the order apply runs them. */
export type PlannedAction =
  | ({ readonly kind: "adopt"; readonly resource: Resource; readonly id: string } & Reasoned)
  | ({
      readonly kind: "create";
      readonly resource: Resource;
      readonly changes: readonly FieldChange[];
      readonly body: ActionBody;
      readonly applied: AppliedValues;
    } & Reasoned)
  | ({
      readonly kind: "update";
      readonly resource: Resource;
      readonly id: string;
      readonly changes: readonly FieldChange[];
      readonly body: ActionBody;
      readonly applied: AppliedValues;
      readonly drift: boolean;
    } & Reasoned)
  | ({
      /** Delete a resource so that the following creates can make it anew (draft only). */
      readonly kind: "replace";
      readonly resource: "campaign" | "upload";
      readonly id: string;
      readonly changes: readonly FieldChange[];
    } & Reasoned)
  | ({
      readonly kind: "upload_file";
      readonly file: string;
      readonly sha256: string;
      readonly rows: number;
      /** The audience file to stream (absolute); absent only in hand-built plans. */
      readonly local?: LocalFileRef;
    } & Reasoned)
  | ({
      readonly kind: "send";
      /** Pieces preflight expects Lob to mail (passing rows). */
      readonly pieces: number;
      readonly totalRows: number;
      readonly cancelWindowMinutes: number;
      /** The cancel deadline if the send happened at plan time (Lob's clock). */
      readonly cancelDeadlineIfSentNow: string;
      /** What it is estimated to cost (absent when no price table was given to the planner). */
      readonly cost?: CostEstimate;
    } & Reasoned)
  | ({ readonly kind: "delete"; readonly resource: "campaign"; readonly id: string } & Reasoned)
  | ({
      /** Sent campaigns: cancel inside the window (destroy only). */
      readonly kind: "cancel";
      readonly id: string;
      readonly deadline: string;
    } & Reasoned)
  | ({
      readonly kind: "blocked";
      readonly changes: readonly FieldChange[];
      readonly hint: string;
    } & Reasoned)
  | ({
      readonly kind: "record_send";
      readonly id: string;
      readonly sentAt: string;
      readonly cancelWindowMinutes: number;
    } & Reasoned)
  | ({
      /** Drop a state record whose campaign no longer exists anywhere (nothing to call in Lob). */
      readonly kind: "forget";
    } & Reasoned)
  | ({
      /**
       * A create whose outcome is unknown may still land in Lob: nothing is decided for this key
       * until `until` (Lob's clock). apply waits, then looks again; it never runs this action.
       */
      readonly kind: "wait";
      readonly until: string;
    } & Reasoned);

export type ActionKind = PlannedAction["kind"];

/** How a campaign's plan is counted in the summary line. */
export type Headline = "create" | "update" | "replace" | "delete" | "cancel" | "noop" | "blocked" | "wait";

export interface CampaignPlan {
  readonly key: string;
  readonly source: string;
  readonly headline: Headline;
  readonly campaignId?: string;
  readonly actions: readonly PlannedAction[];
  /** Unified diffs of local HTML artwork whose content changed (field → patch text). */
  readonly artworkDiffs: Readonly<Record<string, string>>;
  /** Notes that are not changes (e.g. "send is disabled; stays a draft"). */
  readonly notes: readonly PlanNote[];
  /** Things a person must know although nothing changes (e.g. "destroyed at T; not re-created"). */
  readonly warnings?: readonly string[];
  /**
   * Rows Lob will skip in the audience this plan uploads or sends, by rule and count (never a
   * cell): reviewers see "3 rows will be skipped" in the plan, not only on stderr.
   */
  readonly audienceSkips?: readonly AudienceSkip[];
}

/** One preflight rule that rows of an audience break, and how many rows break it. */
export interface AudienceSkip {
  /** e.g. "address_zip (column 'zip_code') is not 12345 or 12345-6789": column names, no values. */
  readonly rule: string;
  readonly count: number;
  /** The audience file as the manifest names it. */
  readonly file: string;
  /** The CSV line of the first such row (0 when unknown), for annotations. */
  readonly line: number;
}

export interface PlanSummary {
  readonly create: number;
  readonly update: number;
  readonly replace: number;
  readonly delete: number;
  readonly cancel: number;
  readonly blocked: number;
  readonly send: number;
  readonly sendPieces: number;
  readonly noop: number;
  /** Keys waiting for an earlier create to settle (see the `wait` action). */
  readonly wait: number;
  /** The sends' estimated total; present when some send carries a `cost`. */
  readonly cost?: PlanCost;
}

/**
 * `project`: the run covers the whole project, so a recorded campaign with no manifest was removed.
 * `paths`: the run names some paths, and touches only their campaigns (like Terraform's -target).
 */
export type PlanScope = "project" | "paths";

export interface Plan {
  readonly version: 1;
  readonly operation: "apply" | "destroy";
  readonly scope: PlanScope;
  /** The state this plan was made against; a saved plan applies only to the same lineage+serial. */
  readonly stateLineage: string;
  readonly stateSerial: number;
  readonly campaigns: readonly CampaignPlan[];
  readonly summary: PlanSummary;
  readonly hasChanges: boolean;
  /** Every campaign's warnings, prefixed with its key: shown in every output format. */
  readonly warnings: readonly string[];
  /** The project's name (tag `campaignctl_project`); filled by the engine. */
  readonly project?: string;
  /** Where the plan applies: the API and whether its key is a test or a live one. */
  readonly target?: { readonly apiUrl: string; readonly mode: "test" | "live" };
}

export interface PlanInputs {
  readonly desired: readonly DesiredCampaign[];
  readonly state: StateFile;
  readonly observed: ObservedWorld;
  /** Default "project": recorded campaigns without a manifest are planned as removed. */
  readonly scope?: PlanScope;
  /** ISO time "now", from the edge. */
  readonly now: string;
  /** Previously applied HTML artwork by sha256 (for text diffs); missing entries just skip the diff. */
  readonly previousHtml?: ReadonlyMap<string, string>;
  /** Unified diff producer (the `diff` package), injected so plan/ stays free of I/O libraries. */
  readonly diffText?: (field: string, before: string, after: string) => string;
  /** The project's name (tag `campaignctl_project`), for messages. Default `default`. */
  readonly project?: string;
  /** How long a create whose outcome is unknown may still land in Lob, in ms. Default 2 minutes. */
  readonly settleMs?: number;
  /** Keys destroyed earlier that the user asked to create again (`apply --recreate KEY`). */
  readonly recreate?: readonly string[];
  /** `budget.max_cost_per_run` (USD): sends whose estimates total more are all blocked. */
  readonly budget?: { readonly maxCostPerRun?: number };
}

export type { CampaignRecord, Creative, Upload };
