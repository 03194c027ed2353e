import { describe, expect, it } from "@effect/vitest"
import { Dunning } from "@provisio/core/collection/dunning"
import * as Effect from "effect/Effect"
import { call, channel, expectData, expectError } from "./harness"
import { chargeOf, finalizedInvoice } from "./invoice-fixtures"
import {
  createCustomer,
  events,
  exampleCatalog,
  getSubscription,
  OrderingServer,
  SEAT,
  setNow,
  subscribe,
  V1
} from "./ordering-fixtures"

const runDunning = Effect.flatMap(Dunning, (dunning) => dunning.runDue)

const customerOf = (id: string, key?: string) => Effect.map(call("GET", `${V1}/customers/${id}`, { key }), (a) => expectData(a))

describe("dunning", () => {
  it.layer(OrderingServer)("stages, suspension and resumption", (it) => {
    it.effect("an unpaid invoice is reminded, warned, then suspends the service; paying resumes it, each step once", () =>
      Effect.gen(function* () {
        yield* setNow("2026-03-02T09:00:00Z")
        const catalog = yield* exampleCatalog
        const { partner, partnerKey } = yield* channel()
        const customer = yield* createCustomer(partner.id, { timezone: "Europe/Berlin" })
        expect(customer).toMatchObject({
          collection_method: "send_invoice",
          payment_terms_days: 14,
          dunning: "active",
          dunning_stage: null
        })
        const seat = yield* subscribe(customer.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], characteristics: SEAT })
        const invoiceId = yield* finalizedInvoice({ customerId: customer.id, lines: [chargeOf("40.00")] })
        const invoice = expectData(yield* call("GET", `${V1}/invoices/${invoiceId}`, { key: partnerKey }))
        // Due 14 days after finalization; the date is Berlin's.
        expect(invoice).toMatchObject({
          due_at: "2026-03-16T09:00:00.000Z",
          due_date: "2026-03-16",
          collection_method: "send_invoice",
          disputed: false,
          payment_attempts: []
        })

        // Not yet due: nothing happens, and the invoice is not overdue.
        yield* setNow("2026-03-16T08:59:00Z")
        expect(yield* runDunning).toMatchObject({ overdue: 0, stage_changes: 0 })
        expect(expectData(yield* call("GET", `${V1}/invoices?status=overdue&customer_id=${customer.id}`, { key: partnerKey })))
          .toEqual([])

        // Day 0: overdue, no stage yet (the reminder comes at day 1).
        yield* setNow("2026-03-16T10:00:00Z")
        expect(yield* runDunning).toMatchObject({ overdue: 1, stage_changes: 0 })
        const overdue = expectData(yield* call("GET", `${V1}/invoices?status=overdue&customer_id=${customer.id}`, { key: partnerKey }))
        expect(overdue.map((i: { id: string; status: string }) => [i.id, i.status])).toEqual([[invoiceId, "finalized"]])

        yield* setNow("2026-03-17T10:00:00Z")
        expect(yield* runDunning).toMatchObject({ overdue: 0, stage_changes: 1 })
        expect((yield* customerOf(customer.id, partnerKey)).dunning_stage).toBe("reminder")
        // A repeated tick changes nothing.
        expect(yield* runDunning).toMatchObject({ overdue: 0, stage_changes: 0 })

        yield* setNow("2026-03-23T10:00:00Z")
        yield* runDunning
        expect((yield* customerOf(customer.id, partnerKey)).dunning_stage).toBe("warning")
        expect((yield* getSubscription(seat.id)).status).toBe("active")

        yield* setNow("2026-03-30T10:00:00Z")
        expect(yield* runDunning).toMatchObject({ stage_changes: 1, suspended: 1 })
        expect((yield* customerOf(customer.id, partnerKey)).dunning_stage).toBe("suspend")
        expect((yield* getSubscription(seat.id)).status).toBe("suspended")

        // Paid in full: the stage is left and the service comes back at once, not at the next turn.
        expectData(
          yield* call("POST", `${V1}/payments`, {
            key: partnerKey,
            body: { invoice_id: invoiceId, amount: { amount: "40.00", currency: "EUR" } }
          }),
          201
        )
        expect((yield* customerOf(customer.id, partnerKey)).dunning_stage).toBe(null)
        expect((yield* getSubscription(seat.id)).status).toBe("active")
        yield* setNow("2026-03-30T10:01:00Z")
        expect(yield* runDunning).toMatchObject({ stage_changes: 0, resumed: 0 })

        const raised = (yield* events({ customer_id: customer.id }, partnerKey)).map((e: { type: string }) => e.type)
        expect(raised.filter((t: string) => t === "invoice.overdue")).toHaveLength(1)
        expect(raised.filter((t: string) => t === "customer.dunning_stage_changed")).toHaveLength(4)
        expect(raised.filter((t: string) => t === "subscription.suspended")).toHaveLength(1)
        expect(raised.filter((t: string) => t === "subscription.resumed")).toHaveLength(1)
      }))

    it.effect("a customer whose dunning is paused, and an invoice marked disputed, are left alone however late", () =>
      Effect.gen(function* () {
        yield* setNow("2026-05-01T09:00:00Z")
        const { partner, partnerKey } = yield* channel()
        const paused = yield* createCustomer(partner.id, { dunning: "paused", payment_terms_days: 0 })
        expect(paused).toMatchObject({ dunning: "paused", payment_terms_days: 0 })
        yield* finalizedInvoice({ customerId: paused.id, lines: [chargeOf("10.00")] })
        const disputing = yield* createCustomer(partner.id, { payment_terms_days: 0 })
        const disputed = yield* finalizedInvoice({ customerId: disputing.id, lines: [chargeOf("10.00")] })
        const marked = expectData(yield* call("PUT", `${V1}/invoices/${disputed}`, { key: partnerKey, body: { disputed: true } }))
        expect(marked).toMatchObject({ id: disputed, disputed: true, status: "finalized" })
        // Only `disputed` changes: the invoice read and sent back is taken, a new due date or status is 422, not 200 and ignored.
        const { updated_at: _sentBack, ...whole } = marked
        expect(expectData(yield* call("PUT", `${V1}/invoices/${disputed}`, { key: partnerKey, body: whole }))).toMatchObject({ disputed: true })
        for (const [field, value, message] of [
          ["due_at", "2026-12-31T00:00:00.000Z", /fixed at finalization/],
          ["status", "paid", /POST \/invoices\/\{id\}\/void/],
          ["total", { amount: "1.00", currency: "EUR" }, /credit-notes/]
        ] as const) {
          const refused = yield* call("PUT", `${V1}/invoices/${disputed}`, { key: partnerKey, body: { disputed: true, [field]: value } })
          expectError(refused, 422, "validation_error", field)
          expect(refused.body.error.message).toMatch(message)
        }

        yield* setNow("2026-06-30T09:00:00Z")
        yield* runDunning
        expect((yield* customerOf(paused.id, partnerKey)).dunning_stage).toBe(null)
        expect((yield* customerOf(disputing.id, partnerKey)).dunning_stage).toBe(null)

        // The dispute settled (unfounded): dunning takes the invoice up at once, at its real age.
        expectData(yield* call("PUT", `${V1}/invoices/${disputed}`, { key: partnerKey, body: { disputed: false } }))
        yield* runDunning
        expect((yield* customerOf(disputing.id, partnerKey)).dunning_stage).toBe("suspend")
        // The customer itself cannot dispute its invoices through this door.
        const customerKey = expectData(
          yield* call("POST", `${V1}/api-keys`, { key: partnerKey, body: { account_id: disputing.id, role: "admin", name: "own" } }),
          201
        ).secret
        expectError(yield* call("PUT", `${V1}/invoices/${disputed}`, { key: customerKey, body: { disputed: true } }), 403, "forbidden")
      }))
  })

  it.layer(OrderingServer)("two schedulers", (it) => {
    it.effect("two turns at once change each customer once: one stage event, one suspension per subscription", () =>
      Effect.gen(function* () {
        yield* setNow("2026-07-01T09:00:00Z")
        const catalog = yield* exampleCatalog
        const { partner, partnerKey } = yield* channel()
        const customers = yield* Effect.forEach([1, 2, 3], () => createCustomer(partner.id, { payment_terms_days: 0 }))
        const seats = yield* Effect.forEach(customers, (customer) =>
          subscribe(customer.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], characteristics: SEAT }))
        yield* Effect.forEach(customers, (customer) => finalizedInvoice({ customerId: customer.id, lines: [chargeOf("5.00")] }))

        // 20 days late at the first look: straight to the latest stage reached.
        yield* setNow("2026-07-21T10:00:00Z")
        const runs = yield* Effect.all([runDunning, runDunning], { concurrency: "unbounded" })
        expect(runs.reduce((sum, run) => sum + run.overdue, 0)).toBe(3)
        expect(runs.reduce((sum, run) => sum + run.stage_changes, 0)).toBe(3)
        expect(runs.reduce((sum, run) => sum + run.suspended, 0)).toBe(3)
        for (const [i, customer] of customers.entries()) {
          const raised = (yield* events({ customer_id: customer.id }, partnerKey)).map((e: { type: string; data: any }) => e)
          expect(raised.filter((e: { type: string }) => e.type === "invoice.overdue")).toHaveLength(1)
          expect(raised.filter((e: { type: string }) => e.type === "customer.dunning_stage_changed").map((e: { data: any }) => e.data.to))
            .toEqual(["suspend"])
          expect(raised.filter((e: { type: string }) => e.type === "subscription.suspended")).toHaveLength(1)
          expect((yield* getSubscription(seats[i]!.id)).status).toBe("suspended")
        }
      }))
  })

  it.layer(OrderingServer)("the policy", (it) => {
    it.effect("the platform's default, a distributor's inherited by its partners, a free partner may not change it", () =>
      Effect.gen(function* () {
        const { distributor, distributorKey, partnerKey } = yield* channel()
        const initial = expectData(yield* call("GET", `${V1}/dunning-policy`, { key: partnerKey }))
        expect(initial).toMatchObject({
          retry_days: [1, 3, 5, 7],
          stages: [
            { stage: "reminder", days_past_due: 1, notify: true },
            { stage: "warning", days_past_due: 7, notify: true },
            { stage: "suspend", days_past_due: 14, notify: true }
          ],
          bill_while_suspended: true,
          source: "platform"
        })
        const policy = {
          retry_days: [2, 4],
          stages: [{ stage: "reminder", days_past_due: 0 }, { stage: "suspend", days_past_due: 10 }],
          bill_while_suspended: false
        }
        expect(expectData(yield* call("PUT", `${V1}/dunning-policy`, { key: distributorKey, body: policy })))
          .toMatchObject({ ...policy, source: "distributor", source_account_id: distributor.id })
        expect(expectData(yield* call("GET", `${V1}/dunning-policy`, { key: partnerKey })))
          .toMatchObject({ retry_days: [2, 4], source: "distributor", source_account_id: distributor.id })

        // A field left out keeps what is in force: the partner's own policy starts from its distributor's.
        expect(expectData(yield* call("PUT", `${V1}/dunning-policy`, {
          key: partnerKey,
          body: { stages: [{ stage: "warning", days_past_due: 3, notify: false }] }
        }))).toMatchObject({
          retry_days: [2, 4],
          stages: [{ stage: "warning", days_past_due: 3, notify: false }],
          bill_while_suspended: false,
          source: "partner"
        })
        expect(expectData(yield* call("PUT", `${V1}/dunning-policy`, { key: partnerKey, body: { retry_days: [1] } })))
          .toMatchObject({ retry_days: [1], stages: [{ stage: "warning", days_past_due: 3 }], bill_while_suspended: false })

        // Stages out of order, falling retry days: 422 naming the field.
        expectError(
          yield* call("PUT", `${V1}/dunning-policy`, {
            key: partnerKey,
            body: { retry_days: [3, 1], stages: [] }
          }),
          422,
          "validation_error",
          /retry_days/
        )
        expectError(
          yield* call("PUT", `${V1}/dunning-policy`, {
            key: partnerKey,
            body: { retry_days: [1], stages: [{ stage: "suspend", days_past_due: 5 }, { stage: "reminder", days_past_due: 9 }] }
          }),
          422,
          "validation_error",
          /stages/
        )

        const free = yield* channel("free")
        expectError(
          yield* call("PUT", `${V1}/dunning-policy`, { key: free.partnerKey, body: policy }),
          403,
          "edition_forbidden"
        )
      }))
  })
})
