import { createHash } from "node:crypto";

/**
 * A request id (GUID-shaped, as `MS-RequestId` expects) derived from an idempotency key and the
 * step it stands for. The same key and step always give the same id, so a purchase replayed
 * after a crash sends the same cart and checkout ids and the server answers with the first
 * result instead of buying again. Name-based (RFC 9562 version 8, SHA-256), not random.
 */
export function deriveRequestId(key: string, step: string): string {
  const hex = createHash("sha256").update(`${key}\u0000${step}`).digest("hex");
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
