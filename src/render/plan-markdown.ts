import type { CampaignPlan, FieldChange, Plan, PlannedAction } from "../plan/types.js";
import { blockedItems } from "../plan/summary.js";
import { HEADLINE_TEXT, costLine, formatValue, summaryLine } from "./plan-text.js";
import { formatCount } from "../core/en-us.js";

/** GitHub refuses an issue or pull-request comment longer than this. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** Room left under the limit for what a poster adds around the plan (a sticky-comment marker). */
export const COMMENT_MARKER_ROOM = 500;

export interface PlanMarkdownOptions {
  /** Hard ceiling on the result's length (UTF-16 code units, never fewer than characters). */
  readonly maxChars?: number;
  /** Where the whole plan can be read when this one leaves things out. */
  readonly fullPlanHint?: string;
}

const DEFAULT_FULL_PLAN_HINT =
  "the full plan is in this run's job summary and in the saved plan artifact (`campaignctl show PLANFILE`)";

/** Lines of one HTML diff kept when diffs are trimmed, and characters of one line. */
const TRIMMED_DIFF_LINES = 40;
const TRIMMED_LINE_CHARS = 200;
/** A field change whose values are no longer than this (as JSON) stays in every size step. */
const SHORT_VALUE_CHARS = 120;

/**
 * Size steps, tried in order until the plan fits: GitHub refuses comments over 65,536
 * characters, and a 3,000-line HTML change alone is several times that.
 */
type Level = "full" | "trimmed" | "no-artwork" | "summary";
const LEVELS: readonly Level[] = ["full", "trimmed", "no-artwork", "summary"];

const HEADLINE: Record<CampaignPlan["headline"], string> = {
  create: "create",
  update: "update",
  replace: "replace",
  delete: "delete",
  cancel: "CANCEL",
  blocked: "blocked",
  noop: "no change",
  wait: "wait",
};

/**
 * The plan for reviewers (pull-request comments, job summaries): where it applies, a table per
 * campaign, callouts for what is irreversible or refused, row skips, then per-campaign diffs.
 *
 * Byte-identical across runs when nothing changed: it shows a send's cancel window as a length,
 * never the "deadline if sent now" (which moves with the clock), nor when the plan was made.
 */
export function renderPlanMarkdown(plan: Plan, options: PlanMarkdownOptions = {}): string {
  const maxChars = options.maxChars ?? GITHUB_COMMENT_LIMIT - COMMENT_MARKER_ROOM;
  const hint = options.fullPlanHint ?? DEFAULT_FULL_PLAN_HINT;
  let last = "";
  for (const level of LEVELS) {
    last = renderAtLevel(plan, level, hint);
    if (last.length <= maxChars) return last;
  }
  return truncateLines(last, maxChars, hint);
}

function renderAtLevel(plan: Plan, level: Level, hint: string): string {
  const changing = plan.campaigns.filter((c) => c.actions.length > 0);
  const sections = [
    header(plan),
    leftOutNotice(plan, level, hint),
    table(plan, changing),
    sendCallout(changing),
    blockedCallout(plan),
    cancelCallout(changing),
    skipsCallout(changing),
    warningsCallout(plan),
    level === "summary" ? shortChanges(changing) : details(changing, level),
  ];
  return `${sections.filter((s) => s.length > 0).join("\n\n")}\n`;
}

function header(plan: Plan): string {
  const title = `### campaignctl ${plan.operation} plan${plan.project ? `: ${inlineCode(plan.project)}` : ""}`;
  const lines = [title, "", `- **Target:** ${targetText(plan.target)}`];
  if (plan.operation === "apply") {
    lines.push(
      plan.scope === "paths"
        ? "- **Scope:** only the campaigns of the given paths; nothing else is changed or deleted"
        : "- **Scope:** the whole project; a draft whose manifest was removed is deleted",
    );
  }
  lines.push("", `**${escapeInline(summaryLine(plan))}**`);
  return lines.join("\n");
}

function targetText(target: Plan["target"]): string {
  if (!target) return "not recorded in this plan";
  const host = apiHost(target.apiUrl);
  return target.mode === "live"
    ? `**LIVE** (${host}): sends mail real pieces and cost money`
    : `test (${host}): nothing is printed or mailed`;
}

function apiHost(apiUrl: string): string {
  if (apiUrl === "sandbox") return "the embedded emulator, `--sandbox`";
  try {
    return inlineCode(new URL(apiUrl).host);
  } catch {
    return inlineCode(apiUrl);
  }
}

function leftOutNotice(plan: Plan, level: Level, hint: string): string {
  if (level === "full") return "";
  const diffs = plan.campaigns.reduce((n, c) => n + Object.keys(c.artworkDiffs).length, 0);
  const what =
    level === "trimmed"
      ? `each HTML diff is trimmed to its first ${TRIMMED_DIFF_LINES} lines (${diffs} diff${diffs === 1 ? "" : "s"})`
      : level === "no-artwork"
        ? `the artwork diffs are left out (${diffs} diff${diffs === 1 ? "" : "s"})`
        : "only a per-campaign summary is shown (action details, notes and artwork diffs are left out; short field changes are kept)";
  return `> [!NOTE]\n> This plan is too long for a pull-request comment, so ${what}.\n> ${capitalise(hint)}.`;
}

function table(plan: Plan, changing: readonly CampaignPlan[]): string {
  const unchanged = plan.campaigns.length - changing.length;
  const tail = unchanged > 0 ? `\n\n${unchanged} campaign${unchanged === 1 ? "" : "s"} unchanged.` : "";
  if (changing.length === 0) return `No changes. Lob matches the manifests.${tail}`;
  const withCost = changing.some((c) => c.actions.some((a) => a.kind === "send" && a.cost !== undefined));
  const head = withCost
    ? "| Campaign | Action | Pieces to mail | Cost (estimate) |\n| --- | --- | ---: | ---: |"
    : "| Campaign | Action | Pieces to mail |\n| --- | --- | ---: |";
  const rows = changing.map((campaign) => {
    const send = sendOf(campaign);
    const action = send ? `${HEADLINE[campaign.headline]} + **SEND**` : HEADLINE[campaign.headline];
    const pieces = send ? count(send.pieces) : "—";
    const cells = [inlineCode(campaign.key), action, pieces];
    if (withCost) cells.push(send?.cost ? costCell(send.cost.amount) : "—");
    return `| ${cells.join(" | ")} |`;
  });
  const cost = plan.summary.cost;
  if (withCost && cost) {
    const partial = cost.partial ? " (partial)" : "";
    rows.push(`| **Total** | | **${count(plan.summary.sendPieces)}** | **${money(cost.total)}**${partial} |`);
  }
  const sendCost = changing.flatMap((c) => {
    const s = sendOf(c);
    return s?.cost ? [s.cost] : [];
  })[0];
  const prices =
    withCost && sendCost ? `\n\nEstimated with the price table as of ${escapeInline(sendCost.asOf)}.` : "";
  return `${head}\n${rows.join("\n")}${prices}${tail}`;
}

function costCell(amount: number | null): string {
  return amount === null ? "unknown" : money(amount);
}

/** `$1,234.56`. */
export function money(amount: number): string {
  const [whole = "0", cents = "00"] = Math.abs(amount).toFixed(2).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${amount < 0 ? "-" : ""}$${grouped}.${cents}`;
}

function sendOf(campaign: CampaignPlan): Extract<PlannedAction, { kind: "send" }> | undefined {
  return campaign.actions.find((a): a is Extract<PlannedAction, { kind: "send" }> => a.kind === "send");
}

function sendCallout(changing: readonly CampaignPlan[]): string {
  const lines = changing.flatMap((campaign) => {
    const send = sendOf(campaign);
    if (!send) return [];
    const cost = send.cost?.amount != null ? `, estimated ${money(send.cost.amount)}` : "";
    return [
      `> - ${inlineCode(campaign.key)}: **${count(send.pieces)} pieces** of ${count(send.totalRows)} rows${cost}; cancellable for ${send.cancelWindowMinutes} minutes after the send`,
    ];
  });
  if (lines.length === 0) return "";
  return `> [!CAUTION]\n> **This plan SENDS mail** (irreversible, costs money):\n${lines.join("\n")}`;
}

function blockedCallout(plan: Plan): string {
  const lines = blockedItems(plan).map(
    ({ key, reason, hint }) =>
      `> - **${escapeInline(key)}**: ${escapeInline(reason)}. Hint: ${escapeInline(hint)}`,
  );
  if (lines.length === 0) return "";
  return `> [!CAUTION]\n> **${lines.length} blocked** (the plan fails until they are resolved):\n${lines.join("\n")}`;
}

function cancelCallout(changing: readonly CampaignPlan[]): string {
  const lines = changing.flatMap((campaign) =>
    campaign.actions.flatMap((a) =>
      a.kind === "cancel" ? [`> - ${inlineCode(campaign.key)}: campaign ${inlineCode(a.id)}`] : [],
    ),
  );
  if (lines.length === 0) return "";
  return `> [!WARNING]\n> **This plan CANCELS sent campaigns** (their pieces are not mailed):\n${lines.join("\n")}`;
}

function skipsCallout(changing: readonly CampaignPlan[]): string {
  const lines = changing.flatMap((campaign) =>
    (campaign.audienceSkips ?? []).map(
      (skip) =>
        `> - ${inlineCode(campaign.key)} (${inlineCode(skip.file)}): ${count(skip.count)} row${skip.count === 1 ? "" : "s"}: ${escapeInline(skip.rule)}`,
    ),
  );
  if (lines.length === 0) return "";
  return `> [!WARNING]\n> **Rows Lob will skip** (fix them in the CSV, or accept that they are not mailed):\n${lines.join("\n")}`;
}

function warningsCallout(plan: Plan): string {
  if (plan.warnings.length === 0) return "";
  return `> [!WARNING]\n${plan.warnings.map((w) => `> **Warning:** ${escapeInline(w)}`).join("\n>\n")}`;
}

function details(changing: readonly CampaignPlan[], level: Level): string {
  if (changing.length === 0) return "";
  return changing.map((campaign) => campaignDetails(campaign, level)).join("\n\n");
}

function campaignDetails(campaign: CampaignPlan, level: Level): string {
  const id = campaign.campaignId ? ` ${escapeHtml(campaign.campaignId)}` : "";
  const summary = `<code>${escapeHtml(campaign.key)}</code>${id} ${HEADLINE_TEXT[campaign.headline]} <sub>${escapeHtml(campaign.source)}</sub>`;
  const parts = [
    `<details><summary>${summary}</summary>`,
    fenced("diff", campaign.actions.flatMap(actionLines)),
  ];
  for (const [field, patch] of Object.entries(campaign.artworkDiffs)) {
    const lines = patchLines(patch);
    if (level === "no-artwork") {
      parts.push(
        `Artwork ${inlineCode(field)} changed (HTML diff of ${count(lines.length)} lines left out).`,
      );
      continue;
    }
    const kept = level === "trimmed" ? trimDiff(lines) : lines;
    parts.push(`Artwork ${inlineCode(field)} (HTML diff):`, fenced("diff", kept));
  }
  if (campaign.notes.length > 0) {
    parts.push(campaign.notes.map((n) => `- Note: ${escapeInline(n.text)}`).join("\n"));
  }
  parts.push("</details>");
  return parts.join("\n\n");
}

/** The hunks of a unified patch, without its file headers (the field names it already). */
function patchLines(patch: string): string[] {
  return patch
    .split("\n")
    .filter(
      (line) =>
        line.length > 0 &&
        !line.startsWith("Index:") &&
        !line.startsWith("===") &&
        !line.startsWith("--- ") &&
        !line.startsWith("+++ ") &&
        !line.startsWith("\\ No newline"),
    );
}

function trimDiff(lines: readonly string[]): string[] {
  const kept = lines
    .slice(0, TRIMMED_DIFF_LINES)
    .map((line) => (line.length > TRIMMED_LINE_CHARS ? `${line.slice(0, TRIMMED_LINE_CHARS)} …` : line));
  const left = lines.length - kept.length;
  if (left > 0) kept.push(`@@ … ${count(left)} more lines of this diff left out @@`);
  return kept;
}

/**
 * One line per action, then its field changes as `-`/`+` lines at column 0 so GitHub colours
 * them. Neutral lines start with a space or `@@`.
 */
function actionLines(action: PlannedAction): string[] {
  switch (action.kind) {
    case "create":
      return [
        `@@ create ${action.resource} (${action.reason}) @@`,
        ...action.changes.map((c) => `+ ${c.path}: ${formatValue(c.after)}`),
      ];
    case "update":
      return [
        `@@ update ${action.resource} ${action.id}${action.drift ? " [drift]" : ""} (${action.reason}) @@`,
        ...action.changes.flatMap(changeLines),
      ];
    case "replace":
      return [
        `@@ replace ${action.resource} ${action.id} (${action.reason}) @@`,
        ...action.changes.flatMap(changeLines),
      ];
    case "adopt":
      return [` adopt ${action.resource} ${action.id} (${action.reason})`];
    case "upload_file":
      return [`+ upload audience ${action.file} (${count(action.rows)} rows; ${action.reason})`];
    case "send":
      return [
        `! SEND ${count(action.pieces)} pieces of ${count(action.totalRows)} rows: irreversible, costs money`,
        ...(action.cost ? [`  ${costLine(action.cost)}`] : []),
        `  cancellable for ${action.cancelWindowMinutes} minutes after the send`,
      ];
    case "delete":
      return [`- delete ${action.resource} ${action.id} (${action.reason})`];
    case "cancel":
      return [`! CANCEL campaign ${action.id} (${action.reason})`];
    case "blocked":
      return [
        `! blocked: ${action.reason}`,
        ...action.changes.flatMap(changeLines),
        `  hint: ${action.hint}`,
      ];
    case "record_send":
      // Not `sentAt`: when Lob gives no send date it is the plan's clock, which moves every run.
      return [` record the send of ${action.id} found in Lob (${action.reason})`];
    case "forget":
      return [` forget the state record (${action.reason})`];
    case "wait":
      return [` wait until ${action.until} (${action.reason})`];
  }
}

function changeLines(change: FieldChange): string[] {
  const drift = change.drift ? "  (changed outside campaignctl)" : "";
  return [
    `- ${change.path}: ${formatValue(change.before)}${drift}`,
    `+ ${change.path}: ${formatValue(change.after)}`,
  ];
}

/**
 * The last size step: no details, but every change to a field with a short value (a name, a
 * window, a mapping column) stays, so a reviewer still sees it in the comment.
 */
function shortChanges(changing: readonly CampaignPlan[]): string {
  const lines: string[] = [];
  for (const campaign of changing) {
    const kept: string[] = [];
    let left = 0;
    for (const action of campaign.actions) {
      if (action.kind === "update" || action.kind === "replace" || action.kind === "blocked") {
        for (const change of action.changes) {
          if (isShort(change.before) && isShort(change.after)) kept.push(...changeLines(change));
          else left += 1;
        }
      } else if (action.kind === "create" && action.resource === "campaign") {
        for (const change of action.changes) {
          if (change.path === "name" && isShort(change.after))
            kept.push(`+ name: ${formatValue(change.after)}`);
        }
      }
    }
    if (kept.length === 0 && left === 0) continue;
    lines.push(`@@ ${campaign.key} ${HEADLINE_TEXT[campaign.headline]} @@`, ...kept);
    if (left > 0) lines.push(`  … ${left} longer change${left === 1 ? "" : "s"} left out`);
  }
  if (lines.length === 0) return "";
  return `Field changes:\n\n${fenced("diff", lines)}`;
}

function isShort(value: unknown): boolean {
  return formatValue(value).length <= SHORT_VALUE_CHARS;
}

/** A fence longer than any backtick run inside, so no line of the content can close it. */
function fenced(info: string, lines: readonly string[]): string {
  let longest = 2;
  for (const line of lines)
    for (const run of line.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = "`".repeat(longest + 1);
  return `${fence}${info}\n${lines.join("\n")}\n${fence}`;
}

/**
 * The emergency step, when even the summary is too long (thousands of campaigns): keep whole
 * lines from the top (target, notice, table) and say how many were left out.
 */
function truncateLines(text: string, maxChars: number, hint: string): string {
  const lines = text.split("\n");
  const footer = (left: number) =>
    `\n\n> [!NOTE]\n> ${count(left)} more lines of this plan are left out; ${hint}.\n`;
  let used = 0;
  let kept = 0;
  for (const line of lines) {
    if (used + line.length + 1 + footer(lines.length).length + 16 > maxChars) break;
    used += line.length + 1;
    kept += 1;
  }
  let head = lines.slice(0, kept).join("\n");
  // A cut inside a fence would swallow the footer: close it.
  const fences = head.match(/^`{3,}/gm) ?? [];
  if (fences.length % 2 === 1)
    head = `${head.slice(0, Math.max(0, head.lastIndexOf("\n")))}\n${fences.at(-1) ?? "```"}`;
  const result = `${head}${footer(lines.length - kept)}`;
  return result.length <= maxChars ? result : result.slice(0, maxChars);
}

function count(n: number): string {
  return formatCount(n);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function inlineCode(text: string): string {
  const safe = text.replace(/[\r\n]+/g, " ").replace(/\|/g, "\\|");
  return safe.includes("`") ? `<code>${escapeHtml(safe)}</code>` : `\`${safe}\``;
}

/** Text inside a table or callout: no HTML, no table breaks, one line. */
function escapeInline(text: string): string {
  return escapeHtml(text)
    .replace(/[\r\n]+/g, " ")
    .replace(/\|/g, "\\|");
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
