import { describe, expect, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { call, channel, createKey, expectData } from "./harness"
import {
  addItem,
  checkout,
  createCustomer,
  draftOrder,
  events,
  exampleCatalog,
  expectError,
  getSubscription,
  order,
  OrderingServer,
  SEAT,
  setNow,
  V1
} from "./ordering-fixtures"

describe("orders", () => {
  it.layer(OrderingServer)("seed 001: ordering over HTTP", (it) => {
    it.effect("draft -> item -> checkout -> an active subscription, priced, with its events", () =>
      Effect.gen(function* () {
        yield* setNow("2026-03-10T09:15:00Z")
        const catalog = yield* exampleCatalog
        const { partner } = yield* channel()
        const customer = yield* createCustomer(partner.id, { timezone: "Europe/Berlin" })

        const draft = yield* draftOrder(customer.id)
        expect(draft).toMatchObject({ customer_id: customer.id, status: "draft", items: [], total: null })
        expect(draft.id).toMatch(/^ord_/)

        const withItem = expectData(
          yield* addItem(draft.id, {
            plan_id: catalog.plans["UCaaS Seat Monthly"],
            quantity: 5,
            characteristics: { edition: "premium", extension: "100" }
          }),
          201
        )
        expect(withItem.items).toHaveLength(1)
        expect(withItem.items[0]).toMatchObject({
          action: "create",
          plan_id: catalog.plans["UCaaS Seat Monthly"],
          sku_id: null,
          quantity: 5,
          subscription_id: null,
          parent_subscription_id: null,
          characteristics: { edition: "premium", extension: "100" },
          status: "pending",
          error: null,
          unit_price: { amount: "12.00", currency: "EUR" },
          amount: { amount: "60.00", currency: "EUR" }
        })
        expect(withItem.items[0].id).toMatch(/^oit_/)
        expect(withItem.total).toEqual({ amount: "60.00", currency: "EUR" })

        yield* TestClock.adjust("1 minute")
        const done = expectData(yield* checkout(draft.id))
        expect(done).toMatchObject({
          status: "completed",
          total: { amount: "60.00", currency: "EUR" },
          submitted_at: "2026-03-10T09:16:00.000Z",
          completed_at: "2026-03-10T09:16:00.000Z"
        })
        expect(done.items[0]).toMatchObject({ status: "completed", error: null, plan_version: 1 })
        const subscriptionId = done.items[0].subscription_id
        expect(subscriptionId).toMatch(/^sub_/)

        const subscription = yield* getSubscription(subscriptionId)
        expect(subscription).toMatchObject({
          id: subscriptionId,
          customer_id: customer.id,
          product_id: catalog.products["UCaaS Seat"],
          plan_id: catalog.plans["UCaaS Seat Monthly"],
          plan_version: 1,
          status: "active",
          quantity: 5,
          auto_renew: true,
          // Anchored at checkout in Berlin (CET, then CEST from Mar 29): 10:16 local both times.
          current_period_start: "2026-03-10T09:16:00.000Z",
          current_period_end: "2026-04-10T08:16:00.000Z",
          cancel_at_period_end: false,
          cancelled_at: null,
          parent_subscription_id: null,
          characteristics: { edition: "premium", extension: "100" },
          custom_fields: {},
          order_id: draft.id
        })

        // Reading it back, in both places.
        expect(expectData(yield* call("GET", `${V1}/orders/${draft.id}`))).toEqual(done)
        expect(expectData(yield* call("GET", `${V1}/customers/${customer.id}/orders/${draft.id}`))).toEqual(done)

        const types = (yield* events({ customer_id: customer.id })).map((e) => e.type)
        expect(types).toEqual(["order.created", "order.updated", "subscription.created", "order.completed"])
      }))

    it.effect("a quantity increase through an order naming the subscription", () =>
      Effect.gen(function* () {
        yield* setNow("2026-03-11T10:00:00Z")
        const catalog = yield* exampleCatalog
        const { partner, partnerKey } = yield* channel()
        const customer = yield* createCustomer(partner.id)
        const first = yield* order(customer.id, [
          { plan_id: catalog.plans["UCaaS Seat Monthly"], quantity: 5, characteristics: SEAT }
        ], partnerKey)
        const subscriptionId = first.items[0].subscription_id

        yield* TestClock.adjust("2 days")
        const more = yield* order(customer.id, [
          { subscription_id: subscriptionId, quantity: 3 },
          // Naming the plan too is fine when it is the subscription's.
          { subscription_id: subscriptionId, plan_id: catalog.plans["UCaaS Seat Monthly"], quantity: 1 }
        ], partnerKey)
        expect(more.items.map((item: any) => [item.action, item.subscription_id, item.status])).toEqual([
          ["increase_quantity", subscriptionId, "completed"],
          ["increase_quantity", subscriptionId, "completed"]
        ])
        expect(more.total).toEqual({ amount: "48.00", currency: "EUR" })
        const raised = yield* getSubscription(subscriptionId)
        expect(raised.quantity).toBe(9)
        // The period does not move.
        expect(raised.current_period_start).toBe("2026-03-11T10:00:00.000Z")

        const updates = (yield* events({ type: "subscription.updated", customer_id: customer.id }))
        expect(updates.map((e) => e.data.changes.quantity)).toEqual([{ from: 5, to: 8 }, { from: 8, to: 9 }])
        expect(updates.every((e) => e.data.order_id === more.id)).toBe(true)

        // Another plan than the subscription's, characteristics, or a subscription of another customer: 422.
        const draft = yield* draftOrder(customer.id, partnerKey)
        expectError(
          yield* addItem(draft.id, { subscription_id: subscriptionId, plan_id: catalog.plans["UCaaS Seat Annual"], quantity: 1 }),
          422,
          "validation_error",
          "plan_id"
        )
        expectError(
          yield* addItem(draft.id, { subscription_id: subscriptionId, quantity: 1, characteristics: SEAT }),
          422,
          "validation_error",
          "characteristics"
        )
        const other = yield* createCustomer(partner.id)
        const otherDraft = yield* draftOrder(other.id, partnerKey)
        expectError(
          yield* addItem(otherDraft.id, { subscription_id: subscriptionId, quantity: 1 }),
          422,
          "validation_error",
          "subscription_id"
        )
      }))

    it.effect("an add-on must be among the parent plan's add-ons; it shares the parent's billing days", () =>
      Effect.gen(function* () {
        yield* setNow("2026-01-31T12:00:00Z")
        const catalog = yield* exampleCatalog
        const { partner } = yield* channel()
        const customer = yield* createCustomer(partner.id)
        const seat = yield* order(customer.id, [
          { plan_id: catalog.plans["UCaaS Seat Monthly"], quantity: 2, characteristics: SEAT }
        ])
        const parentId = seat.items[0].subscription_id

        yield* setNow("2026-02-10T08:00:00Z")
        const draft = yield* draftOrder(customer.id)
        expectError(
          yield* addItem(draft.id, {
            plan_id: catalog.plans["SIP Trunk Channel Monthly"],
            parent_subscription_id: parentId,
            quantity: 1,
            characteristics: { channels: 4, codec: "Opus" }
          }),
          422,
          "validation_error",
          "plan_id"
        )
        expectError(
          yield* addItem(draft.id, { plan_id: catalog.plans["Call Recording Add-on"], parent_subscription_id: parentId, quantity: 2 }),
          422,
          "validation_error",
          "characteristics.retention_days"
        )
        expectData(
          yield* addItem(draft.id, {
            plan_id: catalog.plans["Call Recording Add-on"],
            parent_subscription_id: parentId,
            quantity: 2,
            characteristics: { retention_days: "90" }
          }),
          201
        )
        const done = expectData(yield* checkout(draft.id))
        expect(done.status).toBe("completed")
        const addon = yield* getSubscription(done.items[0].subscription_id)
        const parent = yield* getSubscription(parentId)
        expect(addon).toMatchObject({
          parent_subscription_id: parentId,
          status: "active",
          quantity: 2,
          characteristics: { retention_days: "90" },
          // From the checkout to the end of the parent's period (Jan 31 renews Feb 28).
          current_period_start: "2026-02-10T08:00:00.000Z",
          current_period_end: parent.current_period_end
        })
        expect(parent.current_period_end).toBe("2026-02-28T12:00:00.000Z")
      }))

    it.effect("characteristics are checked against the product's declarations", () =>
      Effect.gen(function* () {
        const catalog = yield* exampleCatalog
        const { partner } = yield* channel()
        const customer = yield* createCustomer(partner.id)
        const draft = yield* draftOrder(customer.id)
        const trunk = (characteristics: Record<string, unknown>) =>
          addItem(draft.id, { plan_id: catalog.plans["SIP Trunk Channel Monthly"], quantity: 1, characteristics })
        expectError(yield* trunk({ codec: "Opus" }), 422, "validation_error", "characteristics.channels")
        expectError(yield* trunk({ channels: "four", codec: "Opus" }), 422, "validation_error", "characteristics.channels")
        expectError(yield* trunk({ channels: 4, codec: "G.729" }), 422, "validation_error", "characteristics.codec")
        expectError(yield* trunk({ channels: 4, codec: "Opus", tls: "yes" }), 422, "validation_error", "characteristics.tls")
        expectError(yield* trunk({ channels: 4, codec: "Opus", colour: "red" }), 422, "validation_error", "characteristics.colour")
        const ok = expectData(yield* trunk({ channels: 4, codec: "Opus", tls: true, sip_domain: "sip.example.com" }), 201)
        expect(ok.items).toHaveLength(1)
        // Nothing to order, or two things at once.
        expectError(yield* addItem(draft.id, { quantity: 1 }), 422, "validation_error", "plan_id")
        expectError(
          yield* addItem(draft.id, { sku_id: catalog.skus["voice-minutes"], plan_id: catalog.plans["UCaaS Seat Monthly"], quantity: 1 }),
          422,
          "validation_error",
          "plan_id"
        )
        expectError(yield* addItem(draft.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], quantity: 0 }), 422, "validation_error", "quantity")
        // Whatever is wrong with a quantity, it is told what it takes ('Expected an integer, actual 1e17' was said to a whole number).
        for (const quantity of [0, -1, 1.5, "2", 1e17, null]) {
          const answer = yield* addItem(draft.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], quantity, characteristics: SEAT })
          expectError(answer, 422, "validation_error", "quantity")
          expect(answer.body.error.message).toBe("must be a whole number from 1 to 1000000")
        }
        expectError(yield* addItem(draft.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], characteristics: SEAT }), 422, "validation_error", "quantity")
        // One currency per order: the US number plan is priced in USD.
        expectError(
          yield* addItem(draft.id, {
            plan_id: catalog.plans["Toll-Free Number US Monthly"],
            quantity: 1,
            characteristics: { routing_destination: "+14155550100" }
          }),
          422,
          "validation_error",
          "plan_id"
        )
      }))

    it.effect("a SKU is bought once: rated with its price model, no subscription", () =>
      Effect.gen(function* () {
        const catalog = yield* exampleCatalog
        const { partner } = yield* channel()
        const customer = yield* createCustomer(partner.id)
        const done = yield* order(customer.id, [{ sku_id: catalog.skus["voice-minutes"], quantity: 1500 }])
        // 1000 × 0.020 + 500 × 0.015
        expect(done.items[0]).toMatchObject({ action: "purchase", status: "completed", subscription_id: null })
        expect(done.total).toEqual({ amount: "27.50", currency: "EUR" })
        expect(expectData(yield* call("GET", `${V1}/subscriptions?customer_id=${customer.id}`))).toEqual([])
      }))

    it.effect("a checkout that cannot be fulfilled fails whole: no subscription, no subscription event", () =>
      Effect.gen(function* () {
        const catalog = yield* exampleCatalog
        const { partner } = yield* channel()
        const customer = yield* createCustomer(partner.id)
        // A product of this test's own, which changes between adding the item and checking out.
        const product = expectData(yield* call("POST", `${V1}/products`, {
          body: { name: "Failover Line", type: "connection", characteristics: [{ name: "site", type: "string" }] }
        }), 201)
        const plan = expectData(yield* call("POST", `${V1}/plans`, {
          body: { product_id: product.id, name: "Failover Line Monthly", price: { amount: "30.00", currency: "EUR" }, billing_interval: "month" }
        }), 201)
        expectData(yield* call("POST", `${V1}/plans/${plan.id}/publish`))

        const draft = yield* draftOrder(customer.id)
        expectData(yield* addItem(draft.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], quantity: 1, characteristics: SEAT }), 201)
        expectData(yield* addItem(draft.id, { plan_id: plan.id, quantity: 2, characteristics: { site: "Berlin" } }), 201)
        // The product now requires a characteristic the second item does not state.
        expectData(yield* call("PUT", `${V1}/products/${product.id}`, {
          body: { characteristics: [{ name: "site", type: "string" }, { name: "circuit_id", type: "string", required: true }] }
        }))

        const failed = expectData(yield* checkout(draft.id))
        expect(failed.status).toBe("failed")
        expect(failed.completed_at).toBeNull()
        expect(failed.items.map((item: any) => item.status)).toEqual(["failed", "failed"])
        expect(failed.items[0].error).toMatch(/another item of the order failed/)
        expect(failed.items[1].error).toMatch(/^characteristics\.circuit_id is required/)
        expect(failed.items.every((item: any) => item.subscription_id === null)).toBe(true)

        expect(expectData(yield* call("GET", `${V1}/subscriptions?customer_id=${customer.id}`))).toEqual([])
        const types = (yield* events({ customer_id: customer.id })).map((e) => e.type)
        expect(types).toEqual(["order.created", "order.updated", "order.updated", "order.failed"])

        // A failed order is final: no second checkout, no cancel.
        expectError(yield* checkout(draft.id), 409, "invalid_state")
        expectError(yield* call("DELETE", `${V1}/orders/${draft.id}`), 409, "invalid_state")
        // Nor an empty one.
        const empty = yield* draftOrder(customer.id)
        expectError(yield* checkout(empty.id), 422, "validation_error", "items")
      }))

    it.effect("a closed customer takes no new orders: 422 naming customer_id, and a draft of it is not checked out (409)", () =>
      Effect.gen(function* () {
        const catalog = yield* exampleCatalog
        const { partner, partnerKey } = yield* channel()
        const customer = yield* createCustomer(partner.id)
        const draft = yield* draftOrder(customer.id, partnerKey)
        expectData(yield* addItem(draft.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], quantity: 1, characteristics: SEAT }, partnerKey), 201)
        expectData(yield* call("PUT", `${V1}/customers/${customer.id}`, { key: partnerKey, body: { status: "closed" } }))

        expectError(yield* call("POST", `${V1}/orders`, { key: partnerKey, body: { customer_id: customer.id } }), 422, "validation_error", "customer_id")
        expectError(yield* checkout(draft.id, partnerKey), 409, "invalid_state")
        expect(expectData(yield* call("GET", `${V1}/subscriptions?customer_id=${customer.id}`, { key: partnerKey }))).toEqual([])
        expect(expectData(yield* call("GET", `${V1}/orders/${draft.id}`, { key: partnerKey })).status).toBe("draft")

        // Reopened, it orders again.
        expectData(yield* call("PUT", `${V1}/customers/${customer.id}`, { key: partnerKey, body: { status: "active" } }))
        expect(expectData(yield* checkout(draft.id, partnerKey)).status).toBe("completed")
      }))

    it.effect("cancel: a draft (or submitted) order only; lists and the customer's view", () =>
      Effect.gen(function* () {
        const catalog = yield* exampleCatalog
        const { partner, partnerKey } = yield* channel()
        const customer = yield* createCustomer(partner.id)
        const other = yield* createCustomer(partner.id)

        const draft = yield* draftOrder(customer.id, partnerKey)
        expectData(yield* addItem(draft.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], quantity: 1, characteristics: SEAT }, partnerKey), 201)
        const cancelled = yield* call("DELETE", `${V1}/orders/${draft.id}`, { key: partnerKey })
        expect(cancelled.status).toBe(204)
        const read = expectData(yield* call("GET", `${V1}/orders/${draft.id}`, { key: partnerKey }))
        expect(read).toMatchObject({ status: "cancelled", items: [{ status: "cancelled" }] })
        expect(read.cancelled_at).not.toBeNull()
        expectError(yield* call("DELETE", `${V1}/orders/${draft.id}`, { key: partnerKey }), 409, "invalid_state")
        expectError(yield* addItem(draft.id, { sku_id: catalog.skus["voice-minutes"], quantity: 1 }, partnerKey), 409, "invalid_state")

        // Through the customer: its own orders only.
        const second = yield* draftOrder(customer.id, partnerKey)
        expectError(yield* call("GET", `${V1}/customers/${other.id}/orders/${second.id}`, { key: partnerKey }), 404, "not_found")
        expectError(yield* call("DELETE", `${V1}/customers/${other.id}/orders/${second.id}`, { key: partnerKey }), 404, "not_found")
        expect((yield* call("DELETE", `${V1}/customers/${customer.id}/orders/${second.id}`, { key: partnerKey })).status).toBe(204)

        const completed = yield* order(customer.id, [{ sku_id: catalog.skus["voice-minutes"], quantity: 10 }], partnerKey)
        expectError(yield* call("DELETE", `${V1}/orders/${completed.id}`, { key: partnerKey }), 409, "invalid_state")

        const mine = expectData(yield* call("GET", `${V1}/customers/${customer.id}/orders`, { key: partnerKey }))
        expect(mine.map((o: any) => [o.id, o.status])).toEqual([
          [draft.id, "cancelled"],
          [second.id, "cancelled"],
          [completed.id, "completed"]
        ])
        const listed = expectData(yield* call("GET", `${V1}/orders?status=completed`, { key: partnerKey }))
        expect(listed.map((o: any) => o.id)).toEqual([completed.id])
        expect(expectData(yield* call("GET", `${V1}/orders?customer_id=${other.id}`, { key: partnerKey }))).toEqual([])
        expectError(yield* call("GET", `${V1}/orders?status=shipped`, { key: partnerKey }), 422, "validation_error", "status")

        // Another partner sees none of it.
        const stranger = yield* channel()
        expectError(yield* call("GET", `${V1}/orders/${draft.id}`, { key: stranger.partnerKey }), 404, "not_found")
        expect(expectData(yield* call("GET", `${V1}/orders`, { key: stranger.partnerKey }))).toEqual([])
        expectError(yield* call("POST", `${V1}/orders`, { key: stranger.partnerKey, body: { customer_id: customer.id } }), 422, "validation_error", "customer_id")
      }))

    it.effect("free-edition partners read orders but may not order, check out or cancel; viewers read only", () =>
      Effect.gen(function* () {
        const catalog = yield* exampleCatalog
        const free = yield* channel("free")
        const customer = yield* createCustomer(undefined, {}, free.partnerKey)
        expectError(
          yield* call("POST", `${V1}/orders`, { key: free.partnerKey, body: { customer_id: customer.id } }),
          403,
          "edition_forbidden"
        )
        // The platform orders for the free partner's customer; the partner reads it.
        const draft = yield* draftOrder(customer.id)
        expectData(yield* addItem(draft.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], quantity: 1, characteristics: SEAT }), 201)
        expect(expectData(yield* call("GET", `${V1}/orders/${draft.id}`, { key: free.partnerKey })).id).toBe(draft.id)
        expect(expectData(yield* call("GET", `${V1}/orders`, { key: free.partnerKey })).map((o: any) => o.id)).toEqual([draft.id])
        expectError(
          yield* addItem(draft.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], quantity: 1, characteristics: SEAT }, free.partnerKey),
          403,
          "edition_forbidden"
        )
        expectError(yield* checkout(draft.id, free.partnerKey), 403, "edition_forbidden")
        expectError(yield* call("DELETE", `${V1}/orders/${draft.id}`, { key: free.partnerKey }), 403, "edition_forbidden")
        expectError(
          yield* call("DELETE", `${V1}/customers/${customer.id}/orders/${draft.id}`, { key: free.partnerKey }),
          403,
          "edition_forbidden"
        )
        expect(expectData(yield* call("GET", `${V1}/orders/${draft.id}`)).status).toBe("draft")

        const standard = yield* channel()
        const viewer = yield* createKey(standard.partner.id, "viewer")
        const theirs = yield* createCustomer(standard.partner.id)
        expectError(yield* call("POST", `${V1}/orders`, { key: viewer, body: { customer_id: theirs.id } }), 403, "forbidden")
      }))

    it.effect("a subscription's period starts at checkout in the customer's time zone", () =>
      Effect.gen(function* () {
        // 23:30 on Jan 31 in New York is already Feb 1 in UTC: the anchor is the local Jan 31.
        yield* setNow("2026-02-01T04:30:00Z")
        const catalog = yield* exampleCatalog
        const { partner } = yield* channel()
        const customer = yield* createCustomer(partner.id, { timezone: "America/New_York" })
        const done = yield* order(customer.id, [{ plan_id: catalog.plans["UCaaS Seat Monthly"], quantity: 1, characteristics: SEAT }])
        const subscription = yield* getSubscription(done.items[0].subscription_id)
        expect(subscription.current_period_start).toBe("2026-02-01T04:30:00.000Z")
        // Feb 28 23:30 EST.
        expect(subscription.current_period_end).toBe("2026-03-01T04:30:00.000Z")
        expect(DateTime.unsafeMake(subscription.current_period_end).pipe(DateTime.formatIso)).toBe("2026-03-01T04:30:00.000Z")
      }))
  })
})
