/**
 * Redaction of credentials. Applied where an error or log line is BUILT (conventions #6), so no
 * later printer, serializer or Pulumi state can leak what was never stored.
 */

export const REDACTED = "[REDACTED]";

/**
 * Secrets shorter than this are not searched for: replacing every "x" of a message would make it
 * unreadable, and a value that short is not a credential worth hiding (real client secrets,
 * refresh tokens and access tokens are tens to thousands of characters).
 */
export const MIN_SECRET_LENGTH = 6;

/** `key=value` pairs in form bodies, query strings and URLs (`token=` and `assertion=` included). */
const FORM_KEYS = /\b(client_secret|refresh_token|access_token|id_token|client_assertion|assertion|token|password)=([^&\s"',;]+)/gi;
/** The same keys as JSON properties (token endpoint responses, request bodies). */
const JSON_KEYS = /("(?:client_secret|clientSecret|refresh_token|refreshToken|access_token|accessToken|id_token|idToken|client_assertion|assertion|token|password)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;
/**
 * `Bearer <token>` anywhere (an Authorization header printed in any form). A token has a digit or
 * a symbol in it; that keeps prose such as "the bearer token was refused" readable.
 */
const BEARER = /\b(Bearer)\s+(?=[A-Za-z]*[0-9\-._~+/=])[A-Za-z0-9\-._~+/]+=*/gi;
/** `Authorization: <scheme> <credentials>` (any scheme: Basic, a raw token, …). */
const AUTH_HEADER = /\b(authorization)(["']?\s*[:=]\s*["']?)(?:[A-Za-z]+\s+)?[^\s"',;}]+/gi;

/**
 * Every credential this process has been given or has obtained (client secrets, refresh tokens,
 * access tokens from MSAL or SEATPLAN_ACCESS_TOKEN). A value joins the moment it arrives, so an
 * error built later — by any code, with any redactor — blanks it. Process-wide on purpose: a
 * token obtained by one backend must not print through another's error.
 */
const obtained = new Set<string>();

/** Adds a credential to the process-wide redaction set (values too short to hide are ignored). */
export function rememberSecret(value: unknown): void {
  if (typeof value === "string" && value.length >= MIN_SECRET_LENGTH) obtained.add(value);
}

/** Blanks only the values of the redaction set: for whole outputs (a plan, an export), where
 *  the key patterns could change legitimate text. */
export function redactKnown(text: string): string {
  let out = text;
  for (const secret of obtained) out = blank(out, secret);
  return out;
}

function blank(text: string, secret: string): string {
  let out = text;
  // A secret also travels URL-encoded in form bodies and query strings.
  for (const form of new Set([secret, encodeURIComponent(secret)])) {
    if (out.includes(form)) out = out.split(form).join(REDACTED);
  }
  return out;
}

/**
 * An error made safe to print or store: message, stack and Pulumi's `reasons` redacted. The
 * Pulumi engine stores a failed create's reasons in the stack state (`initErrors`).
 */
export function redactError(e: unknown): unknown {
  if (!(e instanceof Error)) return typeof e === "string" ? redact(e) : e;
  e.message = redact(e.message);
  if (typeof e.stack === "string") e.stack = redact(e.stack);
  const withReasons = e as Error & { reasons?: unknown };
  if (Array.isArray(withReasons.reasons)) withReasons.reasons = withReasons.reasons.map((r) => (typeof r === "string" ? redact(r) : r));
  return e;
}

/** Returns `text` with credentials blanked: known token shapes, every configured secret and
 *  every credential of the process-wide set. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text
    .replace(FORM_KEYS, (_m, key: string) => `${key}=${REDACTED}`)
    .replace(JSON_KEYS, (_m, prefix: string) => `${prefix}"${REDACTED}"`)
    .replace(BEARER, (_m, word: string) => `${word} ${REDACTED}`)
    .replace(AUTH_HEADER, (_m, key: string, sep: string) => `${key}${sep}${REDACTED}`);
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    out = blank(out, secret);
  }
  return redactKnown(out);
}

/** A redactor bound to the secrets of one configuration. */
export type Redactor = (text: string) => string;

export function redactorFor(secrets: readonly (string | undefined)[]): Redactor {
  const known = secrets.filter((s): s is string => typeof s === "string" && s.length >= MIN_SECRET_LENGTH);
  return (text) => redact(text, known);
}
