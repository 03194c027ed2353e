import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { call, channel, expectData } from "./harness"
import { createCustomer, exampleCatalog, expectError, OrderingServer, SEAT, setNow, subscribe, V1 } from "./ordering-fixtures"

export const TRUNK = { channels: 10, codec: "G.711" }

describe("inventory", () => {
  it.layer(OrderingServer)("connections and in-service products", (it) => {
    it.effect("connections: the active subscriptions of connection products, paginated", () =>
      Effect.gen(function* () {
        yield* setNow("2026-05-04T08:00:00Z")
        const catalog = yield* exampleCatalog
        const { partner } = yield* channel()
        const customer = yield* createCustomer(partner.id)
        const trunk = yield* subscribe(customer.id, { plan_id: catalog.plans["SIP Trunk Channel Monthly"], quantity: 4, characteristics: TRUNK })
        const second = yield* subscribe(customer.id, { plan_id: catalog.plans["SIP Trunk Channel Monthly"], characteristics: TRUNK })
        // A license is not a connection.
        yield* subscribe(customer.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], characteristics: SEAT })

        const base = `${V1}/customers/${customer.id}/connections`
        const first = yield* call("GET", `${base}?limit=1`)
        expect(expectData(first)).toEqual([
          {
            id: trunk.id,
            customer_id: customer.id,
            product_id: catalog.products["SIP Trunk"],
            product_name: "SIP Trunk",
            plan_id: catalog.plans["SIP Trunk Channel Monthly"],
            plan_version: trunk.plan_version,
            quantity: 4,
            status: "active",
            characteristics: TRUNK,
            since: trunk.created_at
          }
        ])
        const cursor = first.body.meta.page.next_cursor
        expect(cursor).toBeTruthy()
        expect(expectData(yield* call("GET", `${base}?limit=1&cursor=${cursor}`)).map((c: any) => c.id)).toEqual([second.id])
        expect(expectData(yield* call("GET", `${base}/${second.id}`)).id).toBe(second.id)

        // Cancelled: no longer a connection.
        expectData(yield* call("POST", `${V1}/subscriptions/${second.id}/cancel`, { body: null }))
        expectError(yield* call("GET", `${base}/${second.id}`), 404, "not_found")
        expect(expectData(yield* call("GET", base))).toHaveLength(1)
      }))

    it.effect("products: per in-service product its active subscriptions", () =>
      Effect.gen(function* () {
        const catalog = yield* exampleCatalog
        const { partner } = yield* channel()
        const customer = yield* createCustomer(partner.id)
        const base = `${V1}/customers/${customer.id}/products`
        expect(expectData(yield* call("GET", base))).toEqual([])
        const seat = yield* subscribe(customer.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], quantity: 3, characteristics: SEAT })
        const trunk = yield* subscribe(customer.id, { plan_id: catalog.plans["SIP Trunk Channel Monthly"], characteristics: TRUNK })

        const products = expectData(yield* call("GET", base))
        expect(products.map((p: any) => p.id).sort()).toEqual([catalog.products["UCaaS Seat"], catalog.products["SIP Trunk"]].sort())
        const seats = expectData(yield* call("GET", `${base}/${catalog.products["UCaaS Seat"]}`))
        expect(seats).toMatchObject({ name: "UCaaS Seat", type: "license", numbers: [] })
        expect(seats.subscriptions).toEqual([
          expect.objectContaining({ id: seat.id, quantity: 3, plan_id: catalog.plans["UCaaS Seat Monthly"] })
        ])
        expect(expectData(yield* call("GET", `${base}?limit=1`))).toHaveLength(1)
        expect(trunk.id).toMatch(/^sub_/)
        // A product the customer does not have in service.
        expectError(yield* call("GET", `${base}/${catalog.products["Call Recording"]}`), 404, "not_found")
      }))

    it.effect("scope: another partner's customer is 404", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const customer = yield* createCustomer(partner.id)
        const other = yield* channel()
        for (const path of ["connections", "products"]) {
          expectError(yield* call("GET", `${V1}/customers/${customer.id}/${path}`, { key: other.partnerKey }), 404, "not_found")
        }
        expectError(yield* call("GET", `${V1}/customers/cus_0000000000/connections`), 404, "not_found")
      }))
  })
})
