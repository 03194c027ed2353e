import type { Schema } from "@provisio/client"
import { day } from "../../format.js"
import { api, type Me } from "../../session.js"
import { Link, Page, PagedList, paged } from "../../ui/kit.js"

/** The customer's services: its products in service, with their subscriptions and numbers. */
export const CustomerHome = ({ me }: { me: Me }) => (
  <Page title="Your services">
    <PagedList<Schema<"InServiceProduct">> label="Services" rowKey={(p) => p.id} empty="No services yet: your partner's orders appear here once they are in service."
      load={(cursor) => paged(api.GET("/api/v1/customers/{customerId}/products", { params: { path: { customerId: me.account_id }, query: { cursor, limit: 50 } } }))}
      columns={[
        { label: "Service", render: (p) => p.name },
        { label: "Type", render: (p) => p.type },
        { label: "Subscriptions", render: (p) => p.subscriptions.map((s) => `${s.quantity} × since ${day(s.since)}`).join(", ") || "—" },
        { label: "Numbers", render: (p) => p.numbers.map((n) => n.number).join(", ") || "—" }
      ]} />
    <p><Link to="subscriptions">Subscriptions</Link> · <Link to="usage">Usage</Link> · <Link to="invoices">Invoices</Link> · <Link to="tickets">Support</Link></p>
  </Page>
)
