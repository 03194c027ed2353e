import type { Schema } from "@provisio/client"
import { useState } from "preact/hooks"
import { when } from "../../format.js"
import { navigate } from "../../router.js"
import { api, type Me } from "../../session.js"
import { Form, opt } from "../../ui/form.js"
import { Link, Page, PagedList, paged, Status } from "../../ui/kit.js"

type Customer = Schema<"Customer">

export const customerFields = [
  { name: "name", label: "Customer name", required: true },
  { name: "email", label: "Email", type: "email" as const },
  { name: "external_id", label: "External id" },
  { name: "currency", label: "Currency", hint: "e.g. EUR" },
  { name: "timezone", label: "Time zone", hint: "IANA, e.g. Europe/Berlin" },
  { name: "address.country", label: "Country", hint: "ISO code, e.g. DE" },
  { name: "address.city", label: "City" }
]

export const customerBody = (v: Readonly<Record<string, string>>) => ({
  name: v["name"] ?? "",
  email: opt(v["email"]) ?? null,
  external_id: opt(v["external_id"]) ?? null,
  currency: opt(v["currency"]) ?? null,
  ...(opt(v["timezone"]) ? { timezone: opt(v["timezone"])! } : {}),
  address: opt(v["address.country"]) || opt(v["address.city"]) ? { country: opt(v["address.country"]) ?? null, city: opt(v["address.city"]) ?? null } : null
})

/** The customers of the partner (or of the distributor's partners), paged 50 at a time. */
export const Customers = ({ me }: { me: Me }) => {
  const [version, setVersion] = useState(0)
  return (
    <Page title="Customers">
      <details open={false}>
        <summary>New customer</summary>
        <Form id="new-customer" submitLabel="Create customer"
          fields={me.account_kind === "partner" ? customerFields : [{ name: "partner_id", label: "Partner id", required: true }, ...customerFields]}
          initial={{ currency: "EUR", timezone: Intl.DateTimeFormat().resolvedOptions().timeZone }}
          submit={async (v) => {
            const answer = await api.POST("/api/v1/customers", { body: { ...customerBody(v), partner_id: opt(v["partner_id"]) } as never })
            if (answer.data) {
              setVersion((n) => n + 1)
              navigate(`customers/${answer.data.data.id}`)
            }
            return answer
          }} />
      </details>
      <PagedList<Customer> label="Customers" deps={[version]} rowKey={(c) => c.id} empty="No customers yet: create your first one above."
        searchable
        load={(cursor, search) => paged(api.GET("/api/v1/customers", { params: { query: { cursor, limit: 50, search } } }))}
        columns={[
          { label: "Name", render: (c) => <Link to={`customers/${c.id}`}>{c.name}</Link> },
          { label: "Email", render: (c) => c.email ?? "—" },
          { label: "Status", render: (c) => <Status value={c.status} /> },
          { label: "Dunning", render: (c) => c.dunning_stage ?? "—" },
          { label: "Created", render: (c) => when(c.created_at) }
        ]} />
    </Page>
  )
}
