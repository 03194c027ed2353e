import { useState } from "preact/hooks"
import { api, type Me } from "../../session.js"
import { BarChart } from "../../ui/chart.js"
import { Busy, Page, paged, useLoad } from "../../ui/kit.js"

/** Usage of one subscription per SKU and per day (the last 30 days), drawn as bars. */
export const Usage = (_: { me: Me }) => {
  const subscriptions = useLoad(async () => (await paged(api.GET("/api/v1/subscriptions", { params: { query: { limit: 200 } } }))).rows, [])
  const [chosen, setChosen] = useState<string | undefined>()
  const subscriptionId = chosen ?? subscriptions.value?.[0]?.id
  const usage = useLoad(async () => {
    if (!subscriptionId) return undefined
    const from = new Date(Date.now() - 30 * 86_400_000).toISOString()
    const [byDay, bySku] = await Promise.all([
      api.GET("/api/v1/usage", { params: { query: { subscription_id: subscriptionId, from, group_by: "day" } } }),
      api.GET("/api/v1/usage", { params: { query: { subscription_id: subscriptionId, from, group_by: "sku" } } })
    ])
    return { byDay: byDay.data?.data.totals ?? [], bySku: bySku.data?.data.totals ?? [] }
  }, [subscriptionId])
  if (!subscriptions.value) return <Page title="Usage"><Busy /></Page>
  if (subscriptions.value.length === 0) return <Page title="Usage"><p class="empty">No subscriptions, so no usage yet.</p></Page>
  return (
    <Page title="Usage">
      <label>Subscription <select value={subscriptionId} onChange={(e) => setChosen(e.currentTarget.value)}>
        {subscriptions.value.map((s) => <option value={s.id}>{s.id} ({s.plan_id})</option>)}
      </select></label>
      {!usage.value ? <Busy /> : (
        <>
          <BarChart title="Usage per day" points={usage.value.byDay.map((t) => ({ label: (t.day ?? "").slice(5, 10), value: Number(t.quantity) }))} />
          <BarChart title="Usage per SKU" points={usage.value.bySku.map((t) => ({ label: t.sku_code ?? t.sku_id ?? "", value: Number(t.quantity) }))} />
        </>
      )}
    </Page>
  )
}
