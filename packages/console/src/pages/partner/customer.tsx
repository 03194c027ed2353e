import type { Schema } from "@provisio/client"
import { useState } from "preact/hooks"
import { api, type Me } from "../../session.js"
import { Form, opt } from "../../ui/form.js"
import { Busy, Link, Notice, Page, PagedList, failureText, ok, paged, Status, useLoad } from "../../ui/kit.js"
import { customerBody, customerFields } from "./customers.js"

/** Contacts, payment methods and product locations of one customer: a list and a form each. */
export const PaymentMethods = ({ customerId }: { customerId: string }) => {
  const [version, setVersion] = useState(0)
  const path = { customerId }
  return (
    <>
      <h2>Payment methods</h2>
      <PagedList<Schema<"PaymentMethod">> label="Payment methods" deps={[version, customerId]} rowKey={(p) => p.id} empty="No payment methods yet."
        load={(cursor) => paged(api.GET("/api/v1/customers/{customerId}/paymentMethods", { params: { path, query: { cursor, limit: 50 } } }))}
        columns={[
          { label: "Type", render: (p) => p.type },
          { label: "Card / account", render: (p) => [p.brand, p.last4 ? `•••• ${p.last4}` : null].filter(Boolean).join(" ") || "—" },
          { label: "Expires", render: (p) => p.exp_month ? `${p.exp_month}/${p.exp_year}` : "—" },
          { label: "Default", render: (p) => (p.is_default ? "yes" : "no") }
        ]} />
      <Form id="new-payment-method" submitLabel="Add payment method" onDone={() => setVersion((v) => v + 1)}
        fields={[
          { name: "type", label: "Type", type: "select", options: [["invoice", "Invoice"], ["card", "Card"], ["sepa_debit", "SEPA debit"], ["bank_account", "Bank account"]] },
          { name: "brand", label: "Brand" },
          { name: "last4", label: "Last 4 digits" },
          { name: "token", label: "Gateway token", hint: "the gateway's reference, never a card number" }
        ]}
        initial={{ type: "invoice" }}
        submit={(v) => api.POST("/api/v1/customers/{customerId}/paymentMethods", {
          params: { path },
          body: { type: v["type"] as "invoice", brand: opt(v["brand"]) ?? null, last4: opt(v["last4"]) ?? null, token: opt(v["token"]) ?? null }
        })} />
    </>
  )
}

const Contacts = ({ customerId }: { customerId: string }) => {
  const [version, setVersion] = useState(0)
  return (
    <>
      <h2>Contacts</h2>
      <PagedList<Schema<"Contact">> label="Contacts" deps={[version]} rowKey={(c) => c.id} empty="No contacts yet."
        load={(cursor) => paged(api.GET("/api/v1/customers/{customerId}/contacts", { params: { path: { customerId }, query: { cursor, limit: 50 } } }))}
        columns={[
          { label: "Name", render: (c) => c.name },
          { label: "Email", render: (c) => c.email ?? "—" },
          { label: "Role", render: (c) => c.role ?? "—" }
        ]} />
      <Form id="new-contact" submitLabel="Add contact" onDone={() => setVersion((v) => v + 1)}
        fields={[{ name: "name", label: "Contact name", required: true }, { name: "email", label: "Contact email", type: "email" }, { name: "role", label: "Contact role", hint: "billing gets invoices" }]}
        submit={(v) => api.POST("/api/v1/customers/{customerId}/contacts", {
          params: { path: { customerId } },
          body: { name: v["name"] ?? "", email: opt(v["email"]) ?? null, role: opt(v["role"]) ?? null }
        })} />
    </>
  )
}

const Locations = ({ customerId }: { customerId: string }) => {
  const [version, setVersion] = useState(0)
  return (
    <>
      <h2>Locations</h2>
      <PagedList<Schema<"ProductLocation">> label="Locations" deps={[version]} rowKey={(l) => l.id} empty="No locations yet."
        load={(cursor) => paged(api.GET("/api/v1/customers/{customerId}/productLocations", { params: { path: { customerId }, query: { cursor, limit: 50 } } }))}
        columns={[
          { label: "Name", render: (l) => l.name },
          { label: "City", render: (l) => l.address?.city ?? "—" },
          { label: "Country", render: (l) => l.address?.country ?? "—" }
        ]} />
      <Form id="new-location" submitLabel="Add location" onDone={() => setVersion((v) => v + 1)}
        fields={[{ name: "name", label: "Location name", required: true }, { name: "address.city", label: "Location city" }, { name: "address.country", label: "Location country" }]}
        submit={(v) => api.POST("/api/v1/customers/{customerId}/productLocations", {
          params: { path: { customerId } },
          body: { name: v["name"] ?? "", address: { city: opt(v["address.city"]) ?? null, country: opt(v["address.country"]) ?? null } }
        })} />
    </>
  )
}

export const CustomerDetail = ({ params }: { params: Readonly<Record<string, string>>; me: Me }) => {
  const customerId = params["id"]!
  const customer = useLoad(() => ok(api.GET("/api/v1/customers/{customerId}", { params: { path: { customerId } } })), [customerId])
  if (customer.error) return <Notice kind="error">{failureText(customer.error)}</Notice>
  if (!customer.value) return <Busy />
  const c = customer.value
  return (
    <Page title={c.name} actions={<Link to={`orders?customer=${c.id}`}>Orders of {c.name}</Link>}>
      <p>
        <Status value={c.status} /> · <code>{c.id}</code> · dunning {c.dunning_stage ?? "none"} · collection {c.collection_method ?? "default"}
      </p>
      <h2>Details</h2>
      <Form id="edit-customer" submitLabel="Save customer" fields={customerFields} onDone={customer.reload}
        initial={{
          name: c.name, email: c.email ?? "", external_id: c.external_id ?? "", currency: c.currency ?? "", timezone: c.timezone,
          "address.country": c.address?.country ?? "", "address.city": c.address?.city ?? ""
        }}
        submit={(v) => api.PUT("/api/v1/customers/{customerId}", { params: { path: { customerId } }, body: customerBody(v) as never })} />
      <h2>Portal sign-in</h2>
      <Form id="customer-admin" submitLabel="Create portal user"
        fields={[
          { name: "name", label: "User name", required: true },
          { name: "email", label: "User email", type: "email", required: true },
          { name: "password", label: "Initial password", type: "password", autoComplete: "new-password", hint: "at least 8 characters" }
        ]}
        submit={(v) => api.POST("/api/v1/customers/{customerId}/admins", {
          params: { path: { customerId } },
          body: { name: v["name"] ?? "", email: v["email"] ?? "", password: opt(v["password"]) }
        })} />
      <Contacts customerId={customerId} />
      <PaymentMethods customerId={customerId} />
      <Locations customerId={customerId} />
    </Page>
  )
}
