import type { EngineEvent, EngineIo, Reporter } from "../engine/events.js";
import type { Plan } from "../plan/types.js";
import { approve } from "./approval.js";
import type { CliContext } from "./context.js";

export interface CliIoOptions {
  /** Where the engine's progress events go (stderr lines, possibly through an apply tally). */
  readonly reporter: Reporter;
  /**
   * Shows the plan apply or destroy is about to act on. It may return before all of it is written
   * (a long plan waits for a slow pipe): questions, and planWritten(), wait for it.
   */
  readonly showPlan?: (plan: Plan) => void | Promise<void>;
  /** `--auto-approve`: take every question's default answer without asking. */
  readonly autoApprove?: boolean;
}

/**
 * The CLI's I/O host: events to stderr (through `reporter`), the plan to `showPlan`, approval on
 * a terminal ("yes" only) or refused without one unless --auto-approve takes the default.
 * CAMPAIGNCTL_TEST_CRASH_AT=<point> SIGKILLs the process at that checkpoint (crash-safety tests).
 */
export interface CliIoHost extends EngineIo {
  /** Resolves once the plan shown (if any) is written out; the command awaits it before it ends. */
  planWritten(): Promise<void>;
}

export function cliIoHost(ctx: CliContext, options: CliIoOptions): CliIoHost {
  const crashAt = ctx.env.CAMPAIGNCTL_TEST_CRASH_AT;
  let planOutput: Promise<void> = Promise.resolve();
  return {
    planWritten: () => planOutput,
    notify(event: EngineEvent) {
      if (event.type === "checkpoint") {
        if (crashAt && event.point === crashAt) process.kill(process.pid, "SIGKILL");
        return;
      }
      if (event.type === "plan") {
        planOutput = Promise.resolve(options.showPlan?.(event.plan));
        // Awaited by the question and by the command; a failure is reported there, not as unhandled.
        planOutput.catch(() => undefined);
        return;
      }
      options.reporter(event);
    },
    async requestResponse(question) {
      // The whole plan is on screen (or in the log) before anyone is asked about it.
      await planOutput;
      const autoApprove = options.autoApprove === true;
      await approve(ctx, question.plan, { autoApprove, allowSend: question.allowSend });
      return question.defaultResponse;
    },
  };
}
