/**
 * One channel out and one question in, in the manner of aws-cdk toolkit-lib's IIoHost. Whoever
 * runs the engine (the CLI, a test, a library user) decides how messages look and how questions
 * are answered; the engine never writes to a terminal or reads from one.
 */

/** Something the engine says. `code` is stable: programs and tests match on it, never on text. */
export interface IoMessage {
  readonly code: string;
}

/**
 * Something the engine asks. `defaultResponse` is what a run without a person answers (CI):
 * `--auto-approve` means "take the default", and a host that cannot ask either takes it or refuses.
 */
export interface IoRequest<T> {
  readonly code: string;
  readonly message: string;
  readonly defaultResponse: T;
}

export interface IoHost<M extends IoMessage = IoMessage, Q extends IoRequest<unknown> = IoRequest<unknown>> {
  notify(message: M): void;
  requestResponse<R extends Q>(request: R): Promise<R["defaultResponse"]>;
}

/** A host that passes messages to `notify` and answers every question with its default. */
export function defaultsIoHost<M extends IoMessage, Q extends IoRequest<unknown>>(
  notify: (message: M) => void = () => undefined,
): IoHost<M, Q> {
  return {
    notify,
    requestResponse: async (request) => request.defaultResponse,
  };
}
