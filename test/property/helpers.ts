import fc from "fast-check";
import { isCampaignctlError } from "../../src/core/errors.js";

/** Fixed, so a failure reproduces; fast-check prints the seed and path of any counterexample. */
export const SEED = 20261130;

/** Fails instead of hanging: the property tests' stand-in for the corpus's 10 s limit. */
export async function withinMs<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish within ${ms} ms (a hang)`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What the CLI would report as exit 3: anything thrown that is not a CampaignctlError. */
export function assertNoInternalError(error: unknown): void {
  if (!isCampaignctlError(error)) throw error;
}

export type Mutation =
  | { readonly op: "insert"; readonly at: number; readonly text: string }
  | { readonly op: "delete"; readonly at: number; readonly length: number }
  | { readonly op: "replace"; readonly at: number; readonly text: string };

/** Applies mutations to bytes (positions taken modulo the current length). */
export function mutate(bytes: Buffer, mutations: readonly Mutation[]): Buffer {
  let out = bytes;
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % (out.length + 1);
    if (m.op === "insert")
      out = Buffer.concat([out.subarray(0, at), Buffer.from(m.text, "latin1"), out.subarray(at)]);
    else if (m.op === "delete") out = Buffer.concat([out.subarray(0, at), out.subarray(at + m.length)]);
    else
      out = Buffer.concat([
        out.subarray(0, at),
        Buffer.from(m.text, "latin1"),
        out.subarray(at + m.text.length),
      ]);
  }
  return out;
}

/** Mutations built from `tokens` (text meaningful to the format) and single random bytes. */
export function mutations(tokens: readonly string[]): fc.Arbitrary<Mutation[]> {
  const text = fc.oneof(
    fc.constantFrom(...tokens),
    fc.integer({ min: 0, max: 255 }).map((b) => String.fromCharCode(b)),
  );
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ op: fc.constant("insert" as const), at: fc.nat(), text }),
    fc.record({ op: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ op: fc.constant("replace" as const), at: fc.nat(), text }),
  );
  return fc.array(mutation, { minLength: 1, maxLength: 4 });
}
