import type { Schema } from "@provisio/client"
import { useState } from "preact/hooks"
import { money } from "../../format.js"
import { api, type Me } from "../../session.js"
import { Form, opt } from "../../ui/form.js"
import { Page, PagedList, paged, Status } from "../../ui/kit.js"

type Product = Schema<"Product">
type Plan = Schema<"Plan">

/** Products, and plan versions with their publishing. */
export const Catalog = (_: { me: Me }) => {
  const [version, setVersion] = useState(0)
  const bump = () => setVersion((v) => v + 1)
  return (
    <Page title="Catalog">
      <h2>Products</h2>
      <Form id="new-product" submitLabel="Create product" onDone={bump}
        fields={[
          { name: "name", label: "Product name", required: true },
          { name: "type", label: "Type", type: "select", options: [["service", "Service"], ["license", "License"], ["connection", "Connection"], ["phone_number", "Phone number"]] }
        ]}
        initial={{ type: "service" }}
        submit={(v) => api.POST("/api/v1/products", { body: { name: v["name"] ?? "", type: v["type"] as "service" } })} />
      <PagedList<Product> label="Products" deps={[version]} rowKey={(p) => p.id} empty="No products yet: create one above."
        filter={(p, text) => p.name.toLowerCase().includes(text)}
        load={(cursor) => paged(api.GET("/api/v1/products", { params: { query: { cursor, limit: 50 } } }))}
        columns={[
          { label: "Name", render: (p) => p.name },
          { label: "Id", render: (p) => <code>{p.id}</code> },
          { label: "Type", render: (p) => p.type }
        ]} />
      <h2>Plans</h2>
      <Form id="new-plan" submitLabel="Create plan (draft)" onDone={bump}
        fields={[
          { name: "product_id", label: "Product id", required: true, hint: "prd_…" },
          { name: "name", label: "Plan name", required: true },
          { name: "price", label: "Price per unit", required: true, hint: "e.g. 12.50" },
          { name: "currency", label: "Currency", required: true },
          { name: "billing_interval", label: "Interval", type: "select", options: [["month", "Monthly"], ["year", "Yearly"]] },
          { name: "sku_ids", label: "Usage SKU ids", hint: "comma-separated sku_…" }
        ]}
        initial={{ currency: "EUR", billing_interval: "month" }}
        submit={(v) => api.POST("/api/v1/plans", {
          body: {
            product_id: v["product_id"] ?? "",
            name: v["name"] ?? "",
            price: { amount: v["price"] ?? "", currency: (v["currency"] ?? "") as Schema<"Currency"> },
            billing_interval: v["billing_interval"] as "month",
            sku_ids: opt(v["sku_ids"])?.split(",").map((s) => s.trim()).filter(Boolean)
          }
        })} />
      <h3>A new version of a plan</h3>
      <p class="hint">A plan's price changes by a new version (a draft to publish); subscriptions keep the version they bought.</p>
      <Form id="plan-version" submitLabel="Create new version" onDone={bump}
        fields={[
          { name: "plan_id", label: "Plan id", required: true, hint: "pln_…" },
          { name: "price", label: "New price per unit", required: true },
          { name: "currency", label: "Currency of the new price", required: true }
        ]}
        initial={{ currency: "EUR" }}
        submit={(v) => api.PUT("/api/v1/plans/{planId}", {
          params: { path: { planId: v["plan_id"] ?? "" } },
          body: { price: { amount: v["price"] ?? "", currency: (v["currency"] ?? "") as Schema<"Currency"> } }
        })} />
      <PagedList<Plan> label="Plans" deps={[version]} rowKey={(p) => `${p.id}:${p.version}`} empty="No plans yet."
        filter={(p, text) => p.name.toLowerCase().includes(text)}
        load={(cursor) => paged(api.GET("/api/v1/plans", { params: { query: { cursor, limit: 50 } } }))}
        columns={[
          { label: "Name", render: (p) => p.name },
          { label: "Id", render: (p) => <code>{p.id}</code> },
          { label: "Version", render: (p) => p.version, numeric: true },
          { label: "Price", render: (p) => `${money(p.price)} / ${p.billing_interval}`, numeric: true },
          { label: "Status", render: (p) => <Status value={p.status} /> },
          { label: "Actions", render: (p) => p.status === "draft"
            ? <button type="button" onClick={() => api.POST("/api/v1/plans/{planId}/publish", { params: { path: { planId: p.id } } }).then(bump)}>Publish {p.name}</button>
            : null }
        ]} />
    </Page>
  )
}
