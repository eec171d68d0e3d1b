export { catalogListing, matches, type CatalogListing, type CatalogRow, type CatalogTerm } from "./catalog";
export { headroomFor, parseHeadroom, proposals, writeProposals, type Headroom, type Proposal, type ProposeInput } from "./propose";
export { estAnnualCost, EST_UPLIFT, radar, RADAR_KINDS, type Radar, type RadarEntry, type RadarInput, type RadarKind } from "./renewals";
export {
  catalogJson,
  INSIGHT_FORMATS,
  proposalsJson,
  radarJson,
  renderCatalog,
  renderProposals,
  renderRadar,
  renderUsage,
  usageJson,
  type InsightFormat,
  type InsightRenderOptions,
  type Origin,
} from "./render";
export { assignedBySubscription, usageReport, type CustomerUsage, type UsageReport, type UsageRow, type UsageTotals } from "./usage";
export type { Money, TenantCustomer } from "./types";
