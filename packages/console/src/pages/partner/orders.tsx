import type { Schema } from "@provisio/client"
import { useState } from "preact/hooks"
import { money, when } from "../../format.js"
import { navigate, useRoute } from "../../router.js"
import { api, type Me } from "../../session.js"
import { Form } from "../../ui/form.js"
import { Busy, Link, Notice, Page, PagedList, failureText, ok, paged, Status, useLoad } from "../../ui/kit.js"

type Order = Schema<"Order">
type Plan = Schema<"Plan">

export const Orders = (_: { me: Me }) => {
  const { query } = useRoute()
  const customer = query.get("customer") ?? ""
  return (
    <Page title="Orders">
      <Form id="new-order" submitLabel="Start a draft order"
        fields={[{ name: "customer_id", label: "Customer id", required: true, hint: "cus_… (open a customer to copy it)" }]}
        initial={{ customer_id: customer }}
        submit={async (v) => {
          const answer = await api.POST("/api/v1/orders", { body: { customer_id: v["customer_id"] ?? "" } })
          if (answer.data) navigate(`orders/${answer.data.data.id}`)
          return answer
        }} />
      <PagedList<Order> label="Orders" rowKey={(o) => o.id} empty="No orders yet."
        filter={(o, text) => o.customer_id.includes(text) || o.status.includes(text)}
        load={(cursor) => paged(api.GET("/api/v1/orders", { params: { query: { cursor, limit: 50 } } }))}
        columns={[
          { label: "Order", render: (o) => <Link to={`orders/${o.id}`}>{o.id}</Link> },
          { label: "Customer", render: (o) => <code>{o.customer_id}</code> },
          { label: "Status", render: (o) => <Status value={o.status} /> },
          { label: "Items", render: (o) => o.items.length, numeric: true },
          { label: "Total", render: (o) => money(o.total), numeric: true },
          { label: "Created", render: (o) => when(o.created_at) }
        ]} />
    </Page>
  )
}

/** What the customer will pay for a plan: the price list chain resolved for that customer. */
const CustomerPrice = ({ plan, customerId }: { plan: Plan; customerId: string }) => {
  const price = useLoad(() => ok(api.GET("/api/v1/plans/{planId}/price", { params: { path: { planId: plan.id }, query: { customer_id: customerId } } })), [plan.id, customerId])
  if (price.error) return <span>{money(plan.price)} (list)</span>
  return <span>{price.value ? money(price.value.price) : "…"} / {plan.billing_interval}</span>
}

export const OrderDetail = ({ params }: { params: Readonly<Record<string, string>>; me: Me }) => {
  const orderId = params["id"]!
  const order = useLoad(() => ok(api.GET("/api/v1/orders/{orderId}", { params: { path: { orderId } } })), [orderId])
  const plans = useLoad(async () => (await paged(api.GET("/api/v1/plans", { params: { query: { limit: 200 } } }))).rows.filter((p) => p.status === "published"), [])
  const skus = useLoad(async () => (await paged(api.GET("/api/v1/pricing", { params: { query: { limit: 200 } } }))).rows, [])
  const [checking, setChecking] = useState<string | undefined>()
  if (order.error) return <Notice kind="error">{failureText(order.error)}</Notice>
  if (!order.value) return <Busy />
  const o = order.value
  const draft = o.status === "draft"
  return (
    <Page title={`Order ${o.id}`}>
      <p><Status value={o.status} /> for <Link to={`customers/${o.customer_id}`}>{o.customer_id}</Link> · total {money(o.total)}</p>
      {o.items.length === 0 ? <p class="empty">No items yet: add a plan below.</p> : (
        <table aria-label="Order items">
          <thead><tr><th scope="col">Item</th><th scope="col" class="num">Quantity</th><th scope="col" class="num">Unit price</th><th scope="col" class="num">Amount</th><th scope="col">Status</th><th scope="col">Subscription</th></tr></thead>
          <tbody>{o.items.map((item) => (
            <tr>
              <td>{plans.value?.find((p) => p.id === item.plan_id)?.name ?? skus.value?.find((k) => k.id === item.sku_id)?.name ?? item.plan_id ?? item.sku_id}</td>
              <td class="num">{item.quantity}</td>
              <td class="num">{money(item.unit_price)}</td>
              <td class="num">{money(item.amount)}</td>
              <td><Status value={item.status} />{item.error && <span class="field-error"> {item.error}</span>}</td>
              <td>{item.subscription_id ? <code>{item.subscription_id}</code> : "—"}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
      {draft && (
        <>
          <h2>Add a plan or a one-off item</h2>
          {plans.value && plans.value.length > 0 ? (
            <table aria-label="Published plans and the customer's price">
              <thead><tr><th scope="col">Plan</th><th scope="col" class="num">Customer pays</th></tr></thead>
              <tbody>{plans.value.map((p) => <tr><td>{p.name}</td><td class="num"><CustomerPrice plan={p} customerId={o.customer_id} /></td></tr>)}</tbody>
            </table>
          ) : <p class="empty">No published plans.</p>}
          <Form id="add-item" submitLabel="Add to order" onDone={order.reload}
            fields={[
              { name: "item", label: "Item", type: "select", options: [
                ...(plans.value ?? []).map((p) => [`plan:${p.id}`, `${p.name} (plan v${p.version})`] as const),
                ...(skus.value ?? []).map((k) => [`sku:${k.id}`, `${k.name} (one-off, ${k.code})`] as const)
              ] },
              { name: "quantity", label: "Quantity", type: "number", required: true }
            ]}
            initial={{ item: plans.value?.[0] ? `plan:${plans.value[0].id}` : "", quantity: "1" }}
            submit={(v) => {
              const [kind, id] = (v["item"] || (plans.value?.[0] ? `plan:${plans.value[0].id}` : "")).split(":")
              return api.POST("/api/v1/orders/{orderId}/items", {
                params: { path: { orderId } },
                body: { ...(kind === "sku" ? { sku_id: id } : { plan_id: id }), quantity: Number(v["quantity"] ?? "") }
              })
            }} />
          <div class="row">
            <button type="button" class="primary" disabled={o.items.length === 0 || checking !== undefined}
              onClick={async () => {
                setChecking("Checking out…")
                const { error } = await api.POST("/api/v1/orders/{orderId}/checkout", { params: { path: { orderId } } })
                setChecking(error ? failureText(error) : undefined)
                order.reload()
              }}>Check out</button>
            <button type="button" class="danger" onClick={() => api.DELETE("/api/v1/orders/{orderId}", { params: { path: { orderId } } }).then(order.reload)}>Cancel order</button>
          </div>
          {checking && <p role="status">{checking}</p>}
        </>
      )}
      {o.status === "completed" && <Notice kind="ok">Checked out: see <Link to="subscriptions">the subscriptions</Link>.</Notice>}
    </Page>
  )
}
