import type { Route } from "../../app.js"
import type { Me } from "../../session.js"
import { PaymentMethods } from "../partner/customer.js"
import { InvoiceDetail, Invoices } from "../shared/invoices.js"
import { SubscriptionDetail } from "../shared/subscription.js"
import { Subscriptions } from "../shared/subscriptions.js"
import { Page } from "../../ui/kit.js"
import { CustomerHome } from "./home.js"
import { TicketDetail, Tickets } from "./tickets.js"
import { Usage } from "./usage.js"

const OwnPaymentMethods = ({ me }: { me: Me }) => <Page title="Payment methods"><PaymentMethods customerId={me.account_id} /></Page>

export const customerRoutes: ReadonlyArray<Route> = [
  { path: "", label: "Services", view: CustomerHome },
  { path: "subscriptions", label: "Subscriptions", view: Subscriptions },
  { path: "subscriptions/:id", view: SubscriptionDetail },
  { path: "usage", label: "Usage", view: Usage },
  { path: "invoices", label: "Invoices", view: Invoices },
  { path: "invoices/:id", view: InvoiceDetail },
  { path: "payment-methods", label: "Payment methods", view: OwnPaymentMethods },
  { path: "tickets", label: "Support", view: Tickets },
  { path: "tickets/:id", view: TicketDetail }
]
