import type { Project } from "../project/types.js";
import type { CliContext } from "./context.js";

/** The project a command's paths belong to (src/project/), loaded only by commands that need it. */
export async function projectFor(paths: readonly string[], ctx: CliContext): Promise<Project> {
  const { resolveProject } = await import("../project/load.js");
  return resolveProject({ paths, cwd: ctx.cwd, env: ctx.env });
}
