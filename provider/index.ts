/** seatplan's public API (explicit exports). */
export * from "./domain/types";
export * from "./domain/errors";
export type { Backend, BackendCapabilities, WriteOptions } from "./backends/backend";
export { decodeText, formatIssues, parseDesired, SCHEMA, type DecodedText, type DesiredResult } from "./desired";
export { createSimulatorBackend, openSimulatorBackend, SimulatorBackend, type SimulatorBackendOptions } from "./config/backends";
export { startSimulatorServer, type SimulatorServer, type SimulatorServerOptions } from "./simulator/server";
export { demoState, DEMO_CUSTOMERS, DEMO_SUBSCRIPTIONS } from "./simulator/demo";
export { plan, readsFor, renderPlan, renderJson, renderMarkdown, renderText, planJson, PLAN_FORMATS, type Observation, type ObservedCustomer, type PlanContext, type PlanFormat, type RenderOptions } from "./plan";
export { observe, type ObserveOptions } from "./observe";
export { applySubscription, requestIdOf, type ApplyContext, type StepOutcome } from "./apply";
