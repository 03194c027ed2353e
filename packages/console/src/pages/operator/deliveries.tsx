import type { Schema } from "@provisio/client"
import { useState } from "preact/hooks"
import { when } from "../../format.js"
import { api, type Me } from "../../session.js"
import { Form } from "../../ui/form.js"
import { Notice, Page, PagedList, paged, Status, useLoad } from "../../ui/kit.js"

type Delivery = Schema<"DeliveryPage">["data"][number]

const ms = (value: number | null | undefined) => value === null || value === undefined ? "—" : value < 1000 ? `${value} ms` : `${(value / 1000).toFixed(1)} s`

/** The delivery queue: depth, lag and failures per target, the deliveries themselves, replay. */
export const Deliveries = (_: { me: Me }) => {
  const [status, setStatus] = useState("")
  const [version, setVersion] = useState(0)
  const [replayed, setReplayed] = useState<string | undefined>()
  const stats = useLoad(async () => (await api.GET("/api/v1/deliveries/stats")).data?.data, [version])
  return (
    <Page title="Deliveries" actions={<button type="button" onClick={() => setVersion((v) => v + 1)}>Refresh</button>}>
      {stats.value && (
        <>
          <p>Queued {stats.value.queued}, due {stats.value.due}, in flight {stats.value.in_flight} (last {stats.value.window_seconds} s).</p>
          {stats.value.targets.length === 0 ? <p class="empty">No delivery targets yet.</p> : (
            <table aria-label="Delivery targets">
              <thead><tr><th scope="col">Target</th><th scope="col">Kind</th><th scope="col" class="num">Queued</th><th scope="col" class="num">Lag p50 / p99</th><th scope="col" class="num">Failures</th><th scope="col" class="num">Dead</th><th scope="col">Circuit</th></tr></thead>
              <tbody>{stats.value.targets.map((t) => (
                <tr><td>{t.target}</td><td>{t.kind}</td><td class="num">{t.queued}</td><td class="num">{ms(t.lag_p50_ms)} / {ms(t.lag_p99_ms)}</td>
                  <td class="num">{t.failures} ({(t.failure_rate * 100).toFixed(1)} %)</td><td class="num">{t.dead}</td><td><Status value={t.circuit} /></td></tr>
              ))}</tbody>
            </table>
          )}
        </>
      )}
      <h2>Deliveries</h2>
      <label>Status <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
        {[["", "Any"], ["pending", "Pending"], ["retrying", "Retrying"], ["delivered", "Delivered"], ["dead", "Dead"]].map(([v, l]) => <option value={v}>{l}</option>)}
      </select></label>
      {replayed && <Notice kind="ok">Replayed {replayed}.</Notice>}
      <PagedList<Delivery> label="Deliveries" deps={[status, version]} rowKey={(d) => d.id} empty="No deliveries match."
        load={(cursor) => paged(api.GET("/api/v1/deliveries", { params: { query: { cursor, limit: 50, status: (status || undefined) as never } } }))}
        columns={[
          { label: "Kind", render: (d) => d.kind },
          { label: "Target", render: (d) => <code>{d.method} {d.url}</code> },
          { label: "Status", render: (d) => <Status value={d.status} /> },
          { label: "Attempts", render: (d) => d.attempts, numeric: true },
          { label: "Next attempt", render: (d) => when(d.next_attempt_at) },
          { label: "Actions", render: (d) => d.status === "dead" || d.status === "delivered"
            ? <button type="button" onClick={async () => { await api.POST("/api/v1/deliveries/{id}/replay", { params: { path: { id: d.id } } }); setReplayed(d.id); setVersion((v) => v + 1) }}>Replay</button>
            : null }
        ]} />
    </Page>
  )
}

export const Webhooks = (_: { me: Me }) => {
  const [version, setVersion] = useState(0)
  return (
    <Page title="Webhooks">
      <Form id="new-webhook" submitLabel="Add webhook" onDone={() => setVersion((v) => v + 1)}
        fields={[
          { name: "url", label: "URL", type: "url", required: true },
          { name: "events", label: "Events", required: true, hint: "comma-separated, e.g. invoice.*, subscription.created" }
        ]}
        initial={{ events: "*" }}
        submit={(v) => api.POST("/api/v1/webhooks", { body: { url: v["url"] ?? "", events: (v["events"] ?? "").split(",").map((s) => s.trim()).filter(Boolean) } })} />
      <PagedList<Schema<"Webhook">> label="Webhooks" deps={[version]} rowKey={(w) => w.id} empty="No webhooks yet."
        load={(cursor) => paged(api.GET("/api/v1/webhooks", { params: { query: { cursor, limit: 50 } } }))}
        columns={[
          { label: "URL", render: (w) => <code>{w.url}</code> },
          { label: "Events", render: (w) => w.events.join(", ") },
          { label: "Enabled", render: (w) => (w.enabled ? "yes" : "no") },
          { label: "Actions", render: (w) => <button type="button" class="danger" onClick={() => api.DELETE("/api/v1/webhooks/{id}", { params: { path: { id: w.id } } }).then(() => setVersion((v) => v + 1))}>Delete</button> }
        ]} />
    </Page>
  )
}
