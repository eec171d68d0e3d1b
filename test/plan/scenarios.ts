import type { CatalogEntry } from "../../provider/simulator/catalog";
import catalogJson from "../../provider/simulator/data/catalog.json";
import { APPS, entryOf, everyEntry, EXCHANGE, EXCHANGE2_EARLIER, EXCHANGE2_LATER, FRESH, type LiveSpec, LOTS, NOW, OFFERS, type Scenario } from "./fixtures";

/**
 * The planner's rule table: `now` × live subscription × YAML entry → the steps (action, timing,
 * effectiveAt, hint). The same rows drive the cross-check against the simulator.
 */

const RENEW_APPS = "2026-12-29T00:00:00.000Z";
const RENEW_FRESH = "2027-11-21T00:00:00.000Z";
const RENEW_LOTS = "2027-08-15T00:00:00.000Z";
/** A P1Y purchase made at NOW ends on 2027-11-22 and renews the day after. */
const RENEW_BOUGHT = "2027-11-23T00:00:00.000Z";
/** FRESH's window (and its lot) closes at this instant, inclusive. */
const FRESH_WINDOW = "2026-11-28T00:00:00.000Z";
/** LOTS' second batch closes at this instant. */
const LOT_WINDOW = "2026-11-27T10:00:00.000Z";
const ms = (iso: string, delta: number): string => new Date(Date.parse(iso) + delta).toISOString();

const TRIAL: LiveSpec = {
  id: "3f2a8c1e-5b7d-4e9a-8c6f-1d2e3f4a5b03",
  offer: OFFERS.businessPremium,
  friendlyName: "trial",
  quantity: 25,
  term: "P1M",
  billing: "monthly",
  start: "2026-11-18T00:00:00.000Z",
  end: "2026-12-17T00:00:00.000Z",
  isTrial: true,
};
const TWIN: LiveSpec = { ...APPS, id: "0a1b2c3d-0000-4000-8000-000000000001" };
const SCHEDULED_2 = { offer: OFFERS.appsForBusiness, term: "P1Y", billing: "annual", quantity: 2 };

const ENTRA = { offer: OFFERS.entraP1, term: "P1Y", billing: "annual", quantity: 5 };
const APPS_ENTERPRISE = "CFQ7TTC0LGZT:0001";

/** Apps for business in its second month of the extended service term (auto-renew was off at 2026-11-04). */
const IN_EST: LiveSpec = {
  id: "5e5e5e5e-0000-4000-8000-000000000001",
  offer: OFFERS.appsForBusiness,
  friendlyName: "lapsed",
  quantity: 3,
  term: "P1M",
  billing: "monthly",
  start: "2026-11-05T00:00:00.000Z",
  end: "2026-12-04T00:00:00.000Z",
  autoRenew: false,
  est: true,
  lots: [[3, "2026-11-04T23:59:59.999Z"]],
  cancelUntil: "2026-12-04T00:00:00.000Z",
};
/** APPS with auto-renew off and the explicit cancellation at term end already scheduled. */
const ENDING = { ...APPS, autoRenew: false, cancelAtTermEnd: true };
/** Before EST: on 2026-04-20, a term ending 2026-05-03 (the day before EST starts) and one ending on 2026-05-04. */
const BEFORE_EST = "2026-04-20T10:00:00.000Z";
const ENDS_0503: LiveSpec = { ...APPS, start: "2025-05-04T00:00:00.000Z", end: "2026-05-03T00:00:00.000Z" };
const ENDS_0504: LiveSpec = { ...APPS, start: "2025-05-05T00:00:00.000Z", end: "2026-05-04T00:00:00.000Z" };
/** Bought the day before / the day EST eligibility starts (1 April 2025), ending after 4 May 2026 (a custom end date). */
const BOUGHT_0331: LiveSpec = { ...APPS, start: "2025-03-31T00:00:00.000Z", end: "2026-06-30T00:00:00.000Z" };
const BOUGHT_0401: LiveSpec = { ...APPS, start: "2025-04-01T00:00:00.000Z", end: "2026-06-30T00:00:00.000Z" };
const JUNE = "2026-06-01T10:00:00.000Z";
/** Business Basic, 200 and 90 seats (290 of the SKU's pooled 300). */
const BASIC_200: LiveSpec = {
  id: "b0b0b0b0-0000-4000-8000-000000000200",
  offer: OFFERS.businessBasic,
  friendlyName: "basic-a",
  quantity: 200,
  term: "P1Y",
  billing: "monthly",
  start: "2026-02-01T00:00:00.000Z",
  end: "2027-01-31T00:00:00.000Z",
};
const BASIC_90: LiveSpec = { ...BASIC_200, id: "b0b0b0b0-0000-4000-8000-000000000090", friendlyName: "basic-b", quantity: 90 };
/** Business Premium, 295 seats: 5 left of its SKU's 300, ending after BASIC_10. */
const PREMIUM_295: LiveSpec = {
  id: "b0b0b0b0-0000-4000-8000-000000000295",
  offer: OFFERS.businessPremium,
  friendlyName: "premium",
  quantity: 295,
  term: "P1Y",
  billing: "annual",
  start: "2026-06-01T00:00:00.000Z",
  end: "2027-05-31T00:00:00.000Z",
};
const BASIC_10: LiveSpec = { ...BASIC_200, id: "b0b0b0b0-0000-4000-8000-000000000010", friendlyName: "basic-10", quantity: 10, start: "2026-03-01T00:00:00.000Z", end: "2027-02-28T00:00:00.000Z" };
/** The built-in catalog with Apps for enterprise also sold on a three-year term. */
const WITH_P3Y: readonly CatalogEntry[] = (catalogJson.offers as unknown as CatalogEntry[]).map((o) =>
  o.productId === "CFQ7TTC0LGZT" ? { ...o, prices: { ...o.prices, "P3Y/monthly": 12.2, "P3Y/annual": 140, "P3Y/triennial": 405 } } : o,
);
const ENTERPRISE_3Y: LiveSpec = {
  id: "b0b0b0b0-0000-4000-8000-0000000003a1",
  offer: APPS_ENTERPRISE,
  friendlyName: "enterprise",
  quantity: 10,
  term: "P3Y",
  billing: "annual",
  start: "2026-01-01T00:00:00.000Z",
  end: "2028-12-31T00:00:00.000Z",
};
const ENTERPRISE_1Y: LiveSpec = { ...ENTERPRISE_3Y, term: "P1Y", end: "2026-12-31T00:00:00.000Z" };
/** Triennial billing changes are blocked mid-term from 2025-04-01 (Microsoft Learn). */
const TRIENNIAL_LOCK = "2025-04-01T00:00:00.000Z";

/** Business Basic on a monthly term. */
const MONTHLY: LiveSpec = { ...FRESH, id: "b0b0b0b0-0000-4000-8000-0000000000a1", friendlyName: "monthly", term: "P1M", start: "2026-11-10T00:00:00.000Z", end: "2026-12-09T00:00:00.000Z" };

export const SCENARIOS: readonly Scenario[] = [
  // Quantity: add any time, reduce within each batch's window.
  { name: "an entry equal to its subscription plans nothing", live: [APPS], entries: { apps: entryOf(APPS) }, expect: [] },
  {
    name: "adding seats happens now",
    live: [APPS],
    entries: { apps: entryOf(APPS, { quantity: 5 }) },
    expect: [["apps", "increase-quantity", "now", NOW, null]],
  },
  {
    name: "a reduction after the window is blocked with the renewal quantity as hint",
    live: [APPS],
    entries: { apps: entryOf(APPS, { quantity: 1 }) },
    expect: [["apps", "decrease-quantity", "blocked", null, "set quantity: 3 and renewal.quantity: 1 to reduce at renewal on 2026-12-29"]],
  },
  {
    name: "a reduction after the window is deferred to renewal with policy defer",
    policy: "defer",
    live: [APPS],
    entries: { apps: entryOf(APPS, { quantity: 1 }) },
    expect: [["apps", "decrease-quantity", "at-renewal", RENEW_APPS, null]],
  },
  {
    name: "a deferred reduction with a renewal offer the catalog cannot renew into is blocked, not left to fail at apply",
    policy: "defer",
    live: [APPS],
    entries: { apps: entryOf(APPS, { quantity: 1, renewal: { offer: OFFERS.businessBasic } }) },
    expect: [["apps", "decrease-quantity", "blocked", null, "remove renewal to renew into the same offer (add a new entry to buy the other one)"]],
  },
  {
    name: "a deferred reduction with a renewal term the catalog does not sell is blocked",
    policy: "defer",
    live: [APPS],
    entries: { apps: entryOf(APPS, { quantity: 1, renewal: { term: "P3Y" } }) },
    expect: [["apps", "decrease-quantity", "blocked", null, "remove renewal to renew with a term and billing the catalog sells"]],
  },
  {
    name: "a reduction inside the window happens now",
    live: [FRESH],
    entries: { basic: entryOf(FRESH, { quantity: 4 }) },
    expect: [["basic", "decrease-quantity", "now", NOW, null]],
  },
  {
    name: "a reduction at the very instant the window closes still happens now",
    now: FRESH_WINDOW,
    live: [FRESH],
    entries: { basic: entryOf(FRESH, { quantity: 4 }) },
    expect: [["basic", "decrease-quantity", "now", FRESH_WINDOW, null]],
  },
  {
    name: "a reduction one millisecond before the window closes happens now",
    now: ms(FRESH_WINDOW, -1),
    live: [FRESH],
    entries: { basic: entryOf(FRESH, { quantity: 4 }) },
    expect: [["basic", "decrease-quantity", "now", ms(FRESH_WINDOW, -1), null]],
  },
  {
    name: "a reduction one millisecond after the window closed is blocked",
    now: ms(FRESH_WINDOW, 1),
    live: [FRESH],
    entries: { basic: entryOf(FRESH, { quantity: 4 }) },
    expect: [["basic", "decrease-quantity", "blocked", null, "set quantity: 5 and renewal.quantity: 4 to reduce at renewal on 2027-11-21"]],
  },
  {
    name: "removing only the seats of a batch still in its window happens now",
    live: [LOTS],
    entries: { standard: entryOf(LOTS, { quantity: 6 }) },
    expect: [["standard", "decrease-quantity", "now", NOW, null]],
  },
  {
    name: "removing more than the open batch is blocked; the hint removes the open batch now",
    live: [LOTS],
    entries: { standard: entryOf(LOTS, { quantity: 5 }) },
    expect: [
      ["standard", "decrease-quantity", "blocked", null, "set quantity: 6 and renewal.quantity: 5 to remove 2 seats now and reduce to 5 at renewal on 2027-08-15"],
    ],
  },
  {
    name: "removing more than the open batch with policy defer removes the refundable seats now and the rest at renewal",
    policy: "defer",
    live: [LOTS],
    entries: { standard: entryOf(LOTS, { quantity: 5 }) },
    expect: [
      ["standard", "decrease-quantity", "now", NOW, null],
      ["standard", "decrease-quantity", "at-renewal", RENEW_LOTS, null],
    ],
  },
  {
    name: "a batch is removable at the instant its own window closes",
    now: LOT_WINDOW,
    live: [LOTS],
    entries: { standard: entryOf(LOTS, { quantity: 6 }) },
    expect: [["standard", "decrease-quantity", "now", LOT_WINDOW, null]],
  },
  {
    name: "a batch is not removable one millisecond after its own window",
    now: ms(LOT_WINDOW, 1),
    live: [LOTS],
    entries: { standard: entryOf(LOTS, { quantity: 6 }) },
    expect: [["standard", "decrease-quantity", "blocked", null, "set quantity: 8 and renewal.quantity: 6 to reduce at renewal on 2027-08-15"]],
  },
  // Cancellation.
  {
    name: "cancelling inside the window happens now",
    live: [FRESH],
    entries: { basic: entryOf(FRESH, { status: "cancelled" }) },
    expect: [["basic", "cancel", "now", NOW, null]],
  },
  {
    name: "cancelling at the instant the window closes happens now",
    now: FRESH_WINDOW,
    live: [FRESH],
    entries: { basic: entryOf(FRESH, { status: "cancelled" }) },
    expect: [["basic", "cancel", "now", FRESH_WINDOW, null]],
  },
  {
    name: "cancelling one millisecond after the window is blocked; the hint ends it at term end with an explicit cancellation",
    now: ms(FRESH_WINDOW, 1),
    live: [FRESH],
    entries: { basic: entryOf(FRESH, { status: "cancelled" }) },
    expect: [["basic", "cancel", "blocked", null, "set autoRenew: false to end it at term end on 2027-11-20 with an explicit cancellation (not the extended service term)"]],
  },
  {
    name: "cancelling a year-old subscription is blocked",
    live: [APPS],
    entries: { apps: entryOf(APPS, { status: "cancelled" }) },
    expect: [["apps", "cancel", "blocked", null, "set autoRenew: false to end it at term end on 2026-12-28 with an explicit cancellation (not the extended service term)"]],
  },
  {
    name: "cancelling after the window becomes cancel-at-term-end with policy defer",
    policy: "defer",
    live: [APPS],
    entries: { apps: entryOf(APPS, { status: "cancelled" }) },
    // An explicit cancellation at term end: no extended service term follows.
    expect: [["apps", "cancel-at-term-end", "at-renewal", RENEW_APPS, null]],
  },
  {
    name: "cancelling one millisecond after the window ends the subscription at term end with policy defer",
    policy: "defer",
    now: ms(FRESH_WINDOW, 1),
    live: [FRESH],
    entries: { basic: entryOf(FRESH, { status: "cancelled" }) },
    expect: [["basic", "cancel-at-term-end", "at-renewal", RENEW_FRESH, null]],
  },
  {
    name: "a deferred cancel of a subscription whose auto-renew is already off still cancels explicitly at term end (else EST follows)",
    policy: "defer",
    live: [{ ...APPS, autoRenew: false }],
    entries: { apps: entryOf(APPS, { status: "cancelled" }) },
    expect: [["apps", "cancel-at-term-end", "at-renewal", RENEW_APPS, null]],
  },
  {
    name: "a cancel inside the window ends the subscription now: no extended-service-term warning",
    now: ms(FRESH_WINDOW, -1),
    live: [FRESH],
    entries: { basic: entryOf(FRESH, { status: "cancelled", autoRenew: false }) },
    expect: [["basic", "cancel", "now", ms(FRESH_WINDOW, -1), null]],
  },
  // Auto-renew and the renewal schedule.
  {
    name: "turning auto-renew off takes effect at renewal and warns about the extended service term",
    live: [APPS],
    entries: { apps: entryOf(APPS, { autoRenew: false }) },
    expect: [["apps", "disable-auto-renew", "at-renewal", RENEW_APPS, null]],
    warnings: ["extended-service-term"],
  },
  {
    name: "turning auto-renew on takes effect at renewal",
    live: [{ ...APPS, autoRenew: false }],
    entries: { apps: entryOf(APPS) },
    expect: [["apps", "enable-auto-renew", "at-renewal", RENEW_APPS, null]],
  },
  {
    name: "a renewal quantity is scheduled for renewal",
    live: [APPS],
    entries: { apps: entryOf(APPS, { renewal: { quantity: 2 } }) },
    expect: [["apps", "schedule-renewal", "at-renewal", RENEW_APPS, null]],
  },
  {
    name: "a renewal quantity above the SKU's seat limit is blocked",
    live: [APPS],
    entries: { apps: entryOf(APPS, { renewal: { quantity: 301 } }) },
    expect: [["apps", "schedule-renewal", "blocked", null, "set renewal.quantity: 300 to stay within the SKU's seat limits"]],
  },
  {
    name: "a renewal billing change is scheduled for renewal",
    live: [APPS],
    entries: { apps: entryOf(APPS, { renewal: { billing: "monthly" } }) },
    expect: [["apps", "schedule-renewal", "at-renewal", RENEW_APPS, null]],
  },
  {
    // The parser refuses this YAML too; plan() is public API and must not schedule it either.
    name: "renewal changes without auto-renew are blocked",
    live: [{ ...APPS, autoRenew: false }],
    entries: { apps: entryOf(APPS, { renewal: { quantity: 2 } }) },
    tweak: everyEntry({ autoRenew: false }),
    expect: [["apps", "schedule-renewal", "blocked", null, "set autoRenew: true to apply the renewal changes on 2026-12-29"]],
    warnings: ["extended-service-term"],
  },
  {
    name: "a scheduled renewal the YAML no longer asks for is cleared",
    live: [{ ...APPS, scheduled: SCHEDULED_2 }],
    entries: { apps: entryOf(APPS) },
    expect: [["apps", "clear-renewal", "at-renewal", RENEW_APPS, null]],
  },
  {
    name: "a scheduled renewal that matches the YAML plans nothing",
    live: [{ ...APPS, scheduled: SCHEDULED_2 }],
    entries: { apps: entryOf(APPS, { renewal: { quantity: 2 } }) },
    expect: [],
  },
  {
    name: "an immediate change re-applies the renewal it wipes",
    live: [{ ...APPS, scheduled: SCHEDULED_2 }],
    entries: { apps: entryOf(APPS, { quantity: 5, renewal: { quantity: 2 } }) },
    expect: [
      ["apps", "increase-quantity", "now", NOW, null],
      ["apps", "reapply-renewal", "at-renewal", RENEW_APPS, null],
    ],
    warnings: ["renewal-wiped"],
  },
  {
    name: "an immediate change followed by a new renewal schedules the new one",
    live: [{ ...APPS, scheduled: SCHEDULED_2 }],
    entries: { apps: entryOf(APPS, { quantity: 5, renewal: { quantity: 1 } }) },
    expect: [
      ["apps", "increase-quantity", "now", NOW, null],
      ["apps", "schedule-renewal", "at-renewal", RENEW_APPS, null],
    ],
  },
  // Offer, term and billing are fixed for the term.
  {
    name: "a shorter term mid-term is blocked; the hint moves it to renewal",
    live: [APPS],
    entries: { apps: entryOf(APPS, { term: "P1M", billing: "monthly" }) },
    expect: [
      [
        "apps",
        "change-term",
        "blocked",
        null,
        "set term: P1Y and renewal.term: P1M and billing: annual and renewal.billing: monthly to change them at renewal on 2026-12-29",
      ],
    ],
  },
  {
    name: "a term change to a term the catalog does not sell is blocked; the hint keeps the term instead of scheduling it",
    live: [APPS],
    entries: { apps: entryOf(APPS, { term: "P3Y" }) },
    expect: [["apps", "change-term", "blocked", null, "set term: P1Y to keep them (Microsoft 365 Apps for business is not sold as P3Y/annual)"]],
  },
  {
    name: "a billing change mid-term happens now; the term and its end date stay",
    live: [APPS],
    entries: { apps: entryOf(APPS, { billing: "monthly" }) },
    expect: [["apps", "change-term", "now", NOW, null]],
  },
  {
    name: "an offer change to an upgrade path is blocked; the hint renews into it",
    live: [APPS],
    entries: { apps: entryOf(APPS, { offer: OFFERS.businessStandard }) },
    expect: [["apps", "upgrade", "blocked", null, `set offer: ${OFFERS.appsForBusiness} and renewal.offer: ${OFFERS.businessStandard} to switch at renewal on 2026-12-29`]],
  },
  {
    name: "an offer change to an unrelated offer is blocked; the hint keeps the offer",
    live: [APPS],
    entries: { apps: entryOf(APPS, { offer: OFFERS.exchange1 }) },
    expect: [["apps", "upgrade", "blocked", null, `set offer: ${OFFERS.appsForBusiness} to keep it (add a new entry to buy ${OFFERS.exchange1})`]],
  },
  {
    name: "a renewal into a lower offer is blocked",
    live: [LOTS],
    entries: { standard: entryOf(LOTS, { renewal: { offer: OFFERS.businessBasic } }) },
    expect: [["standard", "schedule-renewal", "blocked", null, "remove renewal to renew into the same offer (add a new entry to buy the other one)"]],
  },
  // Upgrades.
  {
    name: "an eligible upgrade is irreversible and happens now",
    live: [EXCHANGE],
    entries: { exchange: entryOf(EXCHANGE, { upgrade: { to: OFFERS.exchange2, acknowledge: "irreversible" } }) },
    expect: [["exchange", "upgrade", "irreversible", NOW, null]],
  },
  {
    name: "an upgrade to an offer the backend does not list as eligible is blocked",
    live: [EXCHANGE],
    entries: { exchange: entryOf(EXCHANGE, { upgrade: { to: OFFERS.businessPremium, acknowledge: "irreversible" } }) },
    expect: [["exchange", "upgrade", "blocked", null, "set upgrade.to: CFQ7TTC0LH1P:0001 to upgrade to Exchange Online (Plan 2) instead, or remove upgrade to keep the subscription as it is"]],
  },
  {
    name: "an upgrade of an offer that has no eligible upgrade is blocked",
    live: [EXCHANGE2_LATER],
    entries: { "exchange-2": entryOf(EXCHANGE2_LATER, { upgrade: { to: OFFERS.businessPremium, acknowledge: "irreversible" } }) },
    expect: [["exchange-2", "upgrade", "blocked", null, "remove upgrade to keep the subscription as it is"]],
  },
  {
    name: "a partial upgrade moves only its seats",
    live: [EXCHANGE],
    entries: { exchange: entryOf(EXCHANGE, { upgrade: { to: OFFERS.exchange2, quantity: 4, acknowledge: "irreversible" } }) },
    expect: [["exchange", "upgrade", "irreversible", NOW, null]],
  },
  {
    name: "an upgrade into a subscription ending later merges into it",
    live: [EXCHANGE, EXCHANGE2_LATER],
    entries: {
      exchange: entryOf(EXCHANGE, { upgrade: { to: OFFERS.exchange2, into: "exchange-2", acknowledge: "irreversible" } }),
      "exchange-2": entryOf(EXCHANGE2_LATER),
    },
    expect: [["exchange", "upgrade", "irreversible", NOW, null]],
  },
  {
    name: "an upgrade into a subscription with a scheduled renewal warns that the merge deletes it",
    live: [EXCHANGE, { ...EXCHANGE2_LATER, scheduled: { offer: OFFERS.exchange2, term: "P1Y", billing: "annual", quantity: 3 } }],
    entries: {
      exchange: entryOf(EXCHANGE, { upgrade: { to: OFFERS.exchange2, into: "exchange-2", acknowledge: "irreversible" } }),
      "exchange-2": entryOf(EXCHANGE2_LATER, { renewal: { quantity: 3 } }),
    },
    expect: [["exchange", "upgrade", "irreversible", NOW, null]],
    warnings: ["renewal-wiped"],
    // The merge deleted exchange-2's schedule: the next plan schedules it again.
    replan: [["exchange-2", "schedule-renewal", "at-renewal", "2027-09-01T00:00:00.000Z", null]],
  },
  {
    name: "an upgrade into a subscription ending earlier is blocked",
    live: [EXCHANGE, EXCHANGE2_EARLIER],
    entries: {
      exchange: entryOf(EXCHANGE, { upgrade: { to: OFFERS.exchange2, into: "exchange-2", acknowledge: "irreversible" } }),
      "exchange-2": entryOf(EXCHANGE2_EARLIER),
    },
    expect: [["exchange", "upgrade", "blocked", null, `remove upgrade.into to upgrade into a new ${OFFERS.exchange2} subscription`]],
  },
  {
    name: "an upgrade into a subscription not bought yet waits for it",
    live: [EXCHANGE],
    entries: {
      exchange: entryOf(EXCHANGE, { upgrade: { to: OFFERS.exchange2, into: "exchange-2", acknowledge: "irreversible" } }),
      "exchange-2": { offer: OFFERS.exchange2, term: "P1Y", billing: "annual", quantity: 5 },
    },
    expect: [
      ["exchange", "upgrade", "blocked", null, `remove upgrade.into to upgrade into a new ${OFFERS.exchange2} subscription`],
      ["exchange-2", "purchase", "now", NOW, null],
    ],
    // Once exchange-2 is bought (ending after the source), the next plan merges into it.
    replan: [["exchange", "upgrade", "irreversible", NOW, null]],
  },
  {
    name: "an upgrade cannot change the seat count in the same step",
    live: [EXCHANGE],
    entries: { exchange: entryOf(EXCHANGE, { quantity: 12, upgrade: { to: OFFERS.exchange2, acknowledge: "irreversible" } }) },
    expect: [["exchange", "upgrade", "blocked", null, "set quantity: 10 to upgrade the seats it has (change the quantity in a later plan)"]],
  },
  {
    name: "an upgrade already done leaves nothing to do",
    live: [{ ...EXCHANGE, quantity: 0, lots: [] }],
    entries: { exchange: entryOf(EXCHANGE, { upgrade: { to: OFFERS.exchange2, acknowledge: "irreversible" } }) },
    expect: [],
  },
  // Purchases.
  { name: "an entry without a live subscription is bought now", live: [], entries: { entra: ENTRA }, expect: [["entra", "purchase", "now", NOW, null]] },
  {
    name: "a purchase aligned to the calendar month is bought now",
    live: [],
    entries: { entra: { ...ENTRA, alignEndDate: "calendar-month" } },
    expect: [["entra", "purchase", "now", NOW, null]],
  },
  {
    name: "a purchase aligned to another subscription is bought now",
    live: [APPS],
    entries: { apps: entryOf(APPS), entra: { ...ENTRA, alignEndDate: "apps" } },
    expect: [["entra", "purchase", "now", NOW, null]],
  },
  {
    name: "a purchase aligned to a subscription not bought yet is blocked",
    live: [],
    entries: { entra: { ...ENTRA, alignEndDate: "entra-2" }, "entra-2": ENTRA },
    expect: [
      ["entra", "purchase", "blocked", null, "remove alignEndDate to buy with a standard term end date"],
      ["entra-2", "purchase", "now", NOW, null],
    ],
    // Once entra-2 exists, its end date can be asked for: the next plan buys entra aligned to it.
    replan: [["entra", "purchase", "now", NOW, null]],
  },
  {
    name: "a purchase without auto-renew turns it off right after",
    live: [],
    entries: { entra: { ...ENTRA, autoRenew: false } },
    expect: [
      ["entra", "purchase", "now", NOW, null],
      ["entra", "disable-auto-renew", "at-renewal", RENEW_BOUGHT, null],
    ],
    warnings: ["extended-service-term"],
  },
  {
    name: "a purchase that declares an upgrade is blocked; the hint buys the target",
    live: [],
    entries: { entra: { ...ENTRA, upgrade: { to: OFFERS.entraP2, acknowledge: "irreversible" } } },
    expect: [["entra", "purchase", "blocked", null, `remove upgrade and set offer: ${OFFERS.entraP2} to buy the upgraded offer directly`]],
  },
  {
    name: "a purchase of an offer the catalog does not sell is blocked",
    live: [],
    entries: { other: { ...ENTRA, offer: "CFQ7TTC0ZZZZ:0001" } },
    expect: [["other", "purchase", "blocked", null, "remove this entry (there is nothing to buy)"]],
  },
  {
    name: "a purchase of a term the offer is not sold with is blocked; the hint offers the closest sold term",
    live: [],
    entries: { entra: { ...ENTRA, term: "P3Y", billing: "triennial" } },
    expect: [["entra", "purchase", "blocked", null, "set term: P1Y and billing: annual to buy a combination the catalog sells"]],
  },
  {
    name: "a purchase above the SKU's seat limit is blocked",
    live: [],
    entries: { basic: { offer: OFFERS.businessBasic, term: "P1Y", billing: "monthly", quantity: 301 } },
    expect: [["basic", "purchase", "blocked", null, "set quantity: 300 to buy the 300 seats that remain of the SKU's pooled maximum"]],
  },
  { name: "a cancelled entry without a live subscription plans nothing", live: [], entries: { entra: { ...ENTRA, status: "cancelled" } }, expect: [] },
  // Identity.
  {
    name: "an entry adopted by id with another name renames the subscription",
    live: [APPS],
    entries: { office: entryOf(APPS, { id: APPS.id }) },
    expect: [["office", "rename", "now", NOW, null]],
  },
  {
    name: "an entry adopts the subscription with its friendlyName",
    live: [APPS],
    entries: { office: entryOf(APPS, { friendlyName: "apps" }) },
    expect: [],
  },
  {
    name: "two live subscriptions with the entry's name are ambiguous",
    live: [APPS, TWIN],
    entries: { apps: entryOf(APPS) },
    expect: [["apps", "adopt", "blocked", null, `set id: ${TWIN.id} to adopt that one (the others stay unmanaged)`]],
  },
  {
    name: "an ambiguous name suggests adopting the live subscription, not the one that expired",
    live: [APPS, { ...TWIN, status: "expired" }],
    entries: { apps: entryOf(APPS) },
    expect: [["apps", "adopt", "blocked", null, `set id: ${APPS.id} to adopt that one (the others stay unmanaged)`]],
  },
  {
    name: "an id that does not exist is blocked",
    live: [APPS],
    entries: { office: entryOf(APPS, { id: TWIN.id }) },
    expect: [["office", "adopt", "blocked", null, "remove id to match by friendlyName or buy a new subscription"]],
  },
  // Status.
  {
    name: "a deleted subscription adopted by id cannot come back",
    live: [{ ...APPS, status: "deleted" }],
    entries: { apps: entryOf(APPS, { id: APPS.id }) },
    expect: [["apps", "adopt", "blocked", null, "remove id to buy a new subscription"]],
  },
  {
    name: "a suspended subscription blocks every change",
    live: [{ ...APPS, status: "suspended" }],
    entries: { apps: entryOf(APPS, { quantity: 5 }) },
    expect: [["apps", "increase-quantity", "blocked", null, "set quantity: 3 until it is active again"]],
  },
  {
    name: "a pending subscription blocks every change",
    live: [{ ...FRESH, status: "pending" }],
    entries: { basic: entryOf(FRESH, { quantity: 4 }) },
    expect: [["basic", "decrease-quantity", "blocked", null, "set quantity: 5 until it is active again"]],
    // Partner Center reports no usage for an offer without an active subscription: unknown, not zero.
    warnings: ["usage-unknown"],
  },
  {
    name: "an expired subscription cannot be active again",
    live: [{ ...APPS, status: "expired" }],
    entries: { apps: entryOf(APPS) },
    expect: [["apps", "adopt", "blocked", null, "set status: cancelled to record that it ended (add a new entry to buy it again)"]],
  },
  // Assigned seats, seat limits, trials.
  {
    name: "a reduction below the assigned seats is blocked even inside the window",
    live: [FRESH],
    assigned: { [OFFERS.businessBasic]: 3 },
    entries: { basic: entryOf(FRESH, { quantity: 2 }) },
    expect: [["basic", "decrease-quantity", "blocked", null, "set quantity: 3 and renewal.quantity: 2 to remove 2 seats now and reduce to 2 at renewal on 2027-11-21"]],
  },
  {
    name: "a reduction below the assigned seats is not deferred with policy defer",
    policy: "defer",
    live: [APPS],
    assigned: { [OFFERS.appsForBusiness]: 2 },
    entries: { apps: entryOf(APPS, { quantity: 1 }) },
    expect: [["apps", "decrease-quantity", "blocked", null, "set quantity: 3 and renewal.quantity: 1 to reduce at renewal on 2026-12-29"]],
  },
  {
    name: "a reduction down to the assigned seats happens now inside the window",
    live: [FRESH],
    assigned: { [OFFERS.businessBasic]: 3 },
    entries: { basic: entryOf(FRESH, { quantity: 3 }) },
    expect: [["basic", "decrease-quantity", "now", NOW, null]],
  },
  {
    name: "two reductions of one offer that together go below the assigned seats are both blocked",
    live: [FRESH, { ...FRESH, id: "3f2a8c1e-5b7d-4e9a-8c6f-1d2e3f4a5b02", friendlyName: "basic-2" }],
    assigned: { [OFFERS.businessBasic]: 8 },
    entries: { basic: entryOf(FRESH, { quantity: 3 }), "basic-2": entryOf(FRESH, { quantity: 3 }) },
    expect: [
      ["basic", "decrease-quantity", "blocked", null, "set quantity: 5 and renewal.quantity: 3 to reduce at renewal on 2027-11-21"],
      ["basic-2", "decrease-quantity", "blocked", null, "set quantity: 5 and renewal.quantity: 3 to reduce at renewal on 2027-11-21"],
    ],
  },
  {
    name: "cancelling a subscription whose seats are assigned to users warns before the users lose their licences",
    live: [FRESH],
    assigned: { [OFFERS.businessBasic]: 3 },
    entries: { basic: entryOf(FRESH, { status: "cancelled" }) },
    expect: [["basic", "cancel", "now", NOW, null]],
    warnings: ["assigned-seats"],
  },
  {
    name: "more seats than the SKU allows are blocked",
    live: [APPS],
    entries: { apps: entryOf(APPS, { quantity: 301 }) },
    expect: [["apps", "increase-quantity", "blocked", null, "set quantity: 300 to stay within the 300 seats that remain of the SKU's pooled maximum"]],
  },
  { name: "a trial that converts to paid is a warning, not a step", live: [TRIAL], entries: { trial: entryOf(TRIAL) }, expect: [], warnings: ["trial-conversion"] },
  {
    name: "a term that ended without the renewal showing yet is a warning: the plan's dates are the old term's",
    planAt: "2026-12-29T06:00:00.000Z",
    live: [APPS],
    entries: { apps: entryOf(APPS) },
    expect: [],
    warnings: ["renewal-overdue"],
  },
  // The extended service term (Microsoft Learn, "Use Extended Service Terms (EST) for CSP subscriptions").
  {
    name: "status cancelled with autoRenew false after the window ends it at term end with an explicit cancellation, saving the renewal",
    live: [APPS],
    entries: { apps: entryOf(APPS, { status: "cancelled", autoRenew: false }) },
    expect: [["apps", "cancel-at-term-end", "at-renewal", RENEW_APPS, null]],
  },
  {
    name: "an explicit cancellation at term end already scheduled leaves nothing to do",
    live: [ENDING],
    entries: { apps: entryOf(APPS, { status: "cancelled", autoRenew: false }) },
    expect: [],
  },
  {
    name: "auto-renew off with the explicit cancellation scheduled ends at term end: no EST warning",
    live: [ENDING],
    entries: { apps: entryOf(APPS, { autoRenew: false }) },
    expect: [],
  },
  {
    name: "auto-renew on drops a scheduled cancellation at term end and renews",
    live: [ENDING],
    entries: { apps: entryOf(APPS) },
    expect: [["apps", "enable-auto-renew", "at-renewal", RENEW_APPS, null]],
  },
  {
    name: "auto-renew off on a term ending 2026-05-03 just ends it: EST covers terms ending from 2026-05-04",
    now: BEFORE_EST,
    live: [ENDS_0503],
    entries: { apps: entryOf(APPS, { autoRenew: false }) },
    expect: [["apps", "disable-auto-renew", "at-renewal", "2026-05-04T00:00:00.000Z", null]],
  },
  {
    name: "auto-renew off on a term ending 2026-05-04 moves it into EST, priced and warned",
    now: BEFORE_EST,
    live: [ENDS_0504],
    entries: { apps: entryOf(APPS, { autoRenew: false }) },
    expect: [["apps", "disable-auto-renew", "at-renewal", "2026-05-05T00:00:00.000Z", null]],
    warnings: ["extended-service-term"],
  },
  {
    name: "auto-renew off on a term bought 2025-03-31 just ends it: EST covers terms bought from 2025-04-01",
    now: JUNE,
    live: [BOUGHT_0331],
    entries: { apps: entryOf(APPS, { autoRenew: false }) },
    expect: [["apps", "disable-auto-renew", "at-renewal", "2026-07-01T00:00:00.000Z", null]],
  },
  {
    name: "auto-renew off on a term bought 2025-04-01 moves it into EST",
    now: JUNE,
    live: [BOUGHT_0401],
    entries: { apps: entryOf(APPS, { autoRenew: false }) },
    expect: [["apps", "disable-auto-renew", "at-renewal", "2026-07-01T00:00:00.000Z", null]],
    warnings: ["extended-service-term"],
  },
  {
    name: "a subscription already in EST is cancelled now with a prorated refund, no 7-day window",
    live: [IN_EST],
    entries: { lapsed: entryOf(IN_EST, { status: "cancelled", autoRenew: false }) },
    expect: [["lapsed", "cancel", "now", NOW, null]],
  },
  {
    name: "a subscription in EST kept as it is: a warning with its monthly price, no step",
    live: [IN_EST],
    entries: { lapsed: entryOf(IN_EST, { autoRenew: false }) },
    expect: [],
    warnings: ["extended-service-term"],
  },
  {
    name: "seats cannot be added to a subscription in EST: the hint keeps it, or cancels it",
    live: [IN_EST],
    entries: { lapsed: entryOf(IN_EST, { autoRenew: false, quantity: 5 }) },
    expect: [["lapsed", "increase-quantity", "blocked", null, "set quantity: 3 to keep it as it is (set status: cancelled to end it now with a prorated refund, and add a new entry to buy what you need)"]],
    warnings: ["extended-service-term"],
  },
  // Refunds of seats still in their window.
  {
    name: "a late cancel with policy defer refunds the seats still in their window now and ends the rest at term end",
    policy: "defer",
    live: [LOTS],
    entries: { standard: entryOf(LOTS, { status: "cancelled" }) },
    expect: [
      ["standard", "decrease-quantity", "now", NOW, null],
      ["standard", "cancel-at-term-end", "at-renewal", RENEW_LOTS, null],
    ],
  },
  {
    name: "a late cancel with policy block says in its hint that the refundable seats go now",
    live: [LOTS],
    entries: { standard: entryOf(LOTS, { status: "cancelled" }) },
    expect: [["standard", "cancel", "blocked", null, "set autoRenew: false to remove the 2 seats still refundable now and end it at term end on 2027-08-14 with an explicit cancellation"]],
  },
  {
    name: "a late cancel one millisecond after the mid-term batch's window ends everything at term end",
    policy: "defer",
    now: ms(LOT_WINDOW, 1),
    live: [LOTS],
    entries: { standard: entryOf(LOTS, { status: "cancelled" }) },
    expect: [["standard", "cancel-at-term-end", "at-renewal", RENEW_LOTS, null]],
  },
  {
    name: "a deferred reduction at the instant the batch's window closes still refunds it now",
    policy: "defer",
    now: LOT_WINDOW,
    live: [LOTS],
    entries: { standard: entryOf(LOTS, { quantity: 5 }) },
    expect: [
      ["standard", "decrease-quantity", "now", LOT_WINDOW, null],
      ["standard", "decrease-quantity", "at-renewal", RENEW_LOTS, null],
    ],
  },
  {
    name: "a deferred reduction one millisecond after the batch's window is all at renewal",
    policy: "defer",
    now: ms(LOT_WINDOW, 1),
    live: [LOTS],
    entries: { standard: entryOf(LOTS, { quantity: 5 }) },
    expect: [["standard", "decrease-quantity", "at-renewal", RENEW_LOTS, null]],
  },
  // Trials (Microsoft Learn, "Manage trials for new commerce").
  {
    name: "a trial's seats cannot change: the hint schedules the conversion with them",
    live: [TRIAL],
    entries: { trial: entryOf(TRIAL, { quantity: 30 }) },
    expect: [["trial", "increase-quantity", "blocked", null, "set quantity: 25 and renewal.quantity: 30 to convert with 30 seats on 2026-12-18"]],
    warnings: ["trial-conversion"],
  },
  {
    name: "a trial cannot be cancelled: the hint lets it lapse",
    live: [TRIAL],
    entries: { trial: entryOf(TRIAL, { status: "cancelled" }) },
    expect: [["trial", "cancel", "blocked", null, "set status: active and autoRenew: false to let the trial lapse on 2026-12-17 without converting to paid"]],
  },
  {
    name: "a trial let lapse with auto-renew off: no conversion, no extended service term",
    live: [TRIAL],
    entries: { trial: entryOf(TRIAL, { autoRenew: false }) },
    expect: [["trial", "disable-auto-renew", "at-renewal", "2026-12-18T00:00:00.000Z", null]],
  },
  {
    name: "a trial's conversion scheduled with other seats and billing",
    live: [TRIAL],
    entries: { trial: entryOf(TRIAL, { renewal: { quantity: 30, term: "P1Y", billing: "annual" } }) },
    expect: [["trial", "schedule-renewal", "at-renewal", "2026-12-18T00:00:00.000Z", null]],
    warnings: ["trial-conversion"],
  },
  // Seat caps: the SKU's maximum pooled on the tenant; the Business family's 300 together.
  {
    name: "seats up to the SKU's pooled maximum across two subscriptions are added now",
    live: [BASIC_200, BASIC_90],
    entries: { "basic-a": entryOf(BASIC_200), "basic-b": entryOf(BASIC_90, { quantity: 100 }) },
    expect: [["basic-b", "increase-quantity", "now", NOW, null]],
  },
  {
    name: "one seat past the SKU's pooled maximum is blocked with the remaining count",
    live: [BASIC_200, BASIC_90],
    entries: { "basic-a": entryOf(BASIC_200), "basic-b": entryOf(BASIC_90, { quantity: 101 }) },
    expect: [["basic-b", "increase-quantity", "blocked", null, "set quantity: 100 to stay within the 100 seats that remain of the SKU's pooled maximum"]],
  },
  {
    name: "a purchase past the SKU's pooled maximum is blocked with the remaining count",
    live: [BASIC_200],
    entries: { "basic-a": entryOf(BASIC_200), "basic-c": { offer: OFFERS.businessBasic, term: "P1Y", billing: "monthly", quantity: 101 } },
    expect: [["basic-c", "purchase", "blocked", null, "set quantity: 100 to buy the 100 seats that remain of the SKU's pooled maximum"]],
  },
  {
    name: "the Business family past 300 together is a warning by default",
    live: [BASIC_200],
    entries: { "basic-a": entryOf(BASIC_200), standard: { offer: OFFERS.businessStandard, term: "P1Y", billing: "monthly", quantity: 101 } },
    expect: [["standard", "purchase", "now", NOW, null]],
    warnings: ["business-seat-cap"],
  },
  {
    name: "the Business family at exactly 300 together is fine",
    live: [BASIC_200],
    entries: { "basic-a": entryOf(BASIC_200), standard: { offer: OFFERS.businessStandard, term: "P1Y", billing: "monthly", quantity: 100 } },
    expect: [["standard", "purchase", "now", NOW, null]],
  },
  {
    name: "the Business family past 300 is blocked under policy.businessSeatCap: block",
    businessSeatCap: "block",
    live: [BASIC_200],
    entries: { "basic-a": entryOf(BASIC_200), standard: { offer: OFFERS.businessStandard, term: "P1Y", billing: "monthly", quantity: 101 } },
    expect: [["standard", "purchase", "blocked", null, "set quantity: 100 to stay within the 100 seats left of the Business family's 300"]],
  },
  {
    name: "seats added past the Business family's 300 are blocked under policy.businessSeatCap: block",
    businessSeatCap: "block",
    live: [BASIC_200, { ...APPS, quantity: 90 }],
    entries: { "basic-a": entryOf(BASIC_200), apps: entryOf(APPS, { quantity: 101 }) },
    expect: [["apps", "increase-quantity", "blocked", null, "set quantity: 100 to stay within the 100 seats left of the Business family's 300"]],
  },
  {
    name: "Apps for enterprise keeps its own maximum: 400 seats are bought, no Business cap",
    live: [BASIC_200],
    entries: { "basic-a": entryOf(BASIC_200), enterprise: { offer: APPS_ENTERPRISE, term: "P1Y", billing: "annual", quantity: 400 } },
    expect: [["enterprise", "purchase", "now", NOW, null]],
  },
  {
    name: "an upgrade merging more seats than the target SKU has left is blocked with the remaining count",
    live: [BASIC_10, PREMIUM_295],
    entries: {
      "basic-10": entryOf(BASIC_10, { upgrade: { to: OFFERS.businessPremium, into: "premium", acknowledge: "irreversible" } }),
      premium: entryOf(PREMIUM_295),
    },
    expect: [["basic-10", "upgrade", "blocked", null, "set upgrade.quantity: 5 to upgrade the 5 seats that remain of the target SKU's pooled maximum"]],
  },
  {
    name: "an upgrade into a suspended subscription is refused by Partner Center's merge eligibility",
    live: [EXCHANGE, { ...EXCHANGE2_LATER, status: "suspended" }],
    entries: {
      exchange: entryOf(EXCHANGE, { upgrade: { to: OFFERS.exchange2, into: "exchange-2", acknowledge: "irreversible" } }),
      "exchange-2": entryOf(EXCHANGE2_LATER),
    },
    expect: [["exchange", "upgrade", "blocked", null, `remove upgrade.into to upgrade into a new ${OFFERS.exchange2} subscription`]],
  },
  // Mid-term term and billing changes (Microsoft Learn, "Manage term duration and billing frequency").
  {
    name: "a longer term mid-term starts now",
    live: [MONTHLY],
    entries: { monthly: entryOf(MONTHLY, { term: "P1Y" }) },
    expect: [["monthly", "change-term", "now", NOW, null]],
  },
  {
    name: "a longer term mid-term (one year to three) starts now",
    catalog: WITH_P3Y,
    live: [ENTERPRISE_1Y],
    entries: { enterprise: entryOf(ENTERPRISE_1Y, { term: "P3Y" }) },
    expect: [["enterprise", "change-term", "now", NOW, null]],
  },
  {
    name: "a triennial term's billing frequency cannot change mid-term since 2025-04-01: the hint moves it to renewal",
    catalog: WITH_P3Y,
    live: [ENTERPRISE_3Y],
    entries: { enterprise: entryOf(ENTERPRISE_3Y, { billing: "triennial" }) },
    expect: [["enterprise", "change-term", "blocked", null, "set billing: annual and renewal.billing: triennial to change them at renewal on 2029-01-01"]],
  },
  {
    name: "a triennial term's billing frequency changes at the instant 2025-04-01 begins: blocked",
    catalog: WITH_P3Y,
    now: TRIENNIAL_LOCK,
    live: [{ ...ENTERPRISE_3Y, start: "2025-01-01T00:00:00.000Z", end: "2027-12-31T00:00:00.000Z" }],
    entries: { enterprise: entryOf(ENTERPRISE_3Y, { billing: "triennial" }) },
    expect: [["enterprise", "change-term", "blocked", null, "set billing: annual and renewal.billing: triennial to change them at renewal on 2028-01-01"]],
  },
  {
    name: "a triennial term's billing frequency one millisecond before 2025-04-01 still changes now",
    catalog: WITH_P3Y,
    now: ms(TRIENNIAL_LOCK, -1),
    live: [{ ...ENTERPRISE_3Y, start: "2025-01-01T00:00:00.000Z", end: "2027-12-31T00:00:00.000Z" }],
    entries: { enterprise: entryOf(ENTERPRISE_3Y, { billing: "triennial" }) },
    expect: [["enterprise", "change-term", "now", ms(TRIENNIAL_LOCK, -1), null]],
  },
  // A wiped live renewal schedule always shows.
  {
    name: "an immediate change that wipes a live schedule the YAML does not declare shows it as a step",
    live: [{ ...APPS, scheduled: SCHEDULED_2 }],
    entries: { apps: entryOf(APPS, { quantity: 5 }) },
    expect: [
      ["apps", "increase-quantity", "now", NOW, null],
      ["apps", "clear-renewal", "at-renewal", RENEW_APPS, null],
    ],
    warnings: ["renewal-wiped"],
  },
  // Licence usage keyed by Graph SKU id.
  {
    name: "seats assigned under a Graph SKU id no catalog offer has are not counted against another offer",
    live: [FRESH],
    assigned: { "00000000-0000-4000-8000-00000000dead": 9 },
    entries: { basic: entryOf(FRESH, { quantity: 4 }) },
    expect: [["basic", "decrease-quantity", "now", NOW, null]],
  },
];
