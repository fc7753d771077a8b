import type { EngineEvent, EngineIo, Reporter } from "../engine/events.js";
import type { Plan } from "../plan/types.js";
import { approve } from "./approval.js";
import type { CliContext } from "./context.js";

export interface CliIoOptions {
  /** Where the engine's progress events go (stderr lines, possibly through an apply tally). */
  readonly reporter: Reporter;
  /** Shows the plan apply or destroy is about to act on. */
  readonly showPlan?: (plan: Plan) => void;
  /** `--auto-approve`: take every question's default answer without asking. */
  readonly autoApprove?: boolean;
}

/**
 * The CLI's I/O host: events to stderr (through `reporter`), the plan to `showPlan`, approval on
 * a terminal ("yes" only) or refused without one unless --auto-approve takes the default.
 * CAMPAIGNCTL_TEST_CRASH_AT=<point> SIGKILLs the process at that checkpoint (crash-safety tests).
 */
export function cliIoHost(ctx: CliContext, options: CliIoOptions): EngineIo {
  const crashAt = ctx.env.CAMPAIGNCTL_TEST_CRASH_AT;
  return {
    notify(event: EngineEvent) {
      if (event.type === "checkpoint") {
        if (crashAt && event.point === crashAt) process.kill(process.pid, "SIGKILL");
        return;
      }
      if (event.type === "plan") {
        options.showPlan?.(event.plan);
        return;
      }
      options.reporter(event);
    },
    async requestResponse(question) {
      const autoApprove = options.autoApprove === true;
      await approve(ctx, question.plan, { autoApprove, allowSend: question.allowSend });
      return question.defaultResponse;
    },
  };
}
