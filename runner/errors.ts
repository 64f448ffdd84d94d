/**
 * The one error type the library throws on purpose. Every instance says what went wrong, what was
 * measured or tried, and the next step to take; the CLI prints `message` and `hint` on one line each
 * and never a stack trace. Anything that is not a LabsError is a bug in labs.
 */
export type ErrorCode =
  | 'USAGE'
  | 'LAB_INVALID'
  | 'LAB_UNKNOWN'
  | 'LAB_EXISTS'
  | 'WORKSPACE_NOT_FOUND'
  | 'WORKSPACE_INVALID'
  | 'SERVICE_UNKNOWN'
  | 'NOT_RUNNING'
  | 'NO_TERMINAL'
  | 'DOCKER_UNREACHABLE'
  | 'DOCKER_FAILED'
  | 'CONTAINER_GONE'
  | 'IMAGE_UNAVAILABLE'
  | 'IMAGE_PREPARE_FAILED'
  | 'PORT_IN_USE'
  | 'NOT_READY'
  | 'WIRE_UNREADABLE'
  | 'QUEUE_UNREACHABLE'
  | 'INTERRUPTED';

/** Exit codes of every command (ARCHITECTURE.md, "Outputs"). */
export const ExitCode = {
  ok: 0,
  checkFailed: 1,
  usage: 2,
  infrastructure: 3,
  interrupted: 130,
} as const;

const exitByCode: Record<ErrorCode, number> = {
  USAGE: ExitCode.usage,
  LAB_INVALID: ExitCode.usage,
  LAB_UNKNOWN: ExitCode.usage,
  LAB_EXISTS: ExitCode.usage,
  WORKSPACE_NOT_FOUND: ExitCode.usage,
  WORKSPACE_INVALID: ExitCode.usage,
  SERVICE_UNKNOWN: ExitCode.usage,
  NOT_RUNNING: ExitCode.usage,
  NO_TERMINAL: ExitCode.usage,
  DOCKER_UNREACHABLE: ExitCode.infrastructure,
  DOCKER_FAILED: ExitCode.infrastructure,
  CONTAINER_GONE: ExitCode.infrastructure,
  IMAGE_UNAVAILABLE: ExitCode.infrastructure,
  IMAGE_PREPARE_FAILED: ExitCode.infrastructure,
  PORT_IN_USE: ExitCode.infrastructure,
  NOT_READY: ExitCode.infrastructure,
  WIRE_UNREADABLE: ExitCode.infrastructure,
  QUEUE_UNREACHABLE: ExitCode.infrastructure,
  INTERRUPTED: ExitCode.interrupted,
};

/** The optional parts of a LabsError. */
export interface LabsErrorOptions {
  /** The next step for the person reading the message. */
  hint?: string;
  cause?: unknown;
  /** Extra lines printed under the message (for instance every validation problem). */
  details?: string[];
}

/**
 * An error labs expects and explains: a stable `code` (ErrorCode), which sets the exit code
 * (`exitCode`: 2 usage or lab definition, 3 infrastructure, 130 interrupted), a `hint` with the next
 * step, and `details` printed under the message. The CLI prints it without a stack; anything else
 * that reaches the CLI's boundary is printed as a bug.
 */
export class LabsError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: string[];

  constructor(code: ErrorCode, message: string, options: LabsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LabsError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? [];
  }

  get exitCode(): number {
    return exitByCode[this.code];
  }
}

/** Whether `error` is a LabsError (and so is printed as one, not as a bug). */
export function isLabsError(error: unknown): error is LabsError {
  return error instanceof LabsError;
}
