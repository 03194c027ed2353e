import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { call, channel, expectData } from "./harness"
import { createCustomer, events, exampleCatalog, expectError, OrderingServer, setNow, V1 } from "./ordering-fixtures"

/**
 * A block of 100 toll-free numbers of its own (`+1877` and 5 random digits, then 00..99):
 * numbers are unique across the database, which test files share on PostgreSQL.
 */
const block = () => {
  const prefix = `877${String(Math.floor(Math.random() * 100_000)).padStart(5, "0")}`
  return { prefix, number: (i: number) => `+1${prefix}${String(i).padStart(2, "0")}` }
}

/** The example catalog's toll-free product, numbers `from..to` of a fresh block added to it (US), and a customer. */
const setup = (count = 10) =>
  Effect.gen(function* () {
    const catalog = yield* exampleCatalog
    const product = catalog.products["Toll-Free Number"]!
    const b = block()
    const numbers = Array.from({ length: count }, (_, i) => b.number(i))
    expectData(yield* call("POST", `${V1}/numbers`, { body: { product_id: product, country: "US", numbers } }), 201)
    const { partner, partnerKey } = yield* channel()
    const customer = yield* createCustomer(partner.id)
    const orders = `${V1}/customers/${customer.id}/orders/${product}`
    return { catalog, product, b, numbers, partner, partnerKey, customer, orders }
  })

const owned = (customerId: string, productId: string) =>
  Effect.map(call("GET", `${V1}/customers/${customerId}/products/${productId}`), (a) =>
    a.status === 404 ? [] : (expectData(a).numbers as Array<any>))

describe("number orders", () => {
  it.layer(OrderingServer)("any, reserve, range, port, move, change, delete", (it) => {
    it.effect("any: N available numbers, one item each, in the order list and the inventory", () =>
      Effect.gen(function* () {
        yield* setNow("2026-06-01T12:00:00Z")
        const { b, customer, numbers, orders, product } = yield* setup()
        const order = expectData(
          yield* call("POST", `${orders}/numbers/any`, { body: { quantity: 3, country: "US", contains: b.prefix } }),
          201
        )
        expect(order).toMatchObject({ customer_id: customer.id, status: "completed" })
        expect(order.items.map((i: any) => [i.action, i.number, i.status])).toEqual(
          numbers.slice(0, 3).map((n) => ["number_any", n, "completed"])
        )
        const listed = expectData(yield* call("GET", `${V1}/customers/${customer.id}/orders`))
        expect(listed.map((o: any) => o.id)).toContain(order.id)
        expect((yield* owned(customer.id, product)).map((n: any) => [n.number, n.status])).toEqual(
          numbers.slice(0, 3).map((n) => [n, "assigned"])
        )
        const types = (yield* events({ customer_id: customer.id })).map((e) => e.type)
        expect(types).toEqual(["order.completed", "number.assigned"])

        // More than are available: fails whole, nothing assigned.
        expectError(
          yield* call("POST", `${orders}/numbers/any`, { body: { quantity: 8, country: "US", contains: b.prefix } }),
          409,
          "number_unavailable"
        )
        expect(yield* owned(customer.id, product)).toHaveLength(3)
        expectError(yield* call("POST", `${orders}/numbers/any`, { body: { quantity: 0, country: "US" } }), 422, "validation_error", "quantity")
      }))

    it.effect("reserve: the reservation's numbers; range: a contiguous available block or nothing", () =>
      Effect.gen(function* () {
        const { customer, numbers, orders, product } = yield* setup()
        const reservation = expectData(
          yield* call("POST", `${V1}/customers/${customer.id}/reservations`, { body: { numbers: [numbers[0], numbers[1]] } }),
          201
        )
        const reserved = expectData(yield* call("POST", `${orders}/numbers/reserve`, { body: { reservation_id: reservation.id } }), 201)
        expect(reserved.items.map((i: any) => i.number).sort()).toEqual([numbers[0], numbers[1]])
        // Used up.
        expectError(yield* call("POST", `${orders}/numbers/reserve`, { body: { reservation_id: reservation.id } }), 409, "invalid_state")
        expectError(yield* call("POST", `${orders}/numbers/reserve`, { body: { reservation_id: "res_0000000000" } }), 422, "validation_error", "reservation_id")

        // A range over an assigned number fails whole, naming it.
        const overlapping = yield* call("POST", `${orders}/numbers/range`, { body: { from: numbers[1], to: numbers[3] } })
        expectError(overlapping, 409, "number_unavailable")
        expect(overlapping.body.error.message).toContain(numbers[1])
        expect(yield* owned(customer.id, product)).toHaveLength(2)

        const range = expectData(yield* call("POST", `${orders}/numbers/range`, { body: { from: numbers[2], to: numbers[5] } }), 201)
        expect(range.items.map((i: any) => i.number)).toEqual(numbers.slice(2, 6))
        expectError(yield* call("POST", `${orders}/numbers/range`, { body: { from: numbers[7], to: numbers[6] } }), 422, "validation_error", "to")
        expect(yield* owned(customer.id, product)).toHaveLength(6)
      }))

    it.effect("port, move, change, delete and delete-all", () =>
      Effect.gen(function* () {
        const { b, customer, numbers, orders, product } = yield* setup(4)
        expectData(yield* call("POST", `${orders}/numbers/range`, { body: { from: numbers[0], to: numbers[3] } }), 201)

        // Port: numbers new to the inventory, porting to the customer.
        const ported = [b.number(50), b.number(51)]
        const port = expectData(
          yield* call("POST", `${orders}/numbers/port`, { body: { numbers: ported, losing_carrier: "Acme Telecom" } }),
          201
        )
        expect(port.items.map((i: any) => [i.action, i.number])).toEqual(ported.map((n) => ["number_port", n]))
        expectError(yield* call("POST", `${orders}/numbers/port`, { body: { numbers: [numbers[0]] } }), 409, "number_unavailable")
        const inventory = yield* owned(customer.id, product)
        expect(inventory.filter((n: any) => n.status === "porting").map((n: any) => n.number)).toEqual(ported)

        // Move to a product location of the customer.
        const location = expectData(
          yield* call("POST", `${V1}/customers/${customer.id}/productLocations`, { body: { name: "Branch" } }),
          201
        )
        expectData(yield* call("POST", `${orders}/numbers/move`, { body: { numbers: [numbers[0]], location_id: location.id } }), 201)
        expectError(
          yield* call("POST", `${orders}/numbers/move`, { body: { numbers: [numbers[0]], location_id: "loc_0000000000" } }),
          422,
          "validation_error",
          "location_id"
        )
        // Change characteristics.
        expectData(
          yield* call("POST", `${orders}/numbers/change`, {
            body: { numbers: [numbers[1]], characteristics: { routing_destination: "sip:desk@example.com" } }
          }),
          201
        )
        const after = yield* owned(customer.id, product)
        expect(after.find((n: any) => n.number === numbers[0]).location_id).toBe(location.id)
        expect(after.find((n: any) => n.number === numbers[1]).characteristics).toEqual({ routing_destination: "sip:desk@example.com" })

        // Delete one: quarantined, no longer the customer's; a number not the customer's fails whole.
        expectError(
          yield* call("POST", `${orders}/numbers/delete`, { body: { numbers: [numbers[2], b.number(99)] } }),
          422,
          "validation_error",
          "numbers"
        )
        const deleted = expectData(yield* call("POST", `${orders}/numbers/delete`, { body: { numbers: [numbers[2]] } }), 201)
        expect(deleted.items.map((i: any) => [i.action, i.number])).toEqual([["number_delete", numbers[2]]])
        expect(yield* owned(customer.id, product)).toHaveLength(5)

        // Delete all: every remaining number of the product.
        const all = expectData(yield* call("POST", `${orders}/delete`), 201)
        expect(all.items.map((i: any) => i.number).sort()).toEqual([numbers[0], numbers[1], numbers[3], ...ported].sort())
        expect(yield* owned(customer.id, product)).toEqual([])
        expectError(yield* call("POST", `${orders}/delete`), 409, "invalid_state")
        const released = (yield* events({ type: "number.released", customer_id: customer.id }))
        expect(released).toHaveLength(2)
      }))

    it.effect("scope 404, viewers 403, free edition 403, non-number product 422", () =>
      Effect.gen(function* () {
        const { catalog, customer, orders } = yield* setup(1)
        const other = yield* channel()
        expectError(
          yield* call("POST", `${orders}/numbers/any`, { key: other.partnerKey, body: { quantity: 1, country: "US" } }),
          404,
          "not_found"
        )
        expectError(yield* call("POST", `${orders}/delete`, { key: other.partnerKey }), 404, "not_found")
        const free = yield* channel("free")
        const freeCustomer = yield* createCustomer(free.partner.id)
        expectError(
          yield* call("POST", `${V1}/customers/${freeCustomer.id}/orders/${catalog.products["Toll-Free Number"]}/numbers/any`, {
            key: free.partnerKey,
            body: { quantity: 1, country: "US" }
          }),
          403,
          "edition_forbidden"
        )
        expectError(
          yield* call("POST", `${V1}/customers/${customer.id}/orders/${catalog.products["SIP Trunk"]}/numbers/any`, {
            body: { quantity: 1, country: "US" }
          }),
          422,
          "validation_error",
          "product_id"
        )
      }))
  })
})

describe("port completion", () => {
  it.layer(OrderingServer)("complete and cancel a port", (it) => {
    const portPath = (number: string, outcome: "complete" | "cancel") =>
      `${V1}/numbers/${encodeURIComponent(number)}/port/${outcome}`

    it.effect("complete: porting -> assigned with number.ported; cancel: out of the inventory with number.port_failed", () =>
      Effect.gen(function* () {
        const { b, customer, numbers, orders, partnerKey, product } = yield* setup(1)
        const ported = [b.number(60), b.number(61)]
        expectData(yield* call("POST", `${orders}/numbers/port`, { body: { numbers: ported, losing_carrier: "Acme" } }), 201)

        // Only the platform's admins end a port: the customer's partner is 403.
        expectError(yield* call("POST", portPath(ported[0]!, "complete"), { key: partnerKey }), 403, "forbidden")
        expectError(yield* call("POST", portPath(ported[0]!, "cancel"), { key: partnerKey }), 403, "forbidden")

        const done = expectData(yield* call("POST", portPath(ported[0]!, "complete")))
        expect(done).toEqual({ number: ported[0], product_id: product, customer_id: customer.id, status: "assigned" })
        const inventory = yield* owned(customer.id, product)
        expect(inventory.map((n: any) => [n.number, n.status]).filter(([n]: any) => ported.includes(n))).toEqual([
          [ported[0], "assigned"],
          [ported[1], "porting"]
        ])
        const portedEvents = yield* events({ type: "number.ported", customer_id: customer.id })
        expect(portedEvents.map((e: any) => e.data.number)).toEqual([ported[0]])
        // Completed: no longer porting, so neither completed again nor cancelled.
        expectError(yield* call("POST", portPath(ported[0]!, "complete")), 409, "invalid_state")
        expectError(yield* call("POST", portPath(ported[0]!, "cancel")), 409, "invalid_state")
        // An assigned (never ported) number and an unknown one.
        expectData(yield* call("POST", `${orders}/numbers/range`, { body: { from: numbers[0], to: numbers[0] } }), 201)
        expectError(yield* call("POST", portPath(numbers[0]!, "complete")), 409, "invalid_state")
        expectError(yield* call("POST", portPath(b.number(98), "complete")), 404, "not_found")
        expectError(yield* call("POST", portPath(b.number(98), "cancel")), 404, "not_found")

        // Cancel: the port failed; the number leaves the inventory and may be ported again.
        const failed = expectData(yield* call("POST", portPath(ported[1]!, "cancel")))
        expect(failed).toMatchObject({ number: ported[1], status: "removed" })
        expect((yield* owned(customer.id, product)).map((n: any) => n.number)).not.toContain(ported[1])
        const failedEvents = yield* events({ type: "number.port_failed", customer_id: customer.id })
        expect(failedEvents.map((e: any) => e.data.number)).toEqual([ported[1]])
        expectError(yield* call("POST", portPath(ported[1]!, "cancel")), 404, "not_found")
        expectData(yield* call("POST", `${orders}/numbers/port`, { body: { numbers: [ported[1]] } }), 201)
      }))
  })
})
