/** seatplan's public API (explicit exports). */
export * from "./domain/types";
export * from "./domain/errors";
export type { Backend, BackendCapabilities, WriteOptions } from "./backends/backend";
export { decodeText, formatIssues, parseDesired, SCHEMA, type DecodedText, type DesiredResult } from "./desired";
