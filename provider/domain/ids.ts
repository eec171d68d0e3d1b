import { createHash } from "node:crypto";

/**
 * seatplan's one way to name things by their content: GUID-shaped ids (they travel as
 * `MS-RequestId` headers) from a SHA-256 digest, so the same content always gives the same id
 * and a replayed operation is recognised. Random ids come from `crypto.randomUUID` where a
 * component takes a `newId` option.
 */

function guidOf(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A short, stable id from its parts (idempotency keys, request ids of plan steps). The shape is
 * kept as it always was: a key computed by an older seatplan for a run that crashed must match
 * the one computed now, or a rerun could buy twice.
 */
export function stableId(parts: readonly (string | number | boolean | null | undefined)[]): string {
  return guidOf(createHash("sha256").update(JSON.stringify(parts)).digest("hex"));
}

/**
 * A request id derived from an idempotency key and the step it stands for (RFC 9562 version 8,
 * name-based, SHA-256). The same key and step always give the same id, so a purchase replayed
 * after a crash sends the same cart and checkout ids and the server answers with the first
 * result instead of buying again.
 */
export function deriveRequestId(key: string, step: string): string {
  const hex = createHash("sha256").update(`${key}\u0000${step}`).digest("hex");
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return guidOf(`${hex.slice(0, 12)}8${hex.slice(13, 16)}${variant}${hex.slice(17, 32)}`);
}
