import {
  DefinitionError,
  DuckfeatError,
  InputError,
  NotFoundError,
  OnlineStoreUnavailableError,
} from '../errors.js';

/** An error answer: the status code and the `{ error }` body's message. */
export interface ErrorReply {
  readonly status: number;
  readonly message: string;
}

/** A request the server refuses with a status of its own (401, 404, 503 without a model). */
export class HttpError extends DuckfeatError {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  validation?: unknown;
  validationContext?: string;
  message: string;
}

/**
 * What to answer for an error thrown while serving `what` (`get online features`, …):
 * bad input (malformed JSON, schema violations, unknown names, wrong key types, an oversized
 * body) → 400; the online store unreachable → 503; anything else → 500 without details (the
 * server logs them: an unexpected error's text is not known to be safe to show). Messages read `Failed to <what>: <reason>`.
 */
export function errorReply(error: unknown, what: string): ErrorReply {
  if (error instanceof HttpError) return { status: error.status, message: error.message };
  if (error instanceof OnlineStoreUnavailableError) {
    return { status: 503, message: prefix(what, error.message) };
  }
  if (
    error instanceof InputError ||
    error instanceof NotFoundError ||
    error instanceof DefinitionError
  ) {
    return { status: 400, message: prefix(what, error.message) };
  }
  const e = error as FastifyLikeError;
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        status: 400,
        message: `Failed to ${what}: the body is not valid JSON (${e.message})`,
      };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 400, message: `Failed to ${what}: the body is too large (${e.message})` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 400,
        message: `Failed to ${what}: the body must be JSON (Content-Type: application/json)`,
      };
  }
  if (e.validation !== undefined) {
    return { status: 400, message: `Failed to ${what}: ${e.message}` };
  }
  if (error instanceof SyntaxError) {
    return { status: 400, message: `Failed to ${what}: the body is not valid JSON (${e.message})` };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, message: `Failed to ${what}: ${e.message}` };
  }
  return { status: 500, message: `Failed to ${what}: internal error (see the server's log)` };
}

/** Messages from the library already read `Failed to <verb>: …`; keep them, else prefix ours. */
function prefix(what: string, message: string): string {
  return message.startsWith('Failed to ') ? message : `Failed to ${what}: ${message}`;
}
