import type { Schema } from "@provisio/client"
import { useState } from "preact/hooks"
import { day } from "../../format.js"
import { api, type Me } from "../../session.js"
import { Form, opt } from "../../ui/form.js"
import { Page, PagedList, paged } from "../../ui/kit.js"

const CATEGORIES = [["standard", "Standard"], ["reduced", "Reduced"], ["zero", "Zero"], ["telecom", "Telecom"]] as const

export const TaxRates = ({ me }: { me: Me }) => {
  const [version, setVersion] = useState(0)
  return (
    <Page title="Tax rates">
      {me.account_kind === "platform" && (
        <Form id="new-tax-rate" submitLabel="Add tax rate" onDone={() => setVersion((v) => v + 1)}
          fields={[
            { name: "country", label: "Country", required: true, hint: "ISO code, e.g. DE" },
            { name: "category", label: "Category", type: "select", options: CATEGORIES },
            { name: "rate", label: "Rate (%)", required: true, hint: "e.g. 19.0" },
            { name: "valid_from", label: "Valid from", type: "date", required: true }
          ]}
          initial={{ category: "standard", valid_from: "2020-01-01" }}
          submit={(v) => api.POST("/api/v1/tax-rates", {
            body: { country: v["country"] ?? "", category: v["category"] as "standard", rate: v["rate"] ?? "", valid_from: v["valid_from"] ?? "" }
          })} />
      )}
      <PagedList<Schema<"TaxRate">> label="Tax rates" deps={[version]} rowKey={(r) => r.id} empty="No tax rates yet."
        filter={(r, text) => r.country.toLowerCase().includes(text)}
        load={(cursor) => paged(api.GET("/api/v1/tax-rates", { params: { query: { cursor, limit: 50 } } }))}
        columns={[
          { label: "Country", render: (r) => r.country },
          { label: "Category", render: (r) => r.category },
          { label: "Rate", render: (r) => `${r.rate} %`, numeric: true },
          { label: "Valid", render: (r) => `${day(r.valid_from)} – ${r.valid_to ? day(r.valid_to) : "open"}` }
        ]} />
    </Page>
  )
}

export const PriceLists = (_: { me: Me }) => {
  const [version, setVersion] = useState(0)
  return (
    <Page title="Price lists">
      <Form id="new-price-list" submitLabel="Create price list" onDone={() => setVersion((v) => v + 1)}
        fields={[
          { name: "name", label: "List name", required: true },
          { name: "currency", label: "Currency", required: true },
          { name: "valid_from", label: "Valid from", type: "date", required: true },
          { name: "type", label: "Rule", type: "select", options: [["markup_percent", "Markup %"], ["discount_percent", "Discount %"], ["fixed", "Fixed price"]] },
          { name: "value", label: "Value", required: true, hint: "a percentage, or a price for fixed" },
          { name: "plan_id", label: "Plan id", hint: "empty: every plan" }
        ]}
        initial={{ currency: "EUR", valid_from: new Date().toISOString().slice(0, 10), type: "markup_percent" }}
        submit={(v) => {
          const planId = opt(v["plan_id"])
          const rule = { ...(planId ? { plan_id: planId } : { all: true }), type: v["type"], value: v["value"] ?? "" }
          return api.POST("/api/v1/price-lists", {
            body: { name: v["name"] ?? "", currency: (v["currency"] ?? "") as Schema<"Currency">, valid_from: v["valid_from"] ?? "", rules: [rule] as never }
          })
        }} />
      <PagedList<Schema<"PriceList">> label="Price lists" deps={[version]} rowKey={(l) => l.id} empty="No price lists yet."
        load={(cursor) => paged(api.GET("/api/v1/price-lists", { params: { query: { cursor, limit: 50 } } }))}
        columns={[
          { label: "Name", render: (l) => l.name },
          { label: "Currency", render: (l) => l.currency },
          { label: "Valid from", render: (l) => day(l.valid_from) },
          { label: "Rules", render: (l) => l.rules.length, numeric: true },
          { label: "Applies", render: (l) => l.apply }
        ]} />
    </Page>
  )
}
