import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { call, channel, createKey, expectData } from "./harness"
import {
  awaitRun,
  createCustomer,
  events,
  eventsOf,
  exampleCatalog,
  expectError,
  getSubscription,
  order,
  OrderingServer,
  runDue,
  SEAT,
  setNow,
  subscribe,
  V1
} from "./ordering-fixtures"

describe("subscriptions", () => {
  it.layer(OrderingServer)("seed 001: managing subscriptions over HTTP", (it) => {
    it.effect("read, rename, auto-renew, characteristics and custom fields", () =>
      Effect.gen(function* () {
        yield* setNow("2026-04-01T08:00:00Z")
        const catalog = yield* exampleCatalog
        const { partner, partnerKey } = yield* channel()
        const customer = yield* createCustomer(partner.id)
        const trunk = yield* subscribe(customer.id, {
          plan_id: catalog.plans["SIP Trunk Channel Monthly"],
          quantity: 4,
          characteristics: { channels: 30, codec: "G.722" }
        }, partnerKey)
        const seat = yield* subscribe(customer.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], characteristics: SEAT }, partnerKey)

        const listed = expectData(yield* call("GET", `${V1}/subscriptions?customer_id=${customer.id}`, { key: partnerKey }))
        expect(listed.map((s: any) => s.id)).toEqual([trunk.id, seat.id])
        expect(expectData(yield* call("GET", `${V1}/subscriptions?status=cancelled`, { key: partnerKey }))).toEqual([])
        expectError(yield* call("GET", `${V1}/subscriptions?status=gone`, { key: partnerKey }), 422, "validation_error", "status")

        expect(expectData(yield* call("GET", `${V1}/subscriptions/${trunk.id}/characteristics`, { key: partnerKey })))
          .toEqual({ channels: 30, codec: "G.722" })

        const renamed = expectData(yield* call("PUT", `${V1}/subscriptions/${trunk.id}`, {
          key: partnerKey,
          body: { name: "Head office trunk", auto_renew: false }
        }))
        expect(renamed).toMatchObject({ name: "Head office trunk", auto_renew: false, status: "active" })

        expect(expectData(yield* call("GET", `${V1}/subscriptions/${trunk.id}/customfields`, { key: partnerKey }))).toEqual({})
        const fields = { po_number: "PO-1234", cost_centre: 42, tags: ["voice"] }
        expect(expectData(yield* call("PUT", `${V1}/subscriptions/${trunk.id}/customfields`, { key: partnerKey, body: fields })))
          .toEqual(fields)
        expect(expectData(yield* call("GET", `${V1}/subscriptions/${trunk.id}/customfields`, { key: partnerKey }))).toEqual(fields)
        expect((yield* getSubscription(trunk.id)).custom_fields).toEqual(fields)

        const changes = (yield* eventsOf(trunk.id)).map((e) => [e.type, Object.keys(e.data.changes ?? {}).sort()])
        expect(changes).toEqual([
          ["subscription.created", []],
          ["subscription.updated", ["auto_renew", "name"]],
          ["subscription.updated", ["custom_fields"]]
        ])

        // Out of scope reads as missing.
        const stranger = yield* channel()
        expectError(yield* call("GET", `${V1}/subscriptions/${trunk.id}`, { key: stranger.partnerKey }), 404, "not_found")
        expect(expectData(yield* call("GET", `${V1}/subscriptions`, { key: stranger.partnerKey }))).toEqual([])
      }))

    it.effect("PUT changes auto_renew and name only: another field sent with another value is 422 naming it, as it is it is accepted", () =>
      Effect.gen(function* () {
        yield* setNow("2026-04-01T08:00:00Z")
        const catalog = yield* exampleCatalog
        const { partner, partnerKey } = yield* channel()
        const customer = yield* createCustomer(partner.id)
        const seat = yield* subscribe(customer.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], quantity: 5, characteristics: SEAT }, partnerKey)
        const put = (body: unknown) => call("PUT", `${V1}/subscriptions/${seat.id}`, { key: partnerKey, body })

        // A new user's guesses: each was 200 with nothing changed.
        const quantity = yield* put({ quantity: 3 })
        expectError(quantity, 422, "validation_error", "quantity")
        expect(quantity.body.error.message).toContain("POST /subscriptions/{id}/quantity")
        expectError(yield* put({ status: "cancelled" }), 422, "validation_error", "status")
        expectError(yield* put({ cancel_at_period_end: true }), 422, "validation_error", "cancel_at_period_end")
        expectError(yield* put({ custom_fields: { po: "1" } }), 422, "validation_error", "custom_fields")
        expectError(yield* put({ plan_id: catalog.plans["UCaaS Seat Annual"] }), 422, "validation_error", "plan_id")
        expectError(yield* put({ characteristics: { edition: "premium" } }), 422, "validation_error", "characteristics")
        // Nothing of it was applied, nor the valid field sent with it.
        expectError(yield* put({ name: "Seats", quantity: 3 }), 422, "validation_error", "quantity")
        expect(yield* getSubscription(seat.id)).toMatchObject({ quantity: 5, status: "active", name: null })

        // The subscription sent back whole, with a new name: only the name changes.
        const current = expectData(yield* call("GET", `${V1}/subscriptions/${seat.id}`, { key: partnerKey }))
        const renamed = expectData(yield* put({ ...current, characteristics: { ...SEAT }, name: "Seats" }))
        expect(renamed).toMatchObject({ name: "Seats", quantity: 5, status: "active" })
      }))

    it.effect("the installment plan of a committed plan; none without a commitment", () =>
      Effect.gen(function* () {
        yield* setNow("2026-01-31T10:00:00Z")
        const catalog = yield* exampleCatalog
        const { partner } = yield* channel()
        const customer = yield* createCustomer(partner.id)
        const committed = yield* subscribe(customer.id, {
          plan_id: catalog.plans["UCaaS Seat 12-Month Commitment"],
          quantity: 3,
          characteristics: SEAT
        })
        yield* setNow("2026-03-15T00:00:00Z")
        yield* runDue
        const plan = expectData(yield* call("GET", `${V1}/subscriptions/${committed.id}/currentInstallmentplan`))
        expect(plan).toMatchObject({
          subscription_id: committed.id,
          commitment_months: 12,
          term: 1,
          term_start: "2026-01-31T10:00:00.000Z",
          term_end: "2027-01-31T10:00:00.000Z"
        })
        expect(plan.installments).toHaveLength(12)
        // Due dates passing pay nothing: nothing has been invoiced yet.
        expect(plan.installments.slice(0, 4)).toEqual([
          { number: 1, due: "2026-01-31T10:00:00.000Z", amount: { amount: "30.00", currency: "EUR" }, status: "unpaid" },
          { number: 2, due: "2026-02-28T10:00:00.000Z", amount: { amount: "30.00", currency: "EUR" }, status: "unpaid" },
          { number: 3, due: "2026-03-31T10:00:00.000Z", amount: { amount: "30.00", currency: "EUR" }, status: "unpaid" },
          { number: 4, due: "2026-04-30T10:00:00.000Z", amount: { amount: "30.00", currency: "EUR" }, status: "unpaid" }
        ])
        expect(plan.installments[11].due).toBe("2026-12-31T10:00:00.000Z")

        // February's run bills installment 1 (its period ended on Feb 28); once that invoice is paid, so is it.
        const run = expectData(yield* call("POST", `${V1}/billing/runs`, { body: { period: "2026-02" } }), 202)
        expect((yield* awaitRun(run.id)).status).toBe("completed")
        const [invoice] = expectData(yield* call("GET", `${V1}/invoices?customer_id=${customer.id}`))
        expect(invoice.lines.map((l: { kind: string }) => l.kind)).toEqual(["installment"])
        const billed = expectData(yield* call("GET", `${V1}/subscriptions/${committed.id}/currentInstallmentplan`))
        expect(billed.installments[0].status).toBe("unpaid")
        expectData(yield* call("POST", `${V1}/payments`, { body: { invoice_id: invoice.id, amount: invoice.amount_due } }), 201)
        const paid = expectData(yield* call("GET", `${V1}/subscriptions/${committed.id}/currentInstallmentplan`))
        expect(paid.installments.slice(0, 2).map((i: { status: string }) => i.status)).toEqual(["paid", "unpaid"])

        const monthly = yield* subscribe(customer.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], characteristics: SEAT })
        expect(expectData(yield* call("GET", `${V1}/subscriptions/${monthly.id}/currentInstallmentplan`))).toEqual({
          subscription_id: monthly.id,
          commitment_months: null,
          term: null,
          term_start: null,
          term_end: null,
          installments: []
        })
      }))

    it.effect("a quantity decrease is a request, polled to completed", () =>
      Effect.gen(function* () {
        yield* setNow("2026-05-05T12:00:00Z")
        const catalog = yield* exampleCatalog
        const { partner, partnerKey } = yield* channel()
        const customer = yield* createCustomer(partner.id)
        const seat = yield* subscribe(customer.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], quantity: 10, characteristics: SEAT }, partnerKey)

        const accepted = yield* call("POST", `${V1}/subscriptions/${seat.id}/quantity`, { key: partnerKey, body: { quantity: 7 } })
        const request = expectData(accepted, 202)
        expect(request.request_id).toMatch(/^qrq_/)
        expect(request).toMatchObject({ id: request.request_id, subscription_id: seat.id, from_quantity: 10, to_quantity: 7, state: "completed", reason: null })

        const polled = expectData(yield* call("GET", `${V1}/subscriptions/${seat.id}/quantityrequest/${request.request_id}`, { key: partnerKey }))
        expect(polled).toMatchObject({ id: request.request_id, state: "completed", from_quantity: 10, to_quantity: 7 })
        expect((yield* getSubscription(seat.id)).quantity).toBe(7)

        const types = (yield* events({ customer_id: customer.id })).map((e) => e.type)
        expect(types.slice(-3)).toEqual(["quantity_request.created", "quantity_request.completed", "subscription.updated"])

        // Only decreases: an increase is ordered.
        expectError(yield* call("POST", `${V1}/subscriptions/${seat.id}/quantity`, { key: partnerKey, body: { quantity: 9 } }), 422, "validation_error", "quantity")
        expectError(yield* call("POST", `${V1}/subscriptions/${seat.id}/quantity`, { key: partnerKey, body: { quantity: 7 } }), 422, "validation_error", "quantity")
        expectError(yield* call("POST", `${V1}/subscriptions/${seat.id}/quantity`, { key: partnerKey, body: { quantity: 0 } }), 422, "validation_error", "quantity")
        for (const quantity of [1.5, "3", -2]) {
          const answer = yield* call("POST", `${V1}/subscriptions/${seat.id}/quantity`, { key: partnerKey, body: { quantity } })
          expectError(answer, 422, "validation_error", "quantity")
          expect(answer.body.error.message).toBe("must be a whole number of at least 1")
        }
        expectError(yield* call("GET", `${V1}/subscriptions/${seat.id}/quantityrequest/qrq_0000000000000000000000000`, { key: partnerKey }), 404, "not_found")
      }))

    it.effect("cancel immediately, with its add-ons; a cancelled subscription cannot change", () =>
      Effect.gen(function* () {
        yield* setNow("2026-06-01T09:00:00Z")
        const catalog = yield* exampleCatalog
        const { partner, partnerKey } = yield* channel()
        const customer = yield* createCustomer(partner.id)
        const seat = yield* subscribe(customer.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], quantity: 2, characteristics: SEAT }, partnerKey)
        const addon = yield* subscribe(customer.id, {
          plan_id: catalog.plans["Teams Direct Routing Add-on"],
          parent_subscription_id: seat.id,
          characteristics: { tenant_domain: "contoso.onmicrosoft.com" }
        }, partnerKey)

        yield* TestClock.adjust("3 days")
        const cancelled = expectData(yield* call("POST", `${V1}/subscriptions/${seat.id}/cancel`, { key: partnerKey }))
        expect(cancelled).toMatchObject({ status: "cancelled", cancelled_at: "2026-06-04T09:00:00.000Z" })
        expect(yield* getSubscription(addon.id)).toMatchObject({ status: "cancelled", cancelled_at: "2026-06-04T09:00:00.000Z" })
        expect((yield* eventsOf(addon.id)).map((e) => e.type)).toEqual(["subscription.created", "subscription.cancelled"])

        expectError(yield* call("POST", `${V1}/subscriptions/${seat.id}/cancel`, { key: partnerKey, body: { when: "immediately" } }), 409, "invalid_state")
        expectError(yield* call("POST", `${V1}/subscriptions/${seat.id}/quantity`, { key: partnerKey, body: { quantity: 1 } }), 409, "invalid_state")
        expectError(yield* call("PUT", `${V1}/subscriptions/${seat.id}`, { key: partnerKey, body: { auto_renew: false } }), 409, "invalid_state")
        expectError(yield* call("POST", `${V1}/subscriptions/${seat.id}/cancel`, { key: partnerKey, body: { when: "someday" } }), 422, "validation_error", "when")

        // A cancelled subscription takes no more units by order either.
        const draft = expectData(yield* call("POST", `${V1}/orders`, { key: partnerKey, body: { customer_id: customer.id } }), 201)
        expectError(
          yield* call("POST", `${V1}/orders/${draft.id}/items`, { key: partnerKey, body: { subscription_id: seat.id, quantity: 1 } }),
          422,
          "validation_error",
          "subscription_id"
        )
      }))

    it.effect("an add-on cancelled at the end of its billing period stays active until then", () =>
      Effect.gen(function* () {
        yield* setNow("2026-07-10T15:00:00Z")
        const catalog = yield* exampleCatalog
        const { partner, partnerKey } = yield* channel()
        const customer = yield* createCustomer(partner.id)
        const seat = yield* subscribe(customer.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], quantity: 5, characteristics: SEAT }, partnerKey)
        yield* TestClock.adjust("1 hour")
        const addon = yield* subscribe(customer.id, {
          plan_id: catalog.plans["Call Recording Add-on"],
          parent_subscription_id: seat.id,
          quantity: 5,
          characteristics: { retention_days: "365" }
        }, partnerKey)
        expect(addon.current_period_end).toBe("2026-08-10T15:00:00.000Z")

        // Only an add-on of this parent.
        const other = yield* subscribe(customer.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], characteristics: SEAT }, partnerKey)
        expectError(yield* call("POST", `${V1}/subscriptions/${other.id}/addons/${addon.id}/cancelendofbillingperiod`, { key: partnerKey }), 404, "not_found")
        expectError(yield* call("POST", `${V1}/subscriptions/${seat.id}/addons/${other.id}/cancelendofbillingperiod`, { key: partnerKey }), 404, "not_found")

        const marked = expectData(yield* call("POST", `${V1}/subscriptions/${seat.id}/addons/${addon.id}/cancelendofbillingperiod`, { key: partnerKey }))
        expect(marked).toMatchObject({ id: addon.id, status: "active", cancel_at_period_end: true, cancelled_at: null })

        // A second before the period ends: still active.
        yield* setNow("2026-08-10T14:59:59Z")
        yield* runDue
        expect((yield* getSubscription(addon.id)).status).toBe("active")

        // The period ends: the add-on is cancelled, its parent renews.
        yield* setNow("2026-08-10T15:00:30Z")
        yield* runDue
        expect(yield* getSubscription(addon.id)).toMatchObject({ status: "cancelled", cancelled_at: "2026-08-10T15:00:00.000Z" })
        expect(yield* getSubscription(seat.id)).toMatchObject({
          status: "active",
          current_period_start: "2026-08-10T15:00:00.000Z",
          current_period_end: "2026-09-10T15:00:00.000Z"
        })
        expect((yield* eventsOf(addon.id)).map((e) => e.type)).toEqual([
          "subscription.created",
          "subscription.updated",
          "subscription.cancelled"
        ])
        // Nothing is due twice.
        yield* runDue
        expect(yield* eventsOf(addon.id)).toHaveLength(3)
        expect((yield* eventsOf(seat.id)).map((e) => e.type)).toEqual(["subscription.created", "subscription.renewed"])
      }))

    it.effect("cancel at the end of the billing period: the parent and its add-ons end together", () =>
      Effect.gen(function* () {
        yield* setNow("2026-09-30T22:00:00Z")
        const catalog = yield* exampleCatalog
        const { partner } = yield* channel()
        const customer = yield* createCustomer(partner.id)
        const seat = yield* subscribe(customer.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], characteristics: SEAT })
        const addon = yield* subscribe(customer.id, {
          plan_id: catalog.plans["Call Recording Add-on"],
          parent_subscription_id: seat.id,
          characteristics: { retention_days: "30" }
        })
        const marked = expectData(yield* call("POST", `${V1}/subscriptions/${seat.id}/cancel`, { body: { when: "end_of_billing_period" } }))
        expect(marked).toMatchObject({ status: "active", cancel_at_period_end: true })
        expect((yield* getSubscription(addon.id)).status).toBe("active")

        yield* setNow("2026-10-30T22:00:00Z")
        yield* runDue
        expect(yield* getSubscription(seat.id)).toMatchObject({ status: "cancelled", cancelled_at: "2026-10-30T22:00:00.000Z" })
        expect(yield* getSubscription(addon.id)).toMatchObject({ status: "cancelled", cancelled_at: "2026-10-30T22:00:00.000Z" })
      }))

    it.effect("free-edition partners read subscriptions but may not change them; viewers read only", () =>
      Effect.gen(function* () {
        yield* setNow("2026-10-01T10:00:00Z")
        const catalog = yield* exampleCatalog
        const free = yield* channel("free")
        const customer = yield* createCustomer(undefined, {}, free.partnerKey)
        const seat = yield* subscribe(customer.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], quantity: 3, characteristics: SEAT })
        const addon = yield* subscribe(customer.id, {
          plan_id: catalog.plans["Call Recording Add-on"],
          parent_subscription_id: seat.id,
          characteristics: { retention_days: "30" }
        })
        const key = free.partnerKey
        expect(expectData(yield* call("GET", `${V1}/subscriptions/${seat.id}`, { key })).id).toBe(seat.id)
        expect(expectData(yield* call("GET", `${V1}/subscriptions`, { key })).map((s: any) => s.id)).toEqual([seat.id, addon.id])
        expectData(yield* call("GET", `${V1}/subscriptions/${seat.id}/characteristics`, { key }))
        expectData(yield* call("GET", `${V1}/subscriptions/${seat.id}/customfields`, { key }))
        expectData(yield* call("GET", `${V1}/subscriptions/${seat.id}/currentInstallmentplan`, { key }))

        expectError(yield* call("POST", `${V1}/subscriptions/${seat.id}/cancel`, { key }), 403, "edition_forbidden")
        expectError(yield* call("POST", `${V1}/subscriptions/${seat.id}/quantity`, { key, body: { quantity: 1 } }), 403, "edition_forbidden")
        expectError(yield* call("PUT", `${V1}/subscriptions/${seat.id}`, { key, body: { auto_renew: false } }), 403, "edition_forbidden")
        expectError(yield* call("PUT", `${V1}/subscriptions/${seat.id}/customfields`, { key, body: { a: 1 } }), 403, "edition_forbidden")
        expectError(
          yield* call("POST", `${V1}/subscriptions/${seat.id}/addons/${addon.id}/cancelendofbillingperiod`, { key }),
          403,
          "edition_forbidden"
        )
        expect(yield* getSubscription(seat.id)).toMatchObject({ status: "active", quantity: 3, auto_renew: true })

        const standard = yield* channel()
        const viewer = yield* createKey(standard.partner.id, "viewer")
        const theirs = yield* createCustomer(standard.partner.id)
        const sub = yield* subscribe(theirs.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], characteristics: SEAT })
        expectError(yield* call("POST", `${V1}/subscriptions/${sub.id}/cancel`, { key: viewer }), 403, "forbidden")
        expect(expectData(yield* call("GET", `${V1}/subscriptions/${sub.id}`, { key: viewer })).id).toBe(sub.id)
      }))

    it.effect("every state change has its event, in the caller's scope", () =>
      Effect.gen(function* () {
        yield* setNow("2026-11-02T10:00:00Z")
        const catalog = yield* exampleCatalog
        const { partner, partnerKey } = yield* channel()
        const customer = yield* createCustomer(partner.id)
        const first = yield* order(customer.id, [{ plan_id: catalog.plans["UCaaS Seat Monthly"], quantity: 4, characteristics: SEAT }], partnerKey)
        const seatId = first.items[0].subscription_id
        yield* order(customer.id, [{ subscription_id: seatId, quantity: 2 }], partnerKey)
        expectData(yield* call("POST", `${V1}/subscriptions/${seatId}/quantity`, { key: partnerKey, body: { quantity: 3 } }), 202)
        expectData(yield* call("PUT", `${V1}/subscriptions/${seatId}`, { key: partnerKey, body: { auto_renew: false } }))
        yield* setNow("2026-12-02T10:00:00Z")
        yield* runDue

        const mine = yield* events({}, partnerKey)
        expect(mine.filter((e) => e.customer_id === customer.id).map((e) => e.type)).toEqual([
          "order.created",
          "order.updated",
          "subscription.created",
          "order.completed",
          "order.created",
          "order.updated",
          "subscription.updated",
          "order.completed",
          "quantity_request.created",
          "quantity_request.completed",
          "subscription.updated",
          "subscription.updated",
          "subscription.expired"
        ])
        expect(mine.every((e) => /^evt_/.test(e.id) && typeof e.occurred_at === "string")).toBe(true)
        const expired = mine.at(-1)
        expect(expired.data.subscription).toMatchObject({ id: seatId, status: "expired", expired_at: "2026-12-02T10:00:00.000Z" })
        expect(expired.data.period).toEqual({ start: "2026-11-02T10:00:00.000Z", end: "2026-12-02T10:00:00.000Z" })

        // Filters; another partner sees none of them.
        expect((yield* events({ type: "quantity_request.*" }, partnerKey)).map((e) => e.type)).toEqual([
          "quantity_request.created",
          "quantity_request.completed"
        ])
        expectError(yield* call("GET", `${V1}/events?type=${encodeURIComponent("drop table")}`, { key: partnerKey }), 422, "validation_error", "type")
        const stranger = yield* channel()
        expect(yield* events({}, stranger.partnerKey)).toEqual([])
      }))
  })
})
