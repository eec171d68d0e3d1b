import type { FailureDescription, HttpFailure } from "../http/client";
import { apiFaultFrom } from "../wire/partner-center";

/**
 * What to do about each Partner Center error code (reference/partner-center.md §5.2). The API's
 * own description says what happened; this says what the user should change.
 */
const ADVICE: Readonly<Record<string, string>> = {
  "800090": "the reduction window of these seats has closed (seats can be removed only within 7 days of being added); schedule the lower quantity for renewal instead (renewal.quantity)",
  "900117": "the cancellation window has closed; end the subscription at term end instead (autoRenew: false)",
  "2055": "the subscription changed while seatplan was updating it, also after one re-read; run again",
  "2002": "the quantity is outside the offer's minimum and maximum seats; pick a quantity the offer allows",
  "2011": "the subscription is cancelled and cannot change; remove it from the file or buy a new one",
  "800091": "the subscription is suspended; reactivate it in Partner Center first",
  "800093": "this subscription cannot renew automatically; leave autoRenew as it is",
  "800097": "term and billing frequency change only at renewal; use renewal.term / renewal.billing, or an upgrade",
  "800060": "an order for this customer is still in progress; run again in a few minutes",
  "800064": "the cart is being processed by another request; run again in a few minutes",
  "800082": "the subscription is not ready to be updated yet; run again in a few minutes",
  "20002": "the partner has no commerce relationship with this customer; check the customer's tenantId",
  "20003": "no such subscription for this customer; check the subscription id in the file",
  "10001": "the offer is not sold (or its availability changed); check the offer id against the catalog",
  "10013": "the offer is not sold with this term and billing frequency; pick a combination the catalog lists",
  "10017": "the custom term end date is not one Partner Center offers; use a date from customTermEndDates",
  "13605": "the customer has not accepted the Microsoft Customer Agreement; confirm the acceptance in Partner Center first",
};

const ADVICE_BY_STATUS: Readonly<Record<number, string>> = {
  401: "Partner Center refused the access token; check the credentials (an access token given in SEATPLAN_ACCESS_TOKEN may have expired)",
  403: "the credentials may not make this call; some calls need app+user credentials (SEATPLAN_REFRESH_TOKEN) or an Admin agent role",
  404: "Partner Center does not know this resource; check the ids in the file and SEATPLAN_ENDPOINT",
  429: "Partner Center is throttling; run again later or with less concurrency",
};

function statusAdvice(status: number): string {
  return ADVICE_BY_STATUS[status] ?? (status >= 500 ? "Partner Center failed; run again later" : "check the request");
}

/** Turns a final Partner Center failure into a code and a message that says what to do. */
export function describePartnerCenterFailure(f: HttpFailure): FailureDescription {
  if (f.status === null) {
    const code = f.networkCode ?? "NETWORK";
    return { code, message: `no answer from Partner Center (${code}); check the network and SEATPLAN_ENDPOINT` };
  }
  const fault = apiFaultFrom(f.body);
  if (!fault) return { code: `HTTP_${f.status}`, message: `Partner Center answered ${f.status}; ${statusAdvice(f.status)}` };
  const description = fault.description.trim().replace(/\.$/, "");
  return { code: fault.code, message: `${f.status} ${fault.code} ${description}; ${ADVICE[fault.code] ?? statusAdvice(f.status)}` };
}
