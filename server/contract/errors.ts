/**
 * Stable error codes of the public surface. Each code has one HTTP status; WebSocket
 * `error` frames carry the same code. Tests assert on `code`, never on `message`.
 */
export const ERROR_CODES = {
  SB_ERR_BAD_REQUEST: { status: 400, message: 'The request is malformed.' },
  SB_ERR_VALIDATION: { status: 422, message: 'The request did not pass validation.' },
  SB_ERR_BAD_JSON: { status: 400, message: 'The body is not valid JSON.' },
  SB_ERR_PAYLOAD_TOO_LARGE: { status: 413, message: 'The payload is too large.' },
  SB_ERR_UNAUTHENTICATED: { status: 401, message: 'Authentication is required.' },
  SB_ERR_INVALID_CREDENTIALS: { status: 401, message: 'Email or password is wrong.' },
  SB_ERR_INVALID_TOKEN: { status: 401, message: 'The token is invalid or expired.' },
  SB_ERR_IDENTITY_INVALID: { status: 401, message: 'The identity hash does not match.' },
  SB_ERR_FORBIDDEN: { status: 403, message: 'You may not do this.' },
  SB_ERR_ORIGIN_NOT_ALLOWED: { status: 403, message: 'This origin is not allowed for the inbox.' },
  SB_ERR_NOT_FOUND: { status: 404, message: 'Not found.' },
  SB_ERR_CONVERSATION_NOT_FOUND: { status: 404, message: 'Conversation not found.' },
  SB_ERR_INBOX_NOT_FOUND: { status: 404, message: 'Inbox not found.' },
  SB_ERR_CONTACT_NOT_FOUND: { status: 404, message: 'Contact not found.' },
  SB_ERR_AGENT_NOT_FOUND: { status: 404, message: 'Agent not found.' },
  SB_ERR_TEAM_NOT_FOUND: { status: 404, message: 'Team not found.' },
  SB_ERR_MODEL_NOT_FOUND: { status: 404, message: 'Intent model not found.' },
  SB_ERR_RULE_NOT_FOUND: { status: 404, message: 'Routing rule not found.' },
  SB_ERR_ATTACHMENT_NOT_FOUND: { status: 404, message: 'Attachment not found.' },
  SB_ERR_ATTACHMENT_TOO_LARGE: { status: 413, message: 'The file is larger than this server accepts.' },
  SB_ERR_ATTACHMENT_TYPE: { status: 415, message: 'This file type is not accepted.' },
  SB_ERR_CONFLICT: { status: 409, message: 'The resource already exists.' },
  SB_ERR_CHANNEL_UNSUPPORTED: { status: 422, message: 'This channel is not available on this server.' },
  SB_ERR_UNKNOWN_FRAME: { status: 400, message: 'Unknown frame type.' },
  SB_ERR_FRAME_TOO_LARGE: { status: 413, message: 'The frame is too large.' },
  SB_ERR_RATE_LIMITED: { status: 429, message: 'Too many requests; slow down.' },
  SB_ERR_UNAVAILABLE: { status: 503, message: 'The service is shutting down or not ready.' },
  SB_ERR_INTERNAL: { status: 500, message: 'Internal error.' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Body of every HTTP error response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** An error the public surface reports as `{error:{code,message}}` or an `error` frame. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: unknown,
  ) {
    super(message ?? ERROR_CODES[code].message);
    this.name = 'AppError';
    this.status = ERROR_CODES[code].status;
  }
}
