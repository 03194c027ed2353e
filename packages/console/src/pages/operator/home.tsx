import { api, type Me } from "../../session.js"
import { Link, Page, paged, useLoad } from "../../ui/kit.js"

/** The operator's overview: how many accounts, what is waiting, where to go next. */
export const OperatorHome = (_: { me: Me }) => {
  const counts = useLoad(async () => {
    const [distributors, partners, deliveries] = await Promise.all([
      paged(api.GET("/api/v1/distributors", { params: { query: { limit: 200 } } })),
      paged(api.GET("/api/v1/partners", { params: { query: { limit: 200 } } })),
      api.GET("/api/v1/deliveries/stats")
    ])
    return { distributors: distributors.rows.length, partners: partners.rows.length, deliveries: deliveries.data?.data }
  }, [])
  return (
    <Page title="Operator overview">
      <ul class="cards">
        <li class="card"><h2>Distributors</h2><p class="big">{counts.value?.distributors ?? "…"}</p><Link to="accounts">Account tree</Link></li>
        <li class="card"><h2>Partners</h2><p class="big">{counts.value?.partners ?? "…"}</p><Link to="accounts">Account tree</Link></li>
        <li class="card"><h2>Catalog</h2><p>Products, plans and SKUs</p><Link to="catalog">Open the catalog</Link></li>
        <li class="card"><h2>Billing</h2><p>Runs and their progress</p><Link to="billing">Billing runs</Link></li>
      </ul>
    </Page>
  )
}
