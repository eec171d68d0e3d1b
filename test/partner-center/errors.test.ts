import { describe, expect, it } from "vitest";
import { describePartnerCenterFailure } from "../../provider/client/errors";
import type { HttpFailure } from "../../provider/http/client";

const answer = (status: number, body: unknown): HttpFailure => ({ method: "PATCH", path: "/v1/x", status, body, networkCode: null });

describe("Partner Center errors say what to do", () => {
  it.each<[string, HttpFailure, string, string]>([
    [
      "a late decrease (800090)",
      answer(400, { code: 800090, description: "Subscription quantity cannot be decreased." }),
      "800090",
      "400 800090 Subscription quantity cannot be decreased; the reduction window of these seats has closed (seats can be removed only within 7 days of being added); schedule the lower quantity for renewal instead (renewal.quantity)",
    ],
    [
      "a late cancel (900117)",
      answer(400, { code: "900117", description: "You have passed your 7-day cancellation window. We are unable to cancel your purchase" }),
      "900117",
      "400 900117 You have passed your 7-day cancellation window. We are unable to cancel your purchase; the cancellation window has closed; end the subscription at term end instead (autoRenew: false)",
    ],
    [
      "a stale etag (2055)",
      answer(400, { code: "2055", description: "Etag is no longer valid" }),
      "2055",
      "400 2055 Etag is no longer valid; the subscription changed while seatplan was updating it, also after one re-read; run again",
    ],
    [
      "a quantity out of range (2002)",
      answer(400, { code: "2002", description: "Quantity is not within the allowed range" }),
      "2002",
      "400 2002 Quantity is not within the allowed range; the quantity is outside the offer's minimum and maximum seats; pick a quantity the offer allows",
    ],
    [
      "a change to a cancelled subscription (2011)",
      answer(400, { code: "2011", description: "Cannot update a subscription with deleted status" }),
      "2011",
      "400 2011 Cannot update a subscription with deleted status; the subscription is cancelled and cannot change; remove it from the file or buy a new one",
    ],
    [
      "an unknown code falls back on the status",
      answer(409, { code: "4711", description: "Something odd" }),
      "4711",
      "409 4711 Something odd; check the request",
    ],
    [
      "a throttling answer in the 429 shape",
      answer(429, { statusCode: 429, message: "Rate limit is exceeded. Try again in 1 seconds." }),
      "429",
      "429 429 Rate limit is exceeded. Try again in 1 seconds; Partner Center is throttling; run again later or with less concurrency",
    ],
    ["a 401 without a body", answer(401, ""), "HTTP_401", "Partner Center answered 401; Partner Center refused the access token; check the credentials (an access token given in SEATPLAN_ACCESS_TOKEN may have expired)"],
    ["a 503 without a body", answer(503, undefined), "HTTP_503", "Partner Center answered 503; Partner Center failed; run again later"],
    [
      "no answer at all",
      { method: "GET", path: "/v1/customers", status: null, body: undefined, networkCode: "ECONNRESET" },
      "ECONNRESET",
      "no answer from Partner Center (ECONNRESET); check the network and SEATPLAN_ENDPOINT",
    ],
  ])("%s", (_name, failure, code, message) => {
    expect(describePartnerCenterFailure(failure)).toEqual({ code, message });
  });
});
