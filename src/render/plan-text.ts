import { formatUnitPrice, formatUsd } from "../plan/money.js";
import type {
  CampaignPlan,
  CostEstimate,
  FieldChange,
  Plan,
  PlanCost,
  PlannedAction,
} from "../plan/types.js";
import type { Style } from "./style.js";
import { makeStyle } from "./style.js";
import { formatSpan } from "./time-left.js";
import { formatCount } from "../core/en-us.js";

/** What a campaign's headline means, as the end of a sentence (text and markdown plans). */
export const HEADLINE_TEXT: Record<CampaignPlan["headline"], string> = {
  create: "will be created",
  update: "will be updated in place",
  replace: "must be replaced",
  delete: "will be deleted",
  cancel: "will be CANCELLED",
  blocked: "has changes that cannot be made",
  noop: "is up to date",
  wait: "is waiting for an earlier create to settle",
};

/** The human plan, Terraform-style: one block per campaign, then the summary line. */
export function renderPlanText(plan: Plan, options: { color?: boolean; verbose?: boolean } = {}): string {
  return [...planTextChunks(plan, options)].join("");
}

/**
 * The plan text in pieces (the heading, then a block per campaign, then the summary), each made
 * of whole lines: the commands write them one by one, so a plan of 1,000 campaigns is never one
 * 2 MB string (then its redacted copy, then its encoded copy) in memory (issue 11, 150 MB budget).
 */
export function* planTextChunks(
  plan: Plan,
  options: { color?: boolean; verbose?: boolean } = {},
): Generator<string, void, undefined> {
  const style = makeStyle(options.color ?? false);
  const changing = plan.campaigns.filter((c) => c.actions.length > 0 || options.verbose);
  if (changing.length === 0) {
    yield `${style.green("No changes. Lob matches the manifests.")}\n\n`;
  } else {
    yield `${plan.operation === "destroy" ? "campaignctl will destroy:" : "campaignctl will perform the following actions:"}\n\n`;
  }
  for (const campaign of changing) {
    yield `${renderCampaign(campaign, style).join("\n")}\n\n`;
  }
  const lines: string[] = [];
  lines.push(...cancelWindowLines(plan, style));
  for (const warning of plan.warnings ?? []) lines.push(style.yellow(`Warning: ${warning}`));
  if ((plan.warnings ?? []).length > 0) lines.push("");
  if (plan.operation === "apply") lines.push(style.dim(scopeLine(plan)));
  lines.push(summaryLine(plan, style));
  yield `${lines.join("\n")}\n`;
}

/** Destroy: what can still be cancelled and until when, then what is too late (Lob's clock). */
function cancelWindowLines(plan: Plan, style: Style): string[] {
  const windows = plan.cancelWindows ?? [];
  if (windows.length === 0) return [];
  const open = windows.filter((w) => w.open);
  const closed = windows.filter((w) => !w.open);
  const lines: string[] = [];
  if (open.length > 0) {
    lines.push("Can still be cancelled (Lob's clock):");
    for (const w of open) {
      const left = w.windowKnown
        ? `${formatSpan(w.secondsLeft * 1000)} left`
        : "the account's default window applies; Lob decides";
      lines.push(`  ${w.key} ${style.dim(w.campaignId)} until ${style.bold(w.deadline)} (${left})`);
    }
  }
  if (closed.length > 0) {
    lines.push("Too late to cancel:");
    for (const w of closed) {
      lines.push(`  ${w.key} ${style.dim(w.campaignId)} window closed at ${w.deadline}`);
    }
  }
  return [...lines, ""];
}

function renderCampaign(campaign: CampaignPlan, style: Style): string[] {
  const id = campaign.campaignId ? ` ${style.dim(campaign.campaignId)}` : "";
  const headline = HEADLINE_TEXT[campaign.headline];
  const out = [`  ${style.bold(`# ${campaign.key}`)}${id} ${style.dim(`(${campaign.source})`)} ${headline}`];
  for (const action of campaign.actions) out.push(...renderAction(action, style));
  for (const [field, patch] of Object.entries(campaign.artworkDiffs)) {
    out.push(`      ${style.dim(`artwork ${field} (HTML diff):`)}`);
    for (const line of patch.split("\n")) {
      if (line.startsWith("+") && !line.startsWith("+++")) out.push(`        ${style.green(line)}`);
      else if (line.startsWith("-") && !line.startsWith("---")) out.push(`        ${style.red(line)}`);
      else if (line.length > 0) out.push(`        ${style.dim(line)}`);
    }
  }
  for (const note of campaign.notes) out.push(`    ${style.dim(`note: ${note.text}`)}`);
  return out;
}

function renderAction(action: PlannedAction, style: Style): string[] {
  switch (action.kind) {
    case "create":
      return [
        `    ${style.green("+")} create ${action.resource} ${style.dim(`(${action.reason})`)}`,
        ...changes(action.changes, style, true),
      ];
    case "update":
      return [
        `    ${style.yellow("~")} update ${action.resource} ${action.id}${action.drift ? style.yellow(" [drift]") : ""} ${style.dim(`(${action.reason})`)}`,
        ...changes(action.changes, style, false),
      ];
    case "replace":
      return [
        `    ${style.red("-/+")} replace ${action.resource} ${action.id} ${style.dim(`(${action.reason})`)}`,
        ...changes(action.changes, style, false),
      ];
    case "adopt":
      return [
        `    ${style.cyan("=")} adopt ${action.resource} ${action.id} ${style.dim(`(${action.reason})`)}`,
      ];
    case "upload_file":
      return [
        `    ${style.green("+")} upload audience ${action.file} ${style.dim(`(${formatCount(action.rows)} rows, sha256 ${action.sha256.slice(0, 12)}…; ${action.reason})`)}`,
      ];
    case "send":
      return [
        `    ${style.red(style.bold("! SEND"))} ${style.bold(`${formatCount(action.pieces)} pieces`)} of ${formatCount(action.totalRows)} rows ${style.red("— irreversible, costs money")}`,
        ...(action.cost ? [`        ${costLine(action.cost)}`] : []),
        `        cancellable for ${action.cancelWindowMinutes} minutes after the send (until ${action.cancelDeadlineIfSentNow} if sent now)`,
      ];
    case "delete":
      return [
        `    ${style.red("-")} delete ${action.resource} ${action.id} ${style.dim(`(${action.reason})`)}`,
      ];
    case "cancel":
      return [
        `    ${style.red(style.bold("! CANCEL"))} campaign ${action.id} ${style.dim(`(${action.reason})`)}`,
      ];
    case "blocked":
      return [
        `    ${style.red("x")} ${action.reason}`,
        ...changes(action.changes, style, false),
        `        ${style.dim(`hint: ${action.hint}`)}`,
      ];
    case "record_send":
      return [
        `    ${style.cyan("=")} record send of ${action.id} at ${action.sentAt} ${style.dim(`(${action.reason})`)}`,
      ];
    case "forget":
      return [`    ${style.dim("-")} forget state record ${style.dim(`(${action.reason})`)}`];
    case "wait":
      return [`    ${style.yellow("…")} wait until ${action.until} ${style.dim(`(${action.reason})`)}`];
  }
}

/** `estimated cost: 1,000 × $0.909 = $909.00 (estimate: developer prices as of 2026-11; postcard 4x6, usps_first_class)` */
export function costLine(cost: CostEstimate): string {
  const label = `estimate: ${cost.tier} prices as of ${cost.asOf}; ${cost.basis}`;
  if (cost.unitPrice === null || cost.amount === null) {
    return `estimated cost: unknown (${cost.unknownReason ?? "no price"}) (${label})`;
  }
  return `estimated cost: ${formatCount(cost.pieces)} × ${formatUnitPrice(cost.unitPrice)} = ${formatUsd(cost.amount)} (${label})`;
}

/** The summary's money part: `; estimated $909.00, prices as of 2026-11`. */
function summaryCost(cost: PlanCost | undefined): string {
  if (!cost) return "";
  const total = cost.partial
    ? `at least ${formatUsd(cost.total)} (some costs unknown)`
    : formatUsd(cost.total);
  return `; estimated ${total}, prices as of ${cost.asOf}`;
}

function changes(list: readonly FieldChange[], style: Style, creating: boolean): string[] {
  return list.map((change) => {
    const drift = change.drift ? style.yellow("  (changed outside campaignctl)") : "";
    if (creating) return `        ${change.path}: ${formatValue(change.after)}`;
    return `        ${change.path}: ${style.red(formatValue(change.before))} → ${style.green(formatValue(change.after))}${drift}`;
  });
}

export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return "(none)";
  if (typeof value === "string") return JSON.stringify(value);
  return JSON.stringify(value);
}

/** Says whether a run may delete drafts whose manifest is gone (whole project) or not (paths). */
export function scopeLine(plan: Pick<Plan, "scope">): string {
  return plan.scope === "paths"
    ? "Scope: only the campaigns of the given paths; nothing else is changed or deleted."
    : "Scope: the whole project; a draft whose manifest was removed is deleted.";
}

export function summaryLine(plan: Plan, style: Style = makeStyle(false)): string {
  const s = plan.summary;
  if (plan.operation === "destroy") {
    return `Plan: ${s.delete} to delete, ${s.cancel} to CANCEL, ${s.blocked} refused.`;
  }
  const send =
    s.send > 0
      ? style.red(style.bold(`${s.send} to SEND (${formatCount(s.sendPieces)} pieces${summaryCost(s.cost)})`))
      : "0 to SEND";
  const blocked = s.blocked > 0 ? `, ${style.red(`${s.blocked} blocked`)}` : "";
  const waiting = (s.wait ?? 0) > 0 ? `, ${style.yellow(`${s.wait} waiting`)}` : "";
  return `Plan: ${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} to delete, ${send}${blocked}${waiting}.`;
}
