export { plan, planRemovals, type PlanOptions, type Removals, removedState } from "./plan";
export { deadlineOf, earliestDeadline, withDeadlines } from "./deadlines";
export { readsFor, type CustomerReads } from "./reads";
export { resolveCustomer, type Match, type ResolvedEntry } from "./resolve";
export type { Observation, ObservedCustomer, PlanContext } from "./types";
export { describeValue, PLAN_FORMATS, planJson, renderJson, renderMarkdown, renderPlan, renderText, type PlanFormat, type RenderOptions } from "./render";
