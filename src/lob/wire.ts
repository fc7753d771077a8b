/**
 * Lob Campaigns API wire types, exactly as they travel (Lob's API reference and OpenAPI document).
 * Campaigns and creatives are snake_case; uploads, exports and reports are camelCase at the top
 * level with snake_case mapping keys inside. Shared by the client (src/lob) and the emulator.
 */

export type LobMode = "test" | "live";
export type ScheduleType = "immediate";
export type UseType = "marketing" | "operational";
export type PrintSpeed = "core";
export type ResourceType = "postcard" | "letter" | "self_mailer";

export type Metadata = Readonly<Record<string, string>>;

export interface CampaignWritable {
  readonly name: string;
  readonly schedule_type: ScheduleType;
  readonly use_type?: UseType | null;
  readonly description?: string | null;
  readonly billing_group_id?: string | null;
  readonly target_delivery_date?: string | null;
  readonly send_date?: string | null;
  readonly cancel_window_campaign_minutes?: number | null;
  readonly metadata?: Metadata;
  readonly auto_cancel_if_ncoa?: boolean;
  readonly print_speed?: PrintSpeed | null;
}

/** PATCH /campaigns/{id}. `billing_group_id` and `print_speed` are create-only. */
export interface CampaignUpdatable {
  readonly name?: string;
  readonly description?: string | null;
  readonly schedule_type?: ScheduleType;
  readonly target_delivery_date?: string;
  readonly send_date?: string;
  readonly cancel_window_campaign_minutes?: number;
  readonly metadata?: Metadata;
  readonly is_draft?: false;
  readonly use_type?: UseType | null;
  readonly auto_cancel_if_ncoa?: boolean;
}

export interface Campaign {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly schedule_type: string;
  readonly use_type: UseType | null;
  readonly is_draft: boolean;
  readonly creatives: readonly Creative[];
  readonly uploads: readonly Upload[];
  readonly auto_cancel_if_ncoa: boolean;
  readonly billing_group_id?: string | null;
  readonly send_date?: string | null;
  readonly target_delivery_date?: string | null;
  readonly cancel_window_campaign_minutes?: number | null;
  readonly metadata?: Metadata;
  readonly print_speed?: PrintSpeed | null;
  readonly deleted?: boolean;
  readonly date_created: string;
  readonly date_modified: string;
  readonly object: "campaign";
}

export interface CampaignList {
  readonly data: readonly Campaign[];
  readonly object: "list";
  readonly next_url: string | null;
  readonly previous_url: string | null;
  readonly count: number;
  readonly total_count?: number;
}

export interface CampaignDeleted {
  readonly id: string;
  readonly deleted: true;
}

export interface InlineAddress {
  readonly name?: string;
  readonly company?: string;
  readonly address_line1: string;
  readonly address_line2?: string | null;
  readonly address_city: string;
  readonly address_state: string;
  readonly address_zip: string;
  readonly address_country?: "US";
  readonly phone?: string;
  readonly email?: string;
  readonly description?: string;
  readonly metadata?: Metadata;
}

/** An artwork value on the wire: a `tmpl_` id, an https URL, or (multipart) an uploaded file. */
export type ArtworkValue = string;

export interface CreativeWritable {
  readonly campaign_id: string;
  readonly resource_type: ResourceType;
  readonly front?: ArtworkValue;
  readonly back?: ArtworkValue;
  readonly file?: ArtworkValue;
  readonly inside?: ArtworkValue;
  readonly outside?: ArtworkValue;
  readonly details: Readonly<Record<string, unknown>>;
  readonly from?: string | InlineAddress;
  readonly description?: string | null;
  readonly metadata?: Metadata;
}

/** PATCH /creatives/{id}: only these three are updatable. */
export interface CreativeUpdatable {
  readonly from?: string | InlineAddress;
  readonly description?: string | null;
  readonly metadata?: Metadata;
}

export interface Creative {
  readonly id: string;
  readonly description: string | null;
  readonly from: string | InlineAddress | null;
  readonly resource_type: ResourceType;
  readonly details: Readonly<Record<string, unknown>>;
  readonly metadata: Metadata;
  readonly template_preview_urls: Readonly<Record<string, string>>;
  readonly template_previews: readonly unknown[];
  readonly campaigns: readonly unknown[];
  readonly date_created: string;
  readonly date_modified: string;
  readonly object: "creative";
  readonly deleted: boolean;
}

export interface RequiredAddressColumnMapping {
  readonly name: string | null;
  readonly address_line1: string | null;
  readonly address_city: string | null;
  readonly address_state: string | null;
  readonly address_zip: string | null;
}

export interface OptionalAddressColumnMapping {
  readonly address_line2: string | null;
  readonly company: string | null;
  readonly address_country: string | null;
}

export type MergeVariableColumnMapping = Readonly<Record<string, string>> | null;

export interface UploadMetadata {
  readonly columns: readonly string[];
}

export interface UploadWritable {
  readonly campaignId: string;
  readonly requiredAddressColumnMapping?: RequiredAddressColumnMapping;
  readonly optionalAddressColumnMapping?: OptionalAddressColumnMapping;
  readonly metadata?: UploadMetadata;
  readonly mergeVariableColumnMapping?: MergeVariableColumnMapping;
}

export interface UploadUpdatable {
  readonly originalFilename?: string;
  readonly requiredAddressColumnMapping?: RequiredAddressColumnMapping;
  readonly optionalAddressColumnMapping?: OptionalAddressColumnMapping;
  readonly metadata?: UploadMetadata;
  readonly mergeVariableColumnMapping?: MergeVariableColumnMapping;
}

export type UploadState =
  "Preprocessing" | "Draft" | "Ready for Validation" | "Validating" | "Scheduled" | "Cancelled" | "Errored";

export interface Upload {
  readonly id: string;
  readonly accountId: string;
  readonly campaignId: string;
  readonly requiredAddressColumnMapping: RequiredAddressColumnMapping;
  readonly optionalAddressColumnMapping: OptionalAddressColumnMapping;
  readonly mergeVariableColumnMapping: MergeVariableColumnMapping;
  readonly metadata: UploadMetadata;
  readonly mode: LobMode;
  readonly state: UploadState;
  readonly totalMailpieces: number;
  readonly failedMailpieces: number;
  readonly validatedMailpieces: number;
  readonly bytesProcessed: number;
  readonly dateCreated: string;
  readonly dateModified: string;
  readonly failuresUrl?: string;
  readonly originalFilename?: string;
}

export interface UploadFileAccepted {
  readonly message: "File uploaded successfully";
  readonly filename: string;
}

export type ExportType = "all" | "failures" | "successes";
export type ExportState = "in_progress" | "failed" | "succeeded";

export interface ExportCreated {
  /**
   * With the period: every SDK Lob generates expects exactly this value, and the PHP one rejects
   * anything else, although the OpenAPI enum lacks the period.
   */
  readonly message: "Export is processing.";
  readonly exportId: string;
}

export interface Export {
  readonly id: string;
  readonly dateCreated: string;
  readonly dateModified: string;
  readonly deleted: boolean;
  readonly s3Url: string | null;
  readonly state: ExportState;
  readonly type: ExportType;
  readonly uploadId: string;
}

export type ReportRowStatus = "Validated" | "Failed" | "Processing";

export interface ReportRow {
  readonly rowNumber: number;
  readonly status: ReportRowStatus;
  readonly errorMessage: string | null;
  readonly mailpieceId: string | null;
  readonly originalData: Readonly<Record<string, string>>;
}

export interface Report {
  readonly data: readonly ReportRow[];
  readonly next_url: string | null;
  readonly prev_url: string | null;
  readonly count: number;
  readonly total_count: number;
  readonly offset?: number;
}

/** Error shape A: Lob's envelope (campaigns, creatives, upload 404s, auth, rate limit). */
export interface LobErrorEnvelope {
  readonly error: { readonly message: string; readonly status_code: number; readonly code: string };
}

/** Error shape B: upload validation 422 (FastAPI/pydantic style). */
export interface UploadValidationError {
  readonly detail: ReadonlyArray<{
    readonly loc: ReadonlyArray<string | number>;
    readonly msg: string;
    readonly type: string;
  }>;
}

/** Error shape C: export create 4xx. */
export interface ExportError {
  readonly code: number;
  readonly message: string;
  readonly errors: readonly string[];
}

/** The prefix of each kind of Lob id: `cmp_…`, `crv_…`, and so on. */
/** POST /resource_proofs (JSON): a rendering of one mail piece by Lob's own renderer. */
export interface ResourceProofWritable {
  readonly resource_type: ResourceType;
  /** The mail piece's create parameters: `to`, the artwork fields, `merge_variables`, … */
  readonly resource_parameters: Readonly<Record<string, unknown>>;
  readonly template_id?: string | null;
}

export type ResourceProofStatus = "processing" | "completed" | "failed";

export interface ResourceProof {
  readonly id: string;
  readonly object: "resource_proof";
  readonly resource_type: ResourceType;
  readonly status: ResourceProofStatus;
  readonly template_id?: string | null;
  /** The proof PDF, once completed. */
  readonly url?: string | null;
  readonly thumbnails: readonly {
    readonly small?: string;
    readonly medium?: string;
    readonly large?: string;
  }[];
  readonly errors: readonly { readonly code: string; readonly message: string }[];
  readonly date_created: string;
  readonly date_modified: string;
}

export const ID_PREFIX = {
  campaign: "cmp",
  creative: "crv",
  upload: "upl",
  export: "ex",
  billingGroup: "bg",
  template: "tmpl",
  address: "adr",
  resourceProof: "res_prf",
} as const;

export type IdKind = keyof typeof ID_PREFIX;

/** A well-formed id of one kind (prefix, underscore, letters and digits), as Lob's schemas state it. */
export const ID_PATTERN: Readonly<Record<IdKind, RegExp>> = Object.fromEntries(
  Object.entries(ID_PREFIX).map(([kind, prefix]) => [kind, new RegExp(`^${prefix}_[a-zA-Z0-9]+$`)]),
) as Record<IdKind, RegExp>;

/** Upload states after which nothing more happens to the upload: polling for it may stop. */
export const TERMINAL_UPLOAD_STATES: readonly UploadState[] = ["Scheduled", "Errored", "Cancelled"];

export function isTerminalUploadState(state: UploadState): boolean {
  return TERMINAL_UPLOAD_STATES.includes(state);
}

/*
 * The port between the emulator's POST /v1/resource_proofs and what renders it (src/proof/, loaded
 * by the sandbox): declared here, with the wire facts both may import, so it is declared once.
 */

/** What a resource proof asks to render: Lob's resource type and its create parameters. */
export interface ResourceProofRequest {
  readonly resourceType: "postcard" | "letter" | "self_mailer";
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** The rendered proof: a PDF, and one PNG per side or page (the thumbnails). */
export interface ResourceProofRendering {
  readonly pdf: Uint8Array;
  readonly images: readonly Uint8Array[];
}

export interface ResourceProofRenderer {
  render(request: ResourceProofRequest): Promise<ResourceProofRendering>;
  /** Releases what rendering holds (a browser); called when the emulator closes. */
  close?(): Promise<void>;
}
