export { plan } from "./plan";
export { readsFor, type CustomerReads } from "./reads";
export { resolveCustomer, type Match, type ResolvedEntry } from "./resolve";
export type { Observation, ObservedCustomer, PlanContext } from "./types";
