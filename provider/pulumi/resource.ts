import * as pulumi from "@pulumi/pulumi";
import type { BusinessSeatCapPolicy, ReductionPolicy, RemovalPolicy } from "../domain/types";
import type { SubscriptionEntry, SubscriptionInputs } from "./inputs";
import type { SubscriptionOutputs } from "./outputs";
import { SubscriptionProvider } from "./provider";
import { packageVersion } from "./version";

/**
 * The provider object every `Subscription` uses: the SDK serializes a provider once per object
 * (its cache is keyed by the object), so a fresh one per resource would cost a serialization each.
 */
export const subscriptionProvider = new SubscriptionProvider();

/** Arguments of a {@link Subscription}; `fromYaml` fills them from the YAML. */
export interface SubscriptionArgs {
  /** The normalised YAML entry (see `entryOf`). */
  readonly entry: pulumi.Input<SubscriptionEntry>;
  /** Customer key of the YAML. */
  readonly customerKey: pulumi.Input<string>;
  /** The customer's tenant id. */
  readonly customerTenantId: pulumi.Input<string>;
  /** `policy.reductions`. @default "block" */
  readonly reductions?: pulumi.Input<ReductionPolicy>;
  /** `policy.removed`: what deleting the resource does to the subscription. @default "release" */
  readonly removed?: pulumi.Input<RemovalPolicy>;
  /** `policy.businessSeatCap`: `block` refuses a change past the Business family's 300 seats. @default "warn" */
  readonly businessSeatCap?: pulumi.Input<BusinessSeatCapPolicy>;
  /** The YAML file the entry comes from (relative to the project); a delete reads its `policy.removed`. */
  readonly desiredFile?: pulumi.Input<string>;
  /** Entries linked to this one by `upgrade.into` or `alignEndDate`. @default [] */
  readonly related?: pulumi.Input<pulumi.Input<SubscriptionEntry>[]>;
  /** @default the installed seatplan version */
  readonly providerVersion?: pulumi.Input<string>;
}

type OutputsAsProperties = { readonly [K in keyof SubscriptionOutputs]: pulumi.Output<SubscriptionOutputs[K]> };

/**
 * One CSP subscription of a customer tenant, managed through seatplan's planner: `preview`
 * shows whether the YAML entry needs a change (and fails on a change the commerce rules refuse),
 * `up` applies it, `refresh` reads the live subscription; removal follows `policy.removed`:
 * `release` (default) leaves the subscription as it is, `cancel` cancels or ends it at term end.
 * Type `pulumi-nodejs:dynamic/seatplan:Subscription`.
 */
export class Subscription extends pulumi.dynamic.Resource implements OutputsAsProperties {
  declare readonly subscriptionId: pulumi.Output<string>;
  declare readonly customerKey: pulumi.Output<string>;
  declare readonly subscriptionKey: pulumi.Output<string>;
  declare readonly customerTenantId: pulumi.Output<string>;
  declare readonly offer: pulumi.Output<string>;
  declare readonly catalogItemId: pulumi.Output<string>;
  declare readonly offerName: pulumi.Output<string>;
  declare readonly friendlyName: pulumi.Output<string>;
  declare readonly quantity: pulumi.Output<number>;
  declare readonly status: pulumi.Output<SubscriptionOutputs["status"]>;
  declare readonly autoRenew: pulumi.Output<boolean>;
  declare readonly term: pulumi.Output<SubscriptionOutputs["term"]>;
  declare readonly billing: pulumi.Output<SubscriptionOutputs["billing"]>;
  declare readonly startDate: pulumi.Output<string>;
  declare readonly endDate: pulumi.Output<string>;
  declare readonly cancellationAllowedUntilDate: pulumi.Output<string | null>;
  declare readonly refundableQuantity: pulumi.Output<SubscriptionOutputs["refundableQuantity"]>;
  declare readonly scheduledRenewal: pulumi.Output<SubscriptionOutputs["scheduledRenewal"]>;
  declare readonly isTrial: pulumi.Output<boolean>;
  declare readonly orderId: pulumi.Output<string | null>;
  declare readonly providerVersion: pulumi.Output<string>;
  declare readonly removed: pulumi.Output<"release" | "cancel">;
  declare readonly desiredFile: pulumi.Output<string | null>;

  constructor(name: string, args: SubscriptionArgs, opts?: pulumi.CustomResourceOptions) {
    const inputs: { readonly [K in keyof SubscriptionInputs]: pulumi.Input<unknown> } = {
      entry: args.entry,
      customerKey: args.customerKey,
      customerTenantId: args.customerTenantId,
      reductions: args.reductions ?? "block",
      removed: args.removed ?? "release",
      // Only when set: stacks on the default keep the inputs they had.
      ...(args.businessSeatCap === undefined ? {} : { businessSeatCap: args.businessSeatCap }),
      ...(args.desiredFile === undefined ? {} : { desiredFile: args.desiredFile }),
      related: args.related ?? [],
      providerVersion: args.providerVersion ?? packageVersion(),
    };
    // Output-only properties are declared with `undefined` so the SDK exposes them on the resource.
    const outputs = Object.fromEntries(OUTPUT_ONLY.map((k) => [k, undefined]));
    super(subscriptionProvider, name, { ...outputs, ...inputs }, opts, "seatplan", "Subscription");
  }
}

const OUTPUT_ONLY: readonly (keyof SubscriptionOutputs)[] = [
  "subscriptionId",
  "subscriptionKey",
  "offer",
  "catalogItemId",
  "offerName",
  "friendlyName",
  "quantity",
  "status",
  "autoRenew",
  "term",
  "billing",
  "startDate",
  "endDate",
  "cancellationAllowedUntilDate",
  "refundableQuantity",
  "scheduledRenewal",
  "isTrial",
  "orderId",
];
