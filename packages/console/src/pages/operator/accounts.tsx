import type { Schema } from "@provisio/client"
import { useState } from "preact/hooks"
import { when } from "../../format.js"
import { navigate } from "../../router.js"
import { api, type Me, setTenant } from "../../session.js"
import { Form, opt } from "../../ui/form.js"
import { Page, PagedList, paged, Status, useLoad } from "../../ui/kit.js"

type Partner = Schema<"Partner">
type Distributor = Schema<"Distributor">

const actWithin = (id: string, name: string) => {
  setTenant({ id, name })
  navigate("")
}

const SuspendButton = ({ status, onToggle }: { status: string; onToggle: (next: "active" | "suspended") => Promise<unknown> }) => {
  const [busy, setBusy] = useState(false)
  const next = status === "suspended" ? "active" : "suspended"
  return (
    <button type="button" class={next === "suspended" ? "danger" : undefined} disabled={busy}
      onClick={async () => { setBusy(true); await onToggle(next); setBusy(false) }}>
      {next === "suspended" ? "Suspend" : "Resume"}
    </button>
  )
}

/**
 * The channel as a tree: each distributor with its partners under it (the first 200 of each, read
 * once; the paged lists below hold every account and the actions).
 */
const AccountTree = ({ version }: { version: number }) => {
  const tree = useLoad(async () => {
    const [distributors, partners] = await Promise.all([
      paged(api.GET("/api/v1/distributors", { params: { query: { limit: 200 } } })),
      paged(api.GET("/api/v1/partners", { params: { query: { limit: 200 } } }))
    ])
    return { distributors: distributors.rows, partners: partners.rows }
  }, [version])
  if (!tree.value || (tree.value.distributors.length === 0 && tree.value.partners.length === 0)) return null
  const { distributors, partners } = tree.value
  const under = (id: string | null) => partners.filter((p) => (p.distributor_id ?? null) === id)
  const orphans = partners.filter((p) => !distributors.some((d) => d.id === p.distributor_id))
  return (
    <details open class="tree">
      <summary>Account tree</summary>
      <ul>
        {distributors.map((d) => (
          <li>{d.name} <Status value={d.status} />
            {under(d.id).length > 0 && <ul>{under(d.id).map((p) => <li>{p.name} ({p.edition}) <Status value={p.status} /></li>)}</ul>}
          </li>
        ))}
        {orphans.map((p) => <li>{p.name} ({p.edition}) <Status value={p.status} /></li>)}
      </ul>
    </details>
  )
}

/**
 * The account tree: distributors, the partners under them (with their distributor named), and
 * the customers below; each can be searched on the page shown, suspended or resumed, and an
 * operator can act within one (`X-Tenant-ID`).
 */
export const Accounts = ({ me }: { me: Me }) => {
  const [version, setVersion] = useState(0)
  const bump = () => setVersion((v) => v + 1)
  const [distributorNames, setDistributorNames] = useState<Record<string, string>>({})
  const isPlatform = me.account_kind === "platform"
  return (
    <Page title={isPlatform ? "Accounts" : "Partners"}>
      <AccountTree version={version} />
      {isPlatform && (
        <>
          <h2>Distributors</h2>
          <Form id="new-distributor" submitLabel="Create distributor" onDone={bump}
            fields={[{ name: "name", label: "Distributor name", required: true }]}
            submit={(v) => api.POST("/api/v1/distributors", { body: { name: v["name"] ?? "" } })} />
          <PagedList<Distributor> label="Distributors" deps={[version]} rowKey={(d) => d.id} empty="No distributors yet: create the first above."
            searchable
            load={async (cursor, search) => {
              const page = await paged(api.GET("/api/v1/distributors", { params: { query: { cursor, limit: 50, search } } }))
              setDistributorNames((names) => ({ ...names, ...Object.fromEntries(page.rows.map((d) => [d.id, d.name])) }))
              return page
            }}
            columns={[
              { label: "Name", render: (d) => d.name },
              { label: "Id", render: (d) => <code>{d.id}</code> },
              { label: "Status", render: (d) => <Status value={d.status} /> },
              { label: "Actions", render: (d) => (
                <div class="row">
                  <SuspendButton status={d.status} onToggle={(status) => api.PUT("/api/v1/distributors/{id}", { params: { path: { id: d.id } }, body: { status } }).then(bump)} />
                  <button type="button" onClick={() => actWithin(d.id, d.name)}>Act within</button>
                </div>
              ) }
            ]} />
        </>
      )}
      <h2>Partners</h2>
      <Form id="new-partner" submitLabel="Create partner" onDone={bump}
        fields={[
          { name: "name", label: "Partner name", required: true },
          ...(isPlatform ? [{ name: "distributor_id", label: "Distributor id", hint: "acc_… (from the list above)" }] : []),
          { name: "edition", label: "Edition", type: "select" as const, options: [["standard", "Standard"], ["free", "Free (read only)"]] as const }
        ]}
        initial={{ edition: "standard" }}
        submit={(v) => api.POST("/api/v1/partners", { body: { name: v["name"] ?? "", distributor_id: opt(v["distributor_id"]), edition: v["edition"] as "standard" | "free" } })} />
      <PagedList<Partner> label="Partners" deps={[version]} rowKey={(p) => p.id} empty="No partners yet."
        searchable
        load={(cursor, search) => paged(api.GET("/api/v1/partners", { params: { query: { cursor, limit: 50, search } } }))}
        columns={[
          { label: "Name", render: (p) => p.name },
          { label: "Id", render: (p) => <code>{p.id}</code> },
          { label: "Distributor", render: (p) => distributorNames[p.distributor_id ?? ""] ?? p.distributor_id ?? "—" },
          { label: "Edition", render: (p) => p.edition },
          { label: "Status", render: (p) => <Status value={p.status} /> },
          { label: "Actions", render: (p) => (
            <div class="row">
              <SuspendButton status={p.status} onToggle={(status) => api.PUT("/api/v1/partners/{id}", { params: { path: { id: p.id } }, body: { status } }).then(bump)} />
              <button type="button" onClick={() => actWithin(p.id, p.name)}>Act within</button>
            </div>
          ) }
        ]} />
      <h2>Users</h2>
      <p class="hint">A user signs in with email and password (or through the account's identity provider).</p>
      <Form id="new-user" submitLabel="Create user"
        fields={[
          { name: "account_id", label: "Account id", hint: "acc_… of a distributor or partner; empty for your own" },
          { name: "email", label: "Email", type: "email", required: true },
          { name: "name", label: "Name", required: true },
          { name: "role", label: "Role", type: "select", options: [["admin", "Admin"], ["manager", "Manager"], ["viewer", "Viewer"]] },
          { name: "password", label: "Password", type: "password", hint: "at least 8 characters", autoComplete: "new-password" }
        ]}
        initial={{ role: "admin" }}
        submit={(v) => api.POST("/api/v1/users", { body: { account_id: opt(v["account_id"]), email: v["email"] ?? "", name: v["name"] ?? "", role: v["role"] as "admin", password: opt(v["password"]) } })} />
      <h2>Customers</h2>
      <PagedList<Schema<"Customer">> label="Customers" deps={[version]} rowKey={(c) => c.id} empty="No customers yet."
        searchable
        load={(cursor, search) => paged(api.GET("/api/v1/customers", { params: { query: { cursor, limit: 50, search } } }))}
        columns={[
          { label: "Name", render: (c) => c.name },
          { label: "Partner", render: (c) => <code>{c.partner_id}</code> },
          { label: "Status", render: (c) => <Status value={c.status} /> },
          { label: "Created", render: (c) => when(c.created_at) },
          { label: "Actions", render: (c) => (
            <div class="row">
              <SuspendButton status={c.status} onToggle={(status) => api.PUT("/api/v1/customers/{customerId}", { params: { path: { customerId: c.id } }, body: { status } }).then(bump)} />
              <button type="button" onClick={() => actWithin(c.id, c.name)}>Act within</button>
            </div>
          ) }
        ]} />
    </Page>
  )
}
