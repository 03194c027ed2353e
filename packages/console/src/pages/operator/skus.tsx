import type { Schema } from "@provisio/client"
import { useState } from "preact/hooks"
import { money } from "../../format.js"
import { api, type Me } from "../../session.js"
import { LineChart, type Point } from "../../ui/chart.js"
import { Form, opt } from "../../ui/form.js"
import { Notice, Page, PagedList, paged, useLoad } from "../../ui/kit.js"

type Sku = Schema<"Sku">

/** "10:1.00, 100:0.80, :0.50" -> tiers (an empty bound is the open last tier). */
const parseTiers = (text: string | undefined) => {
  const value = opt(text)
  if (value === undefined) return undefined
  return value.split(",").map((part) => {
    const [upTo, price] = part.split(":").map((s) => s.trim())
    return { up_to: upTo ? Number(upTo) : null, unit_price: price ?? "" }
  })
}

/** The price of quantities across the tiers, as the API quotes them: the curve a buyer pays. */
const PriceCurve = ({ sku }: { sku: Sku }) => {
  const bounds = (sku.tiers ?? []).map((t) => t.up_to).filter((n): n is number => n !== null)
  const top = Math.max(10, ...bounds.map((b) => b * 1.5))
  const quantities = Array.from({ length: 10 }, (_, i) => Math.max(1, Math.round((top / 10) * (i + 1))))
  const curve = useLoad(() => Promise.all(quantities.map(async (quantity) => {
    const { data } = await api.GET("/api/v1/pricing/{skuId}/quote", { params: { path: { skuId: sku.id }, query: { quantity: String(quantity) } } })
    return { label: String(quantity), value: Number(data?.data.amount.amount ?? 0) } satisfies Point
  })), [sku.id])
  if (curve.value === undefined) return null
  return <LineChart title={`Price of ${sku.code} by quantity (${sku.currency})`} points={curve.value} unit={sku.currency} />
}

/** SKUs (usage and one-off items) with their tiers, and the price curve of the one selected. */
export const Skus = (_: { me: Me }) => {
  const [version, setVersion] = useState(0)
  const [selected, setSelected] = useState<Sku | undefined>()
  return (
    <Page title="SKUs and pricing">
      <Form id="new-sku" submitLabel="Create SKU" onDone={() => setVersion((v) => v + 1)}
        fields={[
          { name: "code", label: "Code", required: true },
          { name: "name", label: "SKU name", required: true },
          { name: "unit", label: "Unit", required: true },
          { name: "currency", label: "Currency", required: true },
          { name: "model", label: "Model", type: "select", options: [["per_unit", "Per unit"], ["graduated", "Graduated"], ["volume", "Volume"], ["package", "Package"]] },
          { name: "unit_price", label: "Unit price", hint: "per unit and package models" },
          { name: "tiers", label: "Tiers", hint: "up_to:unit_price, … (e.g. 100:0.10, :0.05)" }
        ]}
        initial={{ currency: "EUR", model: "per_unit", unit: "unit" }}
        submit={(v) => api.POST("/api/v1/pricing", {
          body: {
            code: v["code"] ?? "",
            name: v["name"] ?? "",
            unit: v["unit"] ?? "",
            currency: (v["currency"] ?? "") as Schema<"Currency">,
            model: v["model"] as "per_unit",
            unit_price: opt(v["unit_price"]) ?? null,
            tiers: parseTiers(v["tiers"]) ?? null
          }
        })} />
      {selected && <PriceCurve sku={selected} />}
      <PagedList<Sku> label="SKUs" deps={[version]} rowKey={(s) => s.id} empty="No SKUs yet."
        filter={(s, text) => s.code.toLowerCase().includes(text) || s.name.toLowerCase().includes(text)}
        load={(cursor) => paged(api.GET("/api/v1/pricing", { params: { query: { cursor, limit: 50 } } }))}
        columns={[
          { label: "Code", render: (s) => <code>{s.code}</code> },
          { label: "Name", render: (s) => s.name },
          { label: "Model", render: (s) => s.model },
          { label: "Price", render: (s) => s.unit_price ? `${money({ amount: s.unit_price, currency: s.currency })} / ${s.unit}` : `${s.tiers?.length ?? 0} tiers`, numeric: true },
          { label: "Curve", render: (s) => <button type="button" onClick={() => setSelected(s)}>Show price curve of {s.code}</button> }
        ]} />
      {!selected && <Notice>Choose a SKU to draw its price by quantity.</Notice>}
    </Page>
  )
}
