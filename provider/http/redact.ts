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

/** `key=value` pairs in form bodies, query strings and URLs. */
const FORM_KEYS = /\b(client_secret|refresh_token|access_token|id_token|client_assertion|password)=([^&\s"',;]+)/gi;
/** The same keys as JSON properties (token endpoint responses, request bodies). */
const JSON_KEYS = /("(?:client_secret|clientSecret|refresh_token|refreshToken|access_token|accessToken|id_token|client_assertion|password)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;
/**
 * `Bearer <token>` anywhere (an Authorization header printed in any form). A token has a digit or
 * a symbol in it; that keeps prose such as "the bearer token was refused" readable.
 */
const BEARER = /\b(Bearer)\s+(?=[A-Za-z]*[0-9\-._~+/=])[A-Za-z0-9\-._~+/]+=*/gi;
/** `Authorization: <scheme> <credentials>` (any scheme: Basic, a raw token, …). */
const AUTH_HEADER = /\b(authorization)(["']?\s*[:=]\s*["']?)(?:[A-Za-z]+\s+)?[^\s"',;}]+/gi;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Returns `text` with credentials blanked: known token shapes and every configured secret. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text
    .replace(FORM_KEYS, (_m, key: string) => `${key}=${REDACTED}`)
    .replace(JSON_KEYS, (_m, prefix: string) => `${prefix}"${REDACTED}"`)
    .replace(BEARER, (_m, word: string) => `${word} ${REDACTED}`)
    .replace(AUTH_HEADER, (_m, key: string, sep: string) => `${key}${sep}${REDACTED}`);
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    // A secret also travels URL-encoded in form bodies and query strings.
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      out = out.replace(new RegExp(escapeRegExp(form), "g"), REDACTED);
    }
  }
  return out;
}

/** A redactor bound to the secrets of one configuration. */
export type Redactor = (text: string) => string;

export function redactorFor(secrets: readonly (string | undefined)[]): Redactor {
  const known = secrets.filter((s): s is string => typeof s === "string" && s.length >= MIN_SECRET_LENGTH);
  return (text) => redact(text, known);
}
