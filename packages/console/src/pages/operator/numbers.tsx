import { useState } from "preact/hooks"
import { api, type Me } from "../../session.js"
import { Form, opt } from "../../ui/form.js"
import { Notice, Page, useLoad } from "../../ui/kit.js"

/** Number blocks: a range (or a list) added to the inventory, and what is available. */
export const Numbers = (_: { me: Me }) => {
  const [added, setAdded] = useState<string | undefined>()
  const [query, setQuery] = useState<{ product_id?: string; country?: string }>({})
  const available = useLoad(async () => {
    if (!query.product_id) return []
    const { data } = await api.GET("/api/v1/numbers", { params: { query: { product_id: query.product_id, country: query.country, limit: 50 } } })
    return data?.data ?? []
  }, [query.product_id, query.country, added])
  return (
    <Page title="Number blocks">
      <Form id="add-numbers" submitLabel="Add number block"
        fields={[
          { name: "product_id", label: "Product id", required: true, hint: "prd_… of a phone number product" },
          { name: "country", label: "Country", required: true, hint: "ISO code, e.g. DE" },
          { name: "city", label: "City" },
          { name: "from", label: "First number", required: true, hint: "E.164, e.g. +4930123400" },
          { name: "to", label: "Last number", required: true }
        ]}
        submit={async (v) => {
          const answer = await api.POST("/api/v1/numbers", {
            body: { product_id: v["product_id"] ?? "", country: v["country"] ?? "", city: opt(v["city"]) ?? null, range: { from: v["from"] ?? "", to: v["to"] ?? "" } }
          })
          if (answer.data) {
            setAdded(JSON.stringify(answer.data.data))
            setQuery({ product_id: v["product_id"], country: v["country"] })
          }
          return answer
        }} />
      {added && <Notice kind="ok">Added: {added}</Notice>}
      <h2>Available numbers</h2>
      {!query.product_id ? <p class="empty">Add a block (or choose a product above) to list its available numbers.</p>
        : (available.value ?? []).length === 0 ? <p class="empty">No available numbers for this product.</p>
        : <ul>{available.value!.map((n) => <li><code>{n.number}</code> {n.country}</li>)}</ul>}
    </Page>
  )
}
