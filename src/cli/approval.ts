import { createInterface } from "node:readline";
import { CampaignctlError } from "../core/errors.js";
import type { Plan } from "../plan/types.js";
import { makeStyle } from "../render/style.js";
import type { CliContext } from "./context.js";
import { formatCount } from "../core/en-us.js";

/**
 * Terraform's contract: on a terminal, list the changes and accept only "yes"; without a
 * terminal, never wait for input — refuse unless --auto-approve was given.
 */
export async function approve(
  ctx: CliContext,
  plan: Plan,
  flags: { autoApprove: boolean; allowSend: boolean },
): Promise<void> {
  if (flags.autoApprove) return;
  if (!ctx.interactive) {
    throw new CampaignctlError({
      code: "APPROVAL_REQUIRED",
      message: `${plan.operation} needs approval, and there is no terminal to ask on`,
      hint: "review the plan above, then run again with --auto-approve (sends also need --allow-send)",
    });
  }
  const style = makeStyle(ctx.color);
  const s = plan.summary;
  const lines = [""];
  if (s.send > 0 && flags.allowSend) {
    lines.push(
      style.red(
        style.bold(
          `This will SEND ${s.send} campaign(s): ${formatCount(s.sendPieces)} pieces. Sending is irreversible and costs money.`,
        ),
      ),
    );
  } else if (s.send > 0) {
    lines.push(style.yellow(`${s.send} send(s) will be SKIPPED: --allow-send was not given.`));
  }
  if (s.cancel > 0) lines.push(style.red(style.bold(`This will CANCEL ${s.cancel} sent campaign(s).`)));
  lines.push(`Do you want to perform these actions? Only 'yes' will be accepted.`, "");
  ctx.stderr.write(lines.join("\n"));
  ctx.stderr.write("  Enter a value: ");
  const answer = await readLine(ctx);
  if (answer.trim() !== "yes") {
    throw new CampaignctlError({
      code: "APPROVAL_DECLINED",
      message: `${plan.operation} cancelled: nothing was changed`,
    });
  }
}

function readLine(ctx: CliContext): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: ctx.stdin, terminal: false });
    rl.once("line", (line) => {
      // Resolve first: close() emits "close" synchronously, which would resolve with "".
      resolve(line);
      rl.close();
    });
    rl.once("close", () => resolve(""));
  });
}
