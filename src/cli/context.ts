import type { Writable } from "node:stream";

/** Everything a command may touch from the outside world, passed in so tests can fake it. */
export interface CliContext {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Results go here (plans, JSON, reports). */
  readonly stdout: Writable;
  /** Human chatter goes here (progress, warnings, prompts). */
  readonly stderr: Writable;
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  /** True when both stdin and stderr are terminals: only then may we prompt. */
  readonly interactive: boolean;
  /** Colour allowed on stderr/stdout (TTY and no NO_COLOR). */
  readonly color: boolean;
}

/** Process exit codes. 2 is used only by `plan --detailed-exitcode` ("changes present"). */
export const EXIT = { ok: 0, error: 1, changes: 2, internal: 3 } as const;

export interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly multiple?: boolean;
  readonly default?: string | boolean;
  /** One line for `help COMMAND`; name the value in ALLCAPS, e.g. "--format FORMAT". */
  readonly description: string;
  readonly valueName?: string;
}

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  /** e.g. "campaignctl validate [PATH...] [--format text|json|github]" */
  readonly usage: string;
  /** Longer text shown by `help COMMAND` after the usage. */
  readonly details?: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly allowPositionals: boolean;
  run(
    args: {
      readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
      readonly positionals: readonly string[];
    },
    ctx: CliContext,
  ): Promise<number>;
}

/**
 * Writes a long document piece by piece (each piece whole lines, so the redacting stream never
 * sees a key split in two), waiting whenever the stream is full: a 1,000-campaign plan is never
 * held whole, neither as one string nor in a pipe's queue.
 */
export async function writeChunks(stream: Writable, chunks: Iterable<string>): Promise<void> {
  for (const chunk of chunks) {
    if (!stream.write(chunk)) await drainedOrClosed(stream);
  }
}

/** Resolves on 'drain', or once the stream can take nothing more: a closed reader never hangs us. */
function drainedOrClosed(stream: Writable): Promise<void> {
  if (stream.destroyed || stream.writableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
  });
}
