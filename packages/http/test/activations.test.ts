import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { call, channel, createKey, expectData } from "./harness"
import { createCustomer, events, exampleCatalog, expectError, OrderingServer, SEAT, setNow, subscribe, V1 } from "./ordering-fixtures"

/** A customer of a standard partner with an active UCaaS seat subscription. */
const activeSubscription = Effect.gen(function* () {
  const catalog = yield* exampleCatalog
  const { partner, partnerKey } = yield* channel()
  const customer = yield* createCustomer(partner.id)
  const subscription = yield* subscribe(customer.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], characteristics: SEAT })
  return { partner, partnerKey, customer, subscription }
})

describe("activations", () => {
  it.layer(OrderingServer)("networks, SSIDs and devices under a subscription", (it) => {
    it.effect("networks: create, list, get, update, delete, each with its event", () =>
      Effect.gen(function* () {
        yield* setNow("2026-04-01T10:00:00Z")
        const { subscription } = yield* activeSubscription
        const base = `${V1}/subscriptions/${subscription.id}/networks`

        const network = expectData(
          yield* call("POST", base, { body: { name: "Office LAN", type: "lan", configuration: { vlan: 10 } } }),
          201
        )
        expect(network).toMatchObject({
          subscription_id: subscription.id,
          name: "Office LAN",
          type: "lan",
          configuration: { vlan: 10 }
        })
        expect(network.id).toMatch(/^net_/)

        const listed = yield* call("GET", base)
        expect(expectData(listed).map((n: any) => n.id)).toEqual([network.id])
        expect(listed.body.meta.page).toBeDefined()
        expect(expectData(yield* call("GET", `${base}/${network.id}`))).toEqual(network)

        const updated = expectData(yield* call("PUT", `${base}/${network.id}`, { body: { name: "HQ LAN" } }))
        expect(updated).toMatchObject({ name: "HQ LAN", type: "lan", configuration: { vlan: 10 } })

        expect((yield* call("DELETE", `${base}/${network.id}`)).status).toBe(204)
        expectError(yield* call("GET", `${base}/${network.id}`), 404, "not_found")

        const all = (yield* events({ type: "network.*" })).filter((e) => e.data.subscription_id === subscription.id)
        expect(all.map((e) => e.type)).toEqual(["network.created", "network.updated", "network.deleted"])
        expect(all[0].data).toMatchObject({
          subscription_id: subscription.id,
          product_id: subscription.product_id,
          network: { id: network.id, name: "Office LAN" }
        })
      }))

    it.effect("SSIDs and devices: in the subscription's networks; a network in use cannot be deleted", () =>
      Effect.gen(function* () {
        const { subscription } = yield* activeSubscription
        const base = `${V1}/subscriptions/${subscription.id}`
        const network = expectData(yield* call("POST", `${base}/networks`, { body: { name: "Site" } }), 201)

        const ssid = expectData(
          yield* call("POST", `${base}/ssids`, { body: { name: "Guest", network_id: network.id, hidden: true } }),
          201
        )
        expect(ssid).toMatchObject({ name: "Guest", network_id: network.id, security: "wpa2", hidden: true })
        expect(ssid.id).toMatch(/^ssid_/)
        expect(expectData(yield* call("GET", `${base}/ssids`)).map((s: any) => s.id)).toEqual([ssid.id])
        expect(expectData(yield* call("GET", `${base}/ssids/${ssid.id}`)).id).toBe(ssid.id)
        expect(expectData(yield* call("PUT", `${base}/ssids/${ssid.id}`, { body: { security: "wpa3" } })).security).toBe("wpa3")
        // An SSID of a network that is not the subscription's: a field to fix (422 naming it), as any id in a body.
        expectError(yield* call("POST", `${base}/ssids`, { body: { name: "X", network_id: "net_0000000000" } }), 422, "validation_error", "network_id")
        expectError(yield* call("PUT", `${base}/ssids/${ssid.id}`, { body: { network_id: "net_0000000000" } }), 422, "validation_error", "network_id")

        const devices = `${base}/networks/${network.id}/devices`
        const device = expectData(
          yield* call("POST", devices, { body: { name: "AP 1", serial: "SN-1", mac: "00:1a:2b:3c:4d:5e", model: "AP-9" } }),
          201
        )
        expect(device).toMatchObject({ network_id: network.id, serial: "SN-1", mac: "00:1a:2b:3c:4d:5e", model: "AP-9" })
        expect(device.id).toMatch(/^dev_/)
        expect(expectData(yield* call("GET", devices)).map((d: any) => d.id)).toEqual([device.id])
        expect(expectData(yield* call("GET", `${devices}/${device.id}`)).name).toBe("AP 1")
        expect(expectData(yield* call("PUT", `${devices}/${device.id}`, { body: { name: "AP one" } })).name).toBe("AP one")
        expectError(yield* call("POST", devices, { body: { name: "Bad", mac: "nope" } }), 422, "validation_error")

        expectError(yield* call("DELETE", `${base}/networks/${network.id}`), 409, "invalid_state")
        expect((yield* call("DELETE", `${devices}/${device.id}`)).status).toBe(204)
        expect((yield* call("DELETE", `${base}/ssids/${ssid.id}`)).status).toBe(204)
        expect((yield* call("DELETE", `${base}/networks/${network.id}`)).status).toBe(204)

        const types = (yield* events()).filter((e) => e.data.subscription_id === subscription.id).map((e) => e.type)
        expect(types).toEqual([
          "network.created",
          "ssid.created",
          "ssid.updated",
          "device.created",
          "device.updated",
          "device.deleted",
          "ssid.deleted",
          "network.deleted"
        ])
      }))

    it.effect("scope: another partner's subscription is 404; viewers 403; free edition 403; inactive 409", () =>
      Effect.gen(function* () {
        const { partner, subscription } = yield* activeSubscription
        const base = `${V1}/subscriptions/${subscription.id}/networks`
        const other = yield* channel()
        expectError(yield* call("GET", base, { key: other.partnerKey }), 404, "not_found")
        expectError(yield* call("POST", base, { key: other.partnerKey, body: { name: "N" } }), 404, "not_found")
        const viewer = yield* createKey(partner.id, "viewer")
        expectData(yield* call("GET", base, { key: viewer }))
        expectError(yield* call("POST", base, { key: viewer, body: { name: "N" } }), 403, "forbidden")

        // A free partner's customer: the platform orders for it, the partner may only read.
        const free = yield* channel("free")
        const freeCustomer = yield* createCustomer(free.partner.id)
        const catalog = yield* exampleCatalog
        const freeSubscription = yield* subscribe(freeCustomer.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], characteristics: SEAT })
        expectError(
          yield* call("POST", `${V1}/subscriptions/${freeSubscription.id}/networks`, { key: free.partnerKey, body: { name: "N" } }),
          403,
          "edition_forbidden"
        )

        expectData(yield* call("POST", `${V1}/subscriptions/${subscription.id}/cancel`, { body: { when: "immediately" } }))
        expectError(yield* call("POST", base, { body: { name: "Late" } }), 409, "invalid_state")
        expectError(yield* call("POST", base, { body: {} }), 422, "validation_error")
      }))
  })
})
