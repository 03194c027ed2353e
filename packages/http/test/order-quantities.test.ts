import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import { MAX_ITEM_QUANTITY, MAX_SUBSCRIPTION_QUANTITY } from "@provisio/core/ordering/model"
import * as Effect from "effect/Effect"
import { call, channel, expectData } from "./harness"
import {
  addItem,
  checkout,
  createCustomer,
  draftOrder,
  exampleCatalog,
  expectError,
  getSubscription,
  order,
  OrderingServer,
  SEAT,
  setNow,
  subscribe,
  V1
} from "./ordering-fixtures"

/**
 * A subscription's quantity has a maximum (`MAX_SUBSCRIPTION_QUANTITY`) as an item's has
 * (`MAX_ITEM_QUANTITY`): ordering more units past it is refused, never a database failure (the
 * quantity is a 32-bit integer). The subscriptions start near it through the database, not
 * through a thousand orders.
 */

/** The subscription's quantity set as if earlier orders had raised it there. */
const setQuantity = (subscriptionId: string, quantity: number) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`update subscriptions set quantity = ${quantity} where id = ${subscriptionId}`
  })

/** A partner's customer with one UCaaS seat subscription at `quantity`. */
const seatAt = (quantity: number) =>
  Effect.gen(function* () {
    yield* setNow("2026-05-04T09:00:00Z")
    const catalog = yield* exampleCatalog
    const { partner, partnerKey } = yield* channel()
    const customer = yield* createCustomer(partner.id)
    const seat = yield* subscribe(customer.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], characteristics: SEAT }, partnerKey)
    yield* setQuantity(seat.id, quantity)
    return { customer, partnerKey, seat }
  })

describe("order quantities", () => {
  it.layer(OrderingServer)("a subscription's maximum quantity", (it) => {
    it.effect("the maximum is 1,000,000,000 units, beside the 1,000,000 of an item", () =>
      Effect.sync(() => {
        expect(MAX_SUBSCRIPTION_QUANTITY).toBe(1_000_000_000)
        expect(MAX_ITEM_QUANTITY).toBe(1_000_000)
        // What stores the quantity ends at 2,147,483,647.
        expect(MAX_SUBSCRIPTION_QUANTITY).toBeLessThan(2 ** 31 - 1)
      }))

    it.effect("an item that would raise a subscription past the maximum is refused: 422 naming quantity", () =>
      Effect.gen(function* () {
        const { customer, partnerKey, seat } = yield* seatAt(MAX_SUBSCRIPTION_QUANTITY - 1_500_000)
        const draft = yield* draftOrder(customer.id, partnerKey)
        expectData(yield* addItem(draft.id, { subscription_id: seat.id, quantity: 1_000_000 }, partnerKey), 201)
        // The order's first item already adds 1,000,000: another million passes the maximum.
        const past = yield* addItem(draft.id, { subscription_id: seat.id, quantity: 1_000_000 }, partnerKey)
        expectError(past, 422, "validation_error", "quantity")
        expect(past.body.error.message).toContain(`to ${MAX_SUBSCRIPTION_QUANTITY + 500_000} units`)
        expect(past.body.error.message).toContain("at most 1000000000")
        // Exactly to the maximum is fine, and checks out.
        expectData(yield* addItem(draft.id, { subscription_id: seat.id, quantity: 500_000 }, partnerKey), 201)
        const done = expectData(yield* checkout(draft.id, partnerKey))
        expect(done.status, JSON.stringify(done)).toBe("completed")
        expect((yield* getSubscription(seat.id, partnerKey)).quantity).toBe(MAX_SUBSCRIPTION_QUANTITY)

        // At the maximum, not one unit more.
        const next = yield* draftOrder(customer.id, partnerKey)
        expectError(yield* addItem(next.id, { subscription_id: seat.id, quantity: 1 }, partnerKey), 422, "validation_error", "quantity")
      }))

    it.effect("a checkout whose items would pass the maximum fails the order, the item saying why, instead of a 500", () =>
      Effect.gen(function* () {
        const { customer, partnerKey, seat } = yield* seatAt(MAX_SUBSCRIPTION_QUANTITY - 2_000_000)
        const draft = yield* draftOrder(customer.id, partnerKey)
        for (let i = 0; i < 2; i++) {
          expectData(yield* addItem(draft.id, { subscription_id: seat.id, quantity: 1_000_000 }, partnerKey), 201)
        }
        // Another order raised it meanwhile: the second item now passes the maximum.
        yield* setQuantity(seat.id, MAX_SUBSCRIPTION_QUANTITY - 1_500_000)
        const failed = expectData(yield* checkout(draft.id, partnerKey))
        expect(failed.status).toBe("failed")
        expect(failed.items.map((item: any) => item.status)).toEqual(["failed", "failed"])
        expect(failed.items[0].error).toMatch(/another item of the order failed/)
        expect(failed.items[1].error).toMatch(/^quantity would bring subscription \S+ from 998500000 to 1000500000 units/)
        expect((yield* getSubscription(seat.id, partnerKey)).quantity).toBe(MAX_SUBSCRIPTION_QUANTITY - 1_500_000)

        // The reported case: 100 items of 1,000,000 from 2,100,000,001 units, far past the maximum.
        yield* setQuantity(seat.id, 2_100_000_001)
        const hundred = yield* draftOrder(customer.id, partnerKey)
        expectError(
          yield* addItem(hundred.id, { subscription_id: seat.id, quantity: 1_000_000 }, partnerKey),
          422,
          "validation_error",
          "quantity"
        )
      }))

    it.effect("smaller orders up to the maximum still complete", () =>
      Effect.gen(function* () {
        const { customer, partnerKey, seat } = yield* seatAt(MAX_SUBSCRIPTION_QUANTITY - 3)
        yield* order(customer.id, [{ subscription_id: seat.id, quantity: 2 }, { subscription_id: seat.id, quantity: 1 }], partnerKey)
        expect((yield* getSubscription(seat.id, partnerKey)).quantity).toBe(MAX_SUBSCRIPTION_QUANTITY)
      }))

    it.effect("POST /subscriptions/{id}/quantity only lowers: a quantity past the maximum is 422 naming quantity", () =>
      Effect.gen(function* () {
        const { partnerKey, seat } = yield* seatAt(MAX_SUBSCRIPTION_QUANTITY)
        const path = `${V1}/subscriptions/${seat.id}/quantity`
        for (const quantity of [MAX_SUBSCRIPTION_QUANTITY + 1, 2 ** 31, 1e15]) {
          expectError(yield* call("POST", path, { key: partnerKey, body: { quantity } }), 422, "validation_error", "quantity")
        }
        expect((yield* getSubscription(seat.id, partnerKey)).quantity).toBe(MAX_SUBSCRIPTION_QUANTITY)
        const lowered = expectData(yield* call("POST", path, { key: partnerKey, body: { quantity: 10 } }), 202)
        expect(lowered).toMatchObject({ from_quantity: MAX_SUBSCRIPTION_QUANTITY, to_quantity: 10 })
      }))
  })

  it.layer(OrderingServer)("custom fields", (it) => {
    it.effect("51 custom fields, or a key too long, are refused naming custom_fields as metadata names metadata", () =>
      Effect.gen(function* () {
        const { partnerKey, seat } = yield* seatAt(1)
        const path = `${V1}/subscriptions/${seat.id}/customfields`
        const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`f${i}`, i]))
        expect(Object.keys(expectData(yield* call("PUT", path, { key: partnerKey, body: fifty })))).toHaveLength(50)
        const tooMany = yield* call("PUT", path, { key: partnerKey, body: { ...fifty, one_more: 1 } })
        expectError(tooMany, 422, "validation_error", "custom_fields")
        expect(tooMany.body.error.message).toBe("must have at most 50 keys")
        expectError(yield* call("PUT", path, { key: partnerKey, body: { ["k".repeat(41)]: 1 } }), 422, "validation_error", "custom_fields")
        // A value too long is still named by its key.
        expectError(yield* call("PUT", path, { key: partnerKey, body: { po: "p".repeat(501) } }), 422, "validation_error", "po")
        expect(Object.keys(expectData(yield* call("GET", path, { key: partnerKey })))).toHaveLength(50)
      }))
  })
})
