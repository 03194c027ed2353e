import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { call, expectData } from "./harness"
import { events, setNow, V1 } from "./ordering-fixtures"
import { finalizedInvoiceOf, ledgerFigures } from "./payments-fixtures"
import {
  chargeQueueOf,
  collect,
  invoiceOf,
  STRIPE_CUSTOMER,
  StandIn,
  StripeServer,
  stripeCustomer,
  UnconfiguredServer
} from "./stripe-fixtures"

/**
 * The collector: automatic charges of finalized invoices through the customer's default payment
 * method, here a Stripe card charged through the SDK against the stand-in for Stripe's API.
 */

const T0 = "2026-11-23T10:00:00.000Z"
const DAY = 24 * 3600 * 1000
const at = (millis: number) => new Date(Date.parse(T0) + millis).toISOString()

describe("collector", () => {
  it.layer(StripeServer)("automatic charges through Stripe", (it) => {
    it.effect("finalization queues the charge; the collector charges the default card off-session and the invoice is paid", () =>
      Effect.gen(function* () {
        yield* setNow(T0)
        const standIn = yield* StandIn
        const { customer, method } = yield* stripeCustomer("pm_card_visa_paid")
        const invoice = yield* finalizedInvoiceOf(customer.id, "25.00")
        expect(yield* chargeQueueOf(invoice)).toEqual({ next_charge_at: T0, charge_failures: 0 })

        const run = yield* collect
        expect(run).toEqual({ claimed: 1, succeeded: 1, failed: 0, pending: 0, unknown: 0 })

        const paid = yield* invoiceOf(invoice)
        expect(paid).toMatchObject({ status: "paid", amount_due: { amount: "0.00", currency: "EUR" }, collection_method: "charge_automatically" })
        expect(paid.payment_attempts).toHaveLength(1)
        const [attempt] = paid.payment_attempts
        expect(attempt).toMatchObject({ gateway: "stripe", status: "succeeded", decline_code: null, amount: { amount: "25.00", currency: "EUR" }, at: T0 })
        expect(attempt.id).toMatch(/^pat_/)

        // What Stripe was asked: a confirmed, off-session PaymentIntent in minor units, keyed by the attempt.
        const [sent] = standIn.calls().filter((c) => c.params.metadata?.provisio_invoice_id === invoice)
        expect(sent).toMatchObject({
          path: "/v1/payment_intents",
          idempotencyKey: attempt.id,
          authorization: "Bearer sk_test_standin",
          params: {
            amount: "2500",
            currency: "eur",
            customer: STRIPE_CUSTOMER,
            payment_method: "pm_card_visa_paid",
            confirm: "true",
            off_session: "true",
            metadata: { provisio_invoice_id: invoice, provisio_attempt_id: attempt.id }
          }
        })

        const payments = expectData(yield* call("GET", `${V1}/payments?invoice_id=${invoice}`))
        expect(payments).toHaveLength(1)
        expect(payments[0]).toMatchObject({ gateway: "stripe", status: "succeeded", payment_method_id: method.id, amount: { amount: "25.00", currency: "EUR" } })
        expect(payments[0].gateway_reference).toMatch(/^pi_/)
        expect(standIn.intents.get(payments[0].gateway_reference)?.metadata.provisio_attempt_id).toBe(attempt.id)
        expect(yield* chargeQueueOf(invoice)).toEqual({ next_charge_at: null, charge_failures: 0 })
        expect(yield* ledgerFigures(customer.id)).toEqual([{ currency: "EUR", ledger: "0.00", due_minus_credit: "0.00" }])

        // Nothing is due any more: a second run claims nothing and Stripe hears nothing more.
        const before = standIn.calls().length
        expect((yield* collect).claimed).toBe(0)
        expect(standIn.calls().length).toBe(before)
      }))

    it.effect("a zero-decimal currency is charged in whole units: 1500 JPY is amount 1500", () =>
      Effect.gen(function* () {
        yield* setNow(T0)
        const standIn = yield* StandIn
        const { customer } = yield* stripeCustomer("pm_card_visa_yen", "JPY")
        const invoice = yield* finalizedInvoiceOf(customer.id, "1500", "JPY")
        expect((yield* collect).succeeded).toBe(1)
        const [sent] = standIn.calls().filter((c) => c.params.metadata?.provisio_invoice_id === invoice)
        expect(sent!.params).toMatchObject({ amount: "1500", currency: "jpy" })
        expect((yield* invoiceOf(invoice)).status).toBe("paid")
      }))

    it.effect("a decline is retried per the policy's retry_days from the first failure, and the third try pays", () =>
      Effect.gen(function* () {
        yield* setNow(T0)
        const standIn = yield* StandIn
        standIn.script("pm_card_declined_twice", [{ decline: "insufficient_funds" }, { decline: "insufficient_funds" }, "succeeded"])
        const { customer } = yield* stripeCustomer("pm_card_declined_twice")
        const invoice = yield* finalizedInvoiceOf(customer.id, "40.00")

        expect(yield* collect).toMatchObject({ claimed: 1, failed: 1 })
        // The platform's default policy: retries 1, 3, 5 and 7 days after the first failure.
        expect(yield* chargeQueueOf(invoice)).toEqual({ next_charge_at: at(DAY), charge_failures: 1 })
        let shown = yield* invoiceOf(invoice)
        expect(shown.status).toBe("finalized")
        expect(shown.payment_attempts.map((a: any) => [a.status, a.decline_code])).toEqual([["failed", "insufficient_funds"]])

        // Not due before the day is out.
        yield* TestClock.adjust("23 hours")
        expect((yield* collect).claimed).toBe(0)
        yield* TestClock.adjust("1 hours")
        expect(yield* collect).toMatchObject({ claimed: 1, failed: 1 })
        expect(yield* chargeQueueOf(invoice)).toEqual({ next_charge_at: at(3 * DAY), charge_failures: 2 })

        yield* TestClock.adjust("2 days")
        expect(yield* collect).toMatchObject({ claimed: 1, succeeded: 1 })
        shown = yield* invoiceOf(invoice)
        expect(shown.status).toBe("paid")
        expect(shown.payment_attempts.map((a: any) => [a.status, a.decline_code, a.at])).toEqual([
          ["failed", "insufficient_funds", T0],
          ["failed", "insufficient_funds", at(DAY)],
          ["succeeded", null, at(3 * DAY)]
        ])
        // Each try under its own attempt: three idempotency keys, three PaymentIntents.
        const sent = standIn.calls().filter((c) => c.params.metadata?.provisio_invoice_id === invoice)
        expect(sent.map((c) => c.idempotencyKey)).toEqual(shown.payment_attempts.map((a: any) => a.id))
        expect(yield* chargeQueueOf(invoice)).toEqual({ next_charge_at: null, charge_failures: 2 })

        const failed = (yield* events({ type: "payment.failed", customer_id: customer.id }))
        expect(failed.map((e) => [e.data.attempt.id, e.data.attempt.decline_code, e.data.next_retry_at, e.data.invoice.id])).toEqual([
          [shown.payment_attempts[0].id, "insufficient_funds", at(DAY), invoice],
          [shown.payment_attempts[1].id, "insufficient_funds", at(3 * DAY), invoice]
        ])
        expect(yield* ledgerFigures(customer.id)).toEqual([{ currency: "EUR", ledger: "0.00", due_minus_credit: "0.00" }])
      }))

    it.effect("once the policy's retries are used up the invoice leaves the queue; a partner's own policy applies", () =>
      Effect.gen(function* () {
        yield* setNow(T0)
        const standIn = yield* StandIn
        standIn.script("pm_card_always_declined", [{ decline: "card_velocity_exceeded" }])
        const { customer, partnerKey } = yield* stripeCustomer("pm_card_always_declined")
        expectData(yield* call("PUT", `${V1}/dunning-policy`, {
          key: partnerKey,
          body: { retry_days: [2], stages: [{ stage: "reminder", days_past_due: 1 }] }
        }))
        const invoice = yield* finalizedInvoiceOf(customer.id, "10.00")
        yield* collect
        expect(yield* chargeQueueOf(invoice)).toEqual({ next_charge_at: at(2 * DAY), charge_failures: 1 })
        yield* TestClock.adjust("2 days")
        yield* collect
        expect(yield* chargeQueueOf(invoice)).toEqual({ next_charge_at: null, charge_failures: 2 })
        const failed = yield* events({ type: "payment.failed", customer_id: customer.id })
        expect(failed.map((e) => e.data.next_retry_at)).toEqual([at(2 * DAY), null])
        yield* TestClock.adjust("30 days")
        expect((yield* collect).claimed).toBe(0)
        expect((yield* invoiceOf(invoice)).payment_attempts).toHaveLength(2)
      }))

    it.effect("a charge Stripe leaves processing stays pending and leaves the queue: the webhook settles it", () =>
      Effect.gen(function* () {
        yield* setNow(T0)
        const standIn = yield* StandIn
        standIn.script("pm_sepa_processing", ["processing"])
        const { customer } = yield* stripeCustomer("pm_sepa_processing")
        const invoice = yield* finalizedInvoiceOf(customer.id, "12.00")
        expect(yield* collect).toMatchObject({ claimed: 1, pending: 1 })
        const shown = yield* invoiceOf(invoice)
        expect(shown.status).toBe("finalized")
        expect(shown.payment_attempts.map((a: any) => a.status)).toEqual(["pending"])
        expect(yield* chargeQueueOf(invoice)).toEqual({ next_charge_at: null, charge_failures: 0 })
      }))

    it.effect("a voided or paid invoice, or one whose customer has no chargeable default method, drops out uncharged", () =>
      Effect.gen(function* () {
        yield* setNow(T0)
        const standIn = yield* StandIn
        const { customer, method } = yield* stripeCustomer("pm_card_visa_dropped")
        const voided = yield* finalizedInvoiceOf(customer.id, "5.00")
        expectData(yield* call("POST", `${V1}/invoices/${voided}/void`))
        const paidByHand = yield* finalizedInvoiceOf(customer.id, "6.00")
        expectData(yield* call("POST", `${V1}/payments`, { body: { invoice_id: paidByHand, amount: { amount: "6.00", currency: "EUR" } } }), 201)
        const unchargeable = yield* finalizedInvoiceOf(customer.id, "7.00")
        // The card stops being the default: the customer pays by invoice from now on.
        expectData(yield* call("PUT", `${V1}/customers/${customer.id}/paymentMethods/${method.id}`, { body: { is_default: false } }))

        const before = standIn.calls().length
        expect(yield* collect).toMatchObject({ claimed: 0 })
        expect(standIn.calls().length).toBe(before)
        for (const id of [voided, paidByHand, unchargeable]) {
          expect(yield* chargeQueueOf(id)).toEqual({ next_charge_at: null, charge_failures: 0 })
          expect((yield* invoiceOf(id)).payment_attempts).toEqual([])
        }
      }))

    it.effect("two collectors at once charge each invoice once", () =>
      Effect.gen(function* () {
        yield* setNow(T0)
        const standIn = yield* StandIn
        const { customer } = yield* stripeCustomer("pm_card_visa_race")
        const invoices = yield* Effect.forEach(Array.from({ length: 6 }, (_, i) => `${i + 1}.00`), (amount) => finalizedInvoiceOf(customer.id, amount))
        const runs = yield* Effect.all([collect, collect], { concurrency: "unbounded" })
        expect(runs[0].claimed + runs[1].claimed).toBe(6)
        for (const id of invoices) {
          const shown = yield* invoiceOf(id)
          expect(shown.status).toBe("paid")
          expect(shown.payment_attempts).toHaveLength(1)
          expect(standIn.calls().filter((c) => c.params.metadata?.provisio_invoice_id === id)).toHaveLength(1)
        }
        expect(yield* ledgerFigures(customer.id)).toEqual([{ currency: "EUR", ledger: "0.00", due_minus_credit: "0.00" }])
      }))
  })

  it.layer(UnconfiguredServer)("without Stripe configured", (it) => {
    it.effect("a stripe method's charge fails saying Stripe is not configured, and is retried per the policy", () =>
      Effect.gen(function* () {
        yield* setNow(T0)
        const { customer } = yield* stripeCustomer("pm_card_visa")
        const invoice = yield* finalizedInvoiceOf(customer.id, "9.00")
        expect(yield* collect).toMatchObject({ claimed: 1, failed: 1 })
        expect((yield* invoiceOf(invoice)).payment_attempts.map((a: any) => a.status)).toEqual(["failed"])
        const [failed] = yield* events({ type: "payment.failed", customer_id: customer.id })
        expect(failed.data.attempt.failure_reason).toContain("stripe is not configured")
        expect(yield* chargeQueueOf(invoice)).toEqual({ next_charge_at: at(DAY), charge_failures: 1 })
      }))
  })
})
