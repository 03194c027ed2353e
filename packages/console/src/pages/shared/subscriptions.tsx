import type { Schema } from "@provisio/client"
import { useState } from "preact/hooks"
import { day } from "../../format.js"
import { api, type Me } from "../../session.js"
import { failureText, Link, Notice, Page, PagedList, paged, Status } from "../../ui/kit.js"

type Subscription = Schema<"Subscription">

/** Quantity change (an increase is an order; a decrease is a request) and cancellation, inline. */
const Actions = ({ sub, onChange }: { sub: Subscription; onChange: (message: string) => void }) => {
  const [quantity, setQuantity] = useState(String(sub.quantity))
  if (sub.status !== "active") return null
  const change = async () => {
    const to = Number(quantity)
    if (to > sub.quantity) {
      const order = await api.POST("/api/v1/orders", { body: { customer_id: sub.customer_id } })
      if (!order.data) return onChange(failureText(order.error))
      const orderId = order.data.data.id
      const item = await api.POST("/api/v1/orders/{orderId}/items", { params: { path: { orderId } }, body: { subscription_id: sub.id, quantity: to - sub.quantity } })
      if (!item.data) return onChange(failureText(item.error))
      const done = await api.POST("/api/v1/orders/{orderId}/checkout", { params: { path: { orderId } } })
      return onChange(done.data ? `Quantity of ${sub.id} raised to ${to}.` : failureText(done.error))
    }
    const { error } = await api.POST("/api/v1/subscriptions/{subscriptionId}/quantity", { params: { path: { subscriptionId: sub.id } }, body: { quantity: to } })
    onChange(error ? failureText(error) : `Quantity decrease to ${to} requested.`)
  }
  return (
    <div class="row">
      <label>Quantity <input type="number" min={1} value={quantity} style={{ minWidth: "5rem", width: "5rem" }} onInput={(e) => setQuantity(e.currentTarget.value)} /></label>
      <button type="button" onClick={change} disabled={Number(quantity) === sub.quantity}>Change</button>
      <button type="button" class="danger" onClick={async () => {
        const { error } = await api.POST("/api/v1/subscriptions/{subscriptionId}/cancel", { params: { path: { subscriptionId: sub.id } }, body: { when: "end_of_billing_period" } })
        onChange(error ? failureText(error) : `${sub.id} cancels at the end of its period.`)
      }}>Cancel at period end</button>
    </div>
  )
}

export const Subscriptions = ({ me }: { me: Me }) => {
  const [status, setStatus] = useState("")
  const [message, setMessage] = useState<string | undefined>()
  const [version, setVersion] = useState(0)
  const manage = me.account_kind !== "customer" && me.role !== "viewer"
  return (
    <Page title="Subscriptions">
      <label>Status <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
        {[["", "Any"], ["active", "Active"], ["suspended", "Suspended"], ["cancelled", "Cancelled"]].map(([v, l]) => <option value={v}>{l}</option>)}
      </select></label>
      {message && <Notice>{message}</Notice>}
      <PagedList<Subscription> label="Subscriptions" deps={[status, version]} rowKey={(s) => s.id} empty="No subscriptions yet."
        load={(cursor) => paged(api.GET("/api/v1/subscriptions", { params: { query: { cursor, limit: 50, status: (status || undefined) as never } } }))}
        columns={[
          { label: "Subscription", render: (s) => <Link to={`subscriptions/${s.id}`}><code>{s.id}</code></Link> },
          ...(me.account_kind === "customer" ? [] : [{ label: "Customer", render: (s: Subscription) => <code>{s.customer_id}</code> }]),
          { label: "Plan", render: (s) => `${s.plan_id} v${s.plan_version}` },
          { label: "Quantity", render: (s) => s.quantity, numeric: true },
          { label: "Status", render: (s) => <Status value={s.status} /> },
          { label: "Period", render: (s) => `${day(s.current_period_start)} – ${day(s.current_period_end)}` },
          ...(manage ? [{ label: "Actions", render: (s: Subscription) => <Actions sub={s} onChange={(m) => { setMessage(m); setVersion((v) => v + 1) }} /> }] : [])
        ]} />
    </Page>
  )
}
