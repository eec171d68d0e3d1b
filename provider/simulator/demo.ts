import { formatWireDate } from "../wire/partner-center";
import type { BillingCycle, Term } from "../domain/types";
import { builtInCatalogData } from "./catalog";
import { DAY_MS, HOUR_MS, startOfDay, termEnd } from "./dates";
import { DEFAULT_CANCELLATION_WINDOW_HOURS } from "./engine";
import type { SeatLotRecord, SimState, SimSubscription } from "./state";

/**
 * The demo tenant (`demo-tenant.md`), dated relative to the clock so every rule shows whenever
 * it is created: a subscription renewing within 30 days and long out of its window, one bought
 * 2 days ago (reducible and cancellable now), a monthly one, a trial, a second customer with a
 * mid-term batch of seats still refundable and an unmanaged subscription.
 *
 * The ids are fixed so docs, examples and tests can name them.
 */

export const DEMO_CUSTOMERS = {
  rockit: "ee2337af-1fb7-44c8-b0ef-e6bf5b59baed",
  northwind: "6b9f0d6a-3c1e-4c59-9a0e-2f7c1d8a4b21",
} as const;

export const DEMO_SUBSCRIPTIONS = {
  /** Rockit: Microsoft 365 Apps for business, P1Y annual, 3 seats, started 345 days ago. */
  appsForBusiness: "ec4accce-b04f-4b8d-dc23-629b6d8e630b",
  /** Rockit: Microsoft 365 Business Basic, P1Y monthly, 5 seats, bought 2 days ago. */
  businessBasic: "3f2a8c1e-5b7d-4e9a-8c6f-1d2e3f4a5b01",
  /** Rockit: Microsoft Teams Essentials, P1M monthly, 4 seats, started 12 days ago. */
  teamsEssentials: "3f2a8c1e-5b7d-4e9a-8c6f-1d2e3f4a5b02",
  /** Rockit: Microsoft 365 Business Premium trial, P1M monthly, 25 seats, started 5 days ago. */
  premiumTrial: "3f2a8c1e-5b7d-4e9a-8c6f-1d2e3f4a5b03",
  /** Northwind: Exchange Online (Plan 1), P1Y annual, 10 seats, started 200 days ago. */
  exchangePlan1: "7c1d9e2f-4a6b-4c8d-9e0f-2a3b4c5d6e01",
  /** Northwind: Microsoft 365 Business Standard, P1Y monthly, 8 seats (2 added 3 days ago). */
  businessStandard: "7c1d9e2f-4a6b-4c8d-9e0f-2a3b4c5d6e02",
  /** Northwind: Office 365 E1, P1Y annual, 2 seats, auto-renew off, started 60 days ago. */
  unmanagedE1: "7c1d9e2f-4a6b-4c8d-9e0f-2a3b4c5d6e03",
} as const;

interface DemoSubscription {
  readonly id: string;
  readonly offer: string;
  readonly friendlyName: string;
  readonly term: Term;
  readonly billing: BillingCycle;
  readonly quantity: number;
  readonly startedDaysAgo: number;
  readonly autoRenew?: boolean;
  readonly isTrial?: boolean;
  /** Seats added mid-term: how many, how many days ago. */
  readonly added?: { readonly quantity: number; readonly daysAgo: number };
  readonly orderId: string;
}

function subscription(now: number, d: DemoSubscription): SimSubscription {
  const offer = builtInCatalogData().offers.find((o) => o.offer === d.offer);
  if (!offer) throw new Error(`demo tenant: ${d.offer} is not in the built-in catalog`);
  const windowMs = DEFAULT_CANCELLATION_WINDOW_HOURS * HOUR_MS;
  const start = startOfDay(now - d.startedDaysAgo * DAY_MS);
  const lots: SeatLotRecord[] = [{ quantity: d.quantity - (d.added?.quantity ?? 0), allowedUntilDateTime: formatWireDate(start + windowMs) }];
  if (d.added) lots.push({ quantity: d.added.quantity, allowedUntilDateTime: formatWireDate(now - d.added.daysAgo * DAY_MS + windowMs) });
  return {
    id: d.id,
    offerId: `${offer.offer}:${offer.availabilityId}`,
    offerName: offer.name,
    friendlyName: d.friendlyName,
    quantity: d.quantity,
    status: "active",
    autoRenewEnabled: d.autoRenew ?? true,
    termDuration: d.term,
    billingCycle: d.billing,
    creationDate: formatWireDate(start),
    effectiveStartDate: formatWireDate(start),
    commitmentEndDate: formatWireDate(termEnd(start, d.term)),
    cancellationAllowedUntilDate: formatWireDate(start + windowMs),
    scheduledNextTermInstructions: null,
    isTrial: d.isTrial ?? false,
    orderId: d.orderId,
    seatLots: lots,
  };
}

/** The demo state at `now` (UTC ms); the clock is frozen there so the demo stays valid. */
export function demoState(clock: number): SimState {
  const now = Math.floor(clock / 1000) * 1000;
  const s = (d: DemoSubscription): SimSubscription => subscription(now, d);
  return {
    version: 1,
    now: formatWireDate(now),
    settings: { cancellationWindowHours: DEFAULT_CANCELLATION_WINDOW_HOURS },
    customers: [
      {
        id: DEMO_CUSTOMERS.rockit,
        companyName: "Rockit",
        domain: "rockit.onmicrosoft.com",
        assignedLicenses: { "CFQ7TTC0LH1G:0001": 2, "CFQ7TTC0LH18:0001": 3, "CFQ7TTC0JN4R:0002": 2 },
        subscriptions: [
          s({ id: DEMO_SUBSCRIPTIONS.appsForBusiness, offer: "CFQ7TTC0LH1G:0001", friendlyName: "apps-for-business", term: "P1Y", billing: "annual", quantity: 3, startedDaysAgo: 345, orderId: "d3m0rock0001" }),
          s({ id: DEMO_SUBSCRIPTIONS.businessBasic, offer: "CFQ7TTC0LH18:0001", friendlyName: "business-basic", term: "P1Y", billing: "monthly", quantity: 5, startedDaysAgo: 2, orderId: "d3m0rock0002" }),
          s({ id: DEMO_SUBSCRIPTIONS.teamsEssentials, offer: "CFQ7TTC0JN4R:0002", friendlyName: "teams-essentials", term: "P1M", billing: "monthly", quantity: 4, startedDaysAgo: 12, orderId: "d3m0rock0003" }),
          s({ id: DEMO_SUBSCRIPTIONS.premiumTrial, offer: "CFQ7TTC0LCHC:0002", friendlyName: "premium-trial", term: "P1M", billing: "monthly", quantity: 25, startedDaysAgo: 5, isTrial: true, orderId: "d3m0rock0004" }),
        ],
      },
      {
        id: DEMO_CUSTOMERS.northwind,
        companyName: "Northwind Traders",
        domain: "northwindtraders.onmicrosoft.com",
        assignedLicenses: { "CFQ7TTC0LH16:0001": 9, "CFQ7TTC0LDPB:0001": 6 },
        subscriptions: [
          s({ id: DEMO_SUBSCRIPTIONS.exchangePlan1, offer: "CFQ7TTC0LH16:0001", friendlyName: "exchange-plan-1", term: "P1Y", billing: "annual", quantity: 10, startedDaysAgo: 200, orderId: "d3m0nwnd0001" }),
          s({ id: DEMO_SUBSCRIPTIONS.businessStandard, offer: "CFQ7TTC0LDPB:0001", friendlyName: "business-standard", term: "P1Y", billing: "monthly", quantity: 8, startedDaysAgo: 100, added: { quantity: 2, daysAgo: 3 }, orderId: "d3m0nwnd0002" }),
          s({ id: DEMO_SUBSCRIPTIONS.unmanagedE1, offer: "CFQ7TTC0LF8Q:0001", friendlyName: "unmanaged-e1", term: "P1Y", billing: "annual", quantity: 2, startedDaysAgo: 60, autoRenew: false, orderId: "d3m0nwnd0003" }),
        ],
      },
    ],
  };
}
