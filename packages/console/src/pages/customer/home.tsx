import type { Me } from "../../session.js"
import { Link, Page } from "../../ui/kit.js"

export const CustomerHome = (_: { me: Me }) => (
  <Page title="Your services">
    <ul class="cards">
      <li class="card"><h2>Subscriptions</h2><p>What you use and what it costs.</p><Link to="subscriptions">Subscriptions</Link></li>
    </ul>
  </Page>
)
