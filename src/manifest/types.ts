import type { AudienceMapping } from "../audience/types.js";
import type { CampaignWritable, InlineAddress, Metadata, ResourceType } from "../lob/wire.js";

/** Campaign fields as written in the manifest: Lob's own names (snake_case). */
export type CampaignSpec = Omit<CampaignWritable, "metadata"> & { readonly metadata?: Metadata };

export type ArtworkField = "front" | "back" | "file" | "inside" | "outside";

/** Which artwork fields each resource type takes, in Lob's order. */
export const ARTWORK_FIELDS: Readonly<Record<ResourceType, readonly ArtworkField[]>> = {
  postcard: ["front", "back"],
  letter: ["file"],
  self_mailer: ["inside", "outside"],
};

/** An artwork value, resolved: a template id, a remote URL, or a local file (absolute path). */
export type Artwork =
  | { readonly kind: "template"; readonly value: string }
  | { readonly kind: "url"; readonly value: string }
  | {
      readonly kind: "file";
      /** As written in the manifest (relative to it). */
      readonly value: string;
      readonly path: string;
      readonly mediaType: "html" | "pdf" | "png" | "jpg";
    };

export interface CreativeSpec {
  readonly resource_type: ResourceType;
  readonly artwork: Readonly<Partial<Record<ArtworkField, Artwork>>>;
  readonly details: Readonly<Record<string, unknown>>;
  readonly from?: string | InlineAddress;
  readonly description?: string | null;
  readonly metadata?: Metadata;
  /** Letters with a local PDF: its page count (for the envelope rules and cost estimates). */
  readonly pages?: number;
}

export interface AudienceSpec extends AudienceMapping {
  /** As written in the manifest. */
  readonly fileAsWritten: string;
  /** Absolute path. */
  readonly file: string;
}

export interface SendSpec {
  readonly enabled: boolean;
  /** A send is refused when more rows than this would be mailed. */
  readonly max_pieces?: number;
  /** USD: a send is refused when its cost estimate is higher. */
  readonly max_cost?: number;
}

/** A position in a manifest file, for pointing at a document or field. */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** One campaign document after loading, `${env:…}` substitution and path resolution. */
export interface CampaignManifest {
  readonly key: string;
  readonly source: SourceRef;
  readonly campaign: CampaignSpec;
  readonly creative: CreativeSpec;
  readonly audience: AudienceSpec;
  readonly send: SendSpec;
}
