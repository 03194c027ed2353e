import type { Me } from "../../session.js"
import { Link, Page } from "../../ui/kit.js"

export const PartnerHome = ({ me }: { me: Me }) => (
  <Page title={me.account_kind === "distributor" ? "Distributor overview" : "Partner overview"}>
    <ul class="cards">
      <li class="card"><h2>Customers</h2><p>Create and manage the customers you sell to.</p><Link to="customers">Customers</Link></li>
      <li class="card"><h2>Orders</h2><p>Draft, price and check out.</p><Link to="orders">Orders</Link></li>
    </ul>
  </Page>
)
