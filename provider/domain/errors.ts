import type { Issue } from "./types";

/**
 * One base error, one subclass per failure domain (conventions #5). Identify errors by `name`
 * as well as `instanceof`: the Pulumi provider is serialized and class identity can differ
 * between the program and the provider host.
 *
 * Messages never contain secrets: redaction happens where an error is built, not where it is
 * printed (see `provider/http/redact.ts`).
 */
export class SeatplanError extends Error {
  override readonly name: string = "SeatplanError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The desired-state file is unreadable or invalid. */
export class ValidationError extends SeatplanError {
  override readonly name = "ValidationError";
  constructor(
    readonly issues: readonly Issue[],
    message = `${issues.length} problem${issues.length === 1 ? "" : "s"} in the desired state`,
  ) {
    super(message);
  }
}

/** A change the commerce rules refuse (a blocked step that someone tried to run). */
export class RuleViolation extends SeatplanError {
  override readonly name = "RuleViolation";
  constructor(
    message: string,
    readonly rule: string,
    readonly hint: string | null,
  ) {
    super(message);
  }
}

/**
 * The backend refused or failed a call. `status` is the HTTP status (or the simulator's
 * equivalent), `code` the Partner Center error code (`800090`, `900117`, `2055`, …).
 */
export class BackendError extends SeatplanError {
  override readonly name = "BackendError";
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly requestId: string | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Retries ran out (throttling, outages); `cause` is the last failure. */
export class RetryExhausted extends SeatplanError {
  override readonly name = "RetryExhausted";
  constructor(
    message: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Missing or wrong configuration (an environment variable, a flag, a Pulumi config key). */
export class ConfigError extends SeatplanError {
  override readonly name = "ConfigError";
}

const NAMES = ["SeatplanError", "ValidationError", "RuleViolation", "BackendError", "RetryExhausted", "ConfigError"] as const;

export function isSeatplanError(e: unknown): e is SeatplanError {
  return e instanceof SeatplanError || (e instanceof Error && (NAMES as readonly string[]).includes(e.name));
}

export function isBackendError(e: unknown): e is BackendError {
  return e instanceof BackendError || (e instanceof Error && e.name === "BackendError" && "code" in e && "status" in e);
}

export function isValidationError(e: unknown): e is ValidationError {
  return e instanceof ValidationError || (e instanceof Error && e.name === "ValidationError" && "issues" in e);
}
