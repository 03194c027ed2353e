import type { Schema } from "@provisio/client"
import { day, when } from "../../format.js"
import { api, type Me } from "../../session.js"
import { Busy, failureText, Notice, ok, Page, PagedList, paged, Status, useLoad } from "../../ui/kit.js"

/** A value of a characteristic or a configuration, as text. */
const shown = (value: unknown) => typeof value === "string" ? value : JSON.stringify(value)

/** Key-value pairs as a description list; `empty` when there are none. */
const Pairs = ({ label, values, empty }: { label: string; values: Readonly<Record<string, unknown>>; empty: string }) => {
  const entries = Object.entries(values)
  return entries.length === 0 ? <p class="empty">{empty}</p> : (
    <dl aria-label={label}>
      {entries.map(([key, value]) => <><dt>{key}</dt><dd>{shown(value)}</dd></>)}
    </dl>
  )
}

/** A network's devices. */
const Devices = ({ subscriptionId, network }: { subscriptionId: string; network: Schema<"Network"> }) => (
  <PagedList<Schema<"Device">> label={`Devices of ${network.name}`} rowKey={(d) => d.id} empty="No devices on this network."
    load={(cursor) => paged(api.GET("/api/v1/subscriptions/{subscriptionId}/networks/{networkId}/devices", {
      params: { path: { subscriptionId, networkId: network.id }, query: { cursor, limit: 50 } }
    }))}
    columns={[
      { label: "Device", render: (d) => d.name },
      { label: "Model", render: (d) => d.model ?? "—" },
      { label: "Serial", render: (d) => d.serial ?? "—" },
      { label: "MAC", render: (d) => d.mac ?? "—" }
    ]} />
)

/**
 * One subscription as its customer (or the channel above it) sees the service: its plan and
 * period, its characteristics, the networks, SSIDs and devices configured on it, and the
 * configuration its provider answered (`GET /subscriptions/{id}/provisioning`).
 */
export const SubscriptionDetail = ({ params }: { params: Readonly<Record<string, string>>; me: Me }) => {
  const subscriptionId = params["id"]!
  const path = { params: { path: { subscriptionId } } }
  const view = useLoad(async () => {
    const [subscription, provisioning, networks, ssids] = await Promise.all([
      ok(api.GET("/api/v1/subscriptions/{subscriptionId}", path)),
      ok(api.GET("/api/v1/subscriptions/{subscriptionId}/provisioning", path)),
      paged(api.GET("/api/v1/subscriptions/{subscriptionId}/networks", { params: { path: { subscriptionId }, query: { limit: 100 } } })),
      paged(api.GET("/api/v1/subscriptions/{subscriptionId}/ssids", { params: { path: { subscriptionId }, query: { limit: 100 } } }))
    ])
    return { subscription, provisioning, networks: networks.rows, ssids: ssids.rows }
  }, [subscriptionId])
  if (view.error !== undefined) return <Page title="Subscription"><Notice kind="error">{failureText(view.error)}</Notice></Page>
  if (view.value === undefined) return <Page title="Subscription"><Busy /></Page>
  const { subscription, provisioning, networks, ssids } = view.value
  return (
    <Page title={subscription.name ?? `Subscription ${subscription.id}`}>
      <p>
        <Status value={subscription.status} /> · {subscription.quantity} × plan <code>{subscription.plan_id}</code> v{subscription.plan_version} ·
        {" "}period {day(subscription.current_period_start)} – {day(subscription.current_period_end)}
      </p>
      <h2>Characteristics</h2>
      <Pairs label="Characteristics" values={subscription.characteristics} empty="No characteristics." />
      <h2>Provider configuration</h2>
      <p>Delivery: <Status value={provisioning.state} />{provisioning.configured_at ? ` · received ${when(provisioning.configured_at)}` : ""}</p>
      <Pairs label="Provider configuration" values={(provisioning.configuration ?? {}) as Record<string, unknown>}
        empty="The provider has sent no configuration yet." />
      <h2>Networks</h2>
      {networks.length === 0 ? <p class="empty">No networks on this subscription.</p> : networks.map((network) => (
        <section aria-label={`Network ${network.name}`}>
          <h3>{network.name}{network.type ? <small> ({network.type})</small> : null}</h3>
          <Devices subscriptionId={subscriptionId} network={network} />
        </section>
      ))}
      <h2>SSIDs</h2>
      {ssids.length === 0 ? <p class="empty">No SSIDs on this subscription.</p> : (
        <table aria-label="SSIDs">
          <thead><tr><th scope="col">SSID</th><th scope="col">Security</th><th scope="col">Hidden</th><th scope="col">Network</th></tr></thead>
          <tbody>{ssids.map((s) => <tr key={s.id}><td>{s.name}</td><td>{s.security}</td><td>{s.hidden ? "yes" : "no"}</td><td><code>{s.network_id ?? "—"}</code></td></tr>)}</tbody>
        </table>
      )}
    </Page>
  )
}
