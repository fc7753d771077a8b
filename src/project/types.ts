/**
 * A campaignctl project: the folder a `campaignctl.yaml` sits in (or, without one, the git
 * repository or the folder of the first path). Everything that must not depend on the directory a
 * command runs from hangs off its root: the state, the caches, the sandbox and which files
 * manifests may read.
 */
export interface Project {
  /** Written on every campaign as the tag `campaignctl_project`; `default` without a project file. */
  readonly name: string;
  /** Absolute path of the project root. */
  readonly root: string;
  /** Absolute path of campaignctl.yaml, when there is one. */
  readonly file: string | undefined;
  /**
   * The project file's `manifests` globs (relative to the root), when it sets them: files they
   * match are always manifests. Undefined means the default: every YAML file under the root that
   * looks like a manifest.
   */
  readonly manifestGlobs: readonly string[] | undefined;
  /** The `state` setting after `${env:…}` substitution (a path relative to the root), if set. */
  readonly state: string | undefined;
  /** Absolute folders outside the root that manifests may read files from (`allow_paths`). */
  readonly allowPaths: readonly string[];
  /** `pricing`: which prices cost estimates use (absent: the shipped table's default tier). */
  readonly pricing?: ProjectPricing;
  /** `budget`: money limits for one run. */
  readonly budget?: ProjectBudget;
}

/** One `pricing.overrides` entry: a piece price (`product` …) or an adder (`adder` …). */
export interface PriceOverride {
  readonly tier?: string;
  readonly product?: "postcard" | "letter" | "self_mailer";
  readonly size?: string;
  readonly mail_type?: "usps_first_class" | "usps_standard";
  readonly color?: boolean;
  readonly adder?: "extra_page" | "extra_service";
  readonly service?: "certified" | "certified_return_receipt" | "registered";
  readonly price: number;
  /** `file:line:col` of the entry in campaignctl.yaml, for messages. */
  readonly at: string;
}

export interface ProjectPricing {
  readonly tier?: string;
  /** `file:line:col` of `pricing.tier`. */
  readonly tierAt?: string;
  /** Absolute path of the team's own price table (`pricing.table`). */
  readonly table?: string;
  /** `pricing.table` as written, for messages. */
  readonly tableAsWritten?: string;
  readonly overrides: readonly PriceOverride[];
}

export interface ProjectBudget {
  /** `budget.max_cost_per_run`, USD. */
  readonly maxCostPerRun?: number;
}

// One name each: the file name is shared with manifest discovery (which skips it), the default
// project name with the tags written on campaigns.
export { PROJECT_FILE_NAME } from "../manifest/discover.js";
export { DEFAULT_PROJECT as DEFAULT_PROJECT_NAME } from "../core/tags.js";
