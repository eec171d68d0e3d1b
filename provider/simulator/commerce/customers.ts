import type { WireCustomer } from "../../wire/partner-center";
import type { SimCustomer } from "../state";
import type { CommerceContext } from "./context";


/** Customers: how one renders (`GET /v1/customers[/{id}]`). */

export function renderCustomer(ctx: CommerceContext, customer: SimCustomer): WireCustomer {
  return {
    id: customer.id,
    companyProfile: {
      tenantId: customer.id,
      domain: customer.domain,
      companyName: customer.companyName,
      attributes: { objectType: "CustomerCompanyProfile" },
    },
    relationshipToPartner: "reseller",
    links: { self: { uri: `/customers/${customer.id}`, method: "GET", headers: [] } },
    attributes: { objectType: "Customer" },
  };
}
