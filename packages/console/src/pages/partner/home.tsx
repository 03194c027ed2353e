import { thisPeriod, money } from "../../format.js"
import { api, type Me } from "../../session.js"
import { Link, Page, paged, useLoad } from "../../ui/kit.js"
import { ownAccount } from "./money.js"

const count = (rows: ReadonlyArray<unknown>, next: string | null) => next === null ? String(rows.length) : `${rows.length}+`

/** A distributor's or partner's overview: what it sells, what is owed, this month's margin. */
export const PartnerHome = ({ me }: { me: Me }) => {
  const figures = useLoad(async () => {
    const [customers, subscriptions, overdue, margins] = await Promise.all([
      paged(api.GET("/api/v1/customers", { params: { query: { limit: 200 } } })),
      paged(api.GET("/api/v1/subscriptions", { params: { query: { limit: 200, status: "active" } } })),
      paged(api.GET("/api/v1/invoices", { params: { query: { limit: 200, status: "overdue" } } })),
      api.GET("/api/v1/channel/margins", { params: { query: { period: thisPeriod(), ...ownAccount(me) } } })
    ])
    return {
      customers: count(customers.rows, customers.next),
      subscriptions: count(subscriptions.rows, subscriptions.next),
      overdue: count(overdue.rows, overdue.next),
      margin: margins.data?.data.totals?.margin ?? null
    }
  }, [me.account_id])
  const f = figures.value
  return (
    <Page title={me.account_kind === "distributor" ? "Distributor overview" : "Partner overview"}>
      <ul class="cards">
        <li class="card"><h2>Customers</h2><p class="big">{f?.customers ?? "…"}</p><Link to="customers">Customers</Link></li>
        <li class="card"><h2>Active subscriptions</h2><p class="big">{f?.subscriptions ?? "…"}</p><Link to="subscriptions">Subscriptions</Link></li>
        <li class="card"><h2>Overdue invoices</h2><p class="big">{f?.overdue ?? "…"}</p><Link to="invoices">Invoices</Link></li>
        <li class="card"><h2>Margin this month</h2><p class="big">{f ? money(f.margin) : "…"}</p><Link to="margins">Margins</Link></li>
      </ul>
      <p><Link to="orders">Start an order</Link> · <Link to="branding">Branding of your customers' portal</Link></p>
    </Page>
  )
}
