import type { Route } from "../../app.js"
import type { Me } from "../../session.js"
import { Accounts } from "../operator/accounts.js"
import { BillingRuns } from "../shared/billing-runs.js"
import { InvoiceDetail, Invoices } from "../shared/invoices.js"
import { SubscriptionDetail } from "../shared/subscription.js"
import { Subscriptions } from "../shared/subscriptions.js"
import { BrandingPage } from "./branding.js"
import { CustomerDetail } from "./customer.js"
import { Customers } from "./customers.js"
import { PartnerHome } from "./home.js"
import { Exports, Margins } from "./money.js"
import { OrderDetail, Orders } from "./orders.js"
import { Reconciliation, StatementDetail } from "./reconciliation.js"

/** Distributors and partners: the same pages, a distributor with its partners too. */
export const partnerRoutes = (me: Me): ReadonlyArray<Route> => [
  { path: "", label: "Overview", view: PartnerHome },
  ...(me.account_kind === "distributor" ? [{ path: "partners", label: "Partners", view: Accounts }] : []),
  { path: "customers", label: "Customers", view: Customers },
  { path: "customers/:id", view: CustomerDetail },
  { path: "orders", label: "Orders", view: Orders },
  { path: "orders/:id", view: OrderDetail },
  { path: "subscriptions", label: "Subscriptions", view: Subscriptions },
  { path: "subscriptions/:id", view: SubscriptionDetail },
  { path: "invoices", label: "Invoices", view: Invoices },
  { path: "invoices/:id", view: InvoiceDetail },
  { path: "reconciliation", label: "Reconciliation", view: Reconciliation },
  { path: "reconciliation/:id", view: StatementDetail },
  { path: "billing", label: "Billing runs", view: BillingRuns },
  { path: "margins", label: "Margins", view: Margins },
  { path: "exports", label: "Exports", view: Exports },
  { path: "branding", label: "Branding", view: BrandingPage }
]
