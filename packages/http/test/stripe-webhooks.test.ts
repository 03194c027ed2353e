import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import Stripe from "stripe"
import { call, expectData, expectError } from "./harness"
import { events, setNow, V1 } from "./ordering-fixtures"
import { finalizedInvoiceOf, ledgerFigures } from "./payments-fixtures"
import { signedEvent, stripeObject } from "./stripe-stand-in"
import {
  chargeQueueOf,
  collect,
  invoiceOf,
  sendWebhook,
  StandIn,
  StripeServer,
  stripeCustomer,
  UnconfiguredServer,
  unixNow,
  WEBHOOK_SECRET,
  WEBHOOKS
} from "./stripe-fixtures"

/**
 * `POST /gateways/stripe/webhooks`: Stripe's events signed as Stripe signs them (the SDK's
 * `generateTestHeaderString`), about charges the collector made through the stand-in.
 */

const T0 = "2026-11-23T10:00:00.000Z"

/** A customer whose automatic charge of `amount` Stripe left processing: the invoice, its pending attempt and the PaymentIntent. */
const pendingCharge = (paymentMethod: string, amount = "30.00") =>
  Effect.gen(function* () {
    yield* setNow(T0)
    const standIn = yield* StandIn
    standIn.script(paymentMethod, ["processing"])
    const { customer } = yield* stripeCustomer(paymentMethod)
    const invoice = yield* finalizedInvoiceOf(customer.id, amount)
    expect(yield* collect).toMatchObject({ pending: 1 })
    const intent = [...standIn.intents.values()].find((pi) => pi.metadata.provisio_invoice_id === invoice)!
    const [attempt] = (yield* invoiceOf(invoice)).payment_attempts
    expect(attempt.status).toBe("pending")
    return { customer, invoice, intent, attempt }
  })

/** A customer whose automatic charge of `amount` succeeded: the invoice, its payment and the PaymentIntent. */
const paidCharge = (paymentMethod: string, amount: string) =>
  Effect.gen(function* () {
    yield* setNow(T0)
    const standIn = yield* StandIn
    const { customer } = yield* stripeCustomer(paymentMethod)
    const invoice = yield* finalizedInvoiceOf(customer.id, amount)
    expect(yield* collect).toMatchObject({ succeeded: 1 })
    const intent = [...standIn.intents.values()].find((pi) => pi.metadata.provisio_invoice_id === invoice)!
    const [payment] = expectData(yield* call("GET", `${V1}/payments?invoice_id=${invoice}`))
    return { customer, invoice, intent, payment }
  })

const succeededIntent = (intent: Record<string, any>) => ({ ...intent, status: "succeeded", amount_received: intent.amount })
const failedIntent = (intent: Record<string, any>) => ({
  ...intent,
  status: "requires_payment_method",
  last_payment_error: { type: "card_error", code: "card_declined", decline_code: "do_not_honor", message: "Your card was declined." }
})

const outcomeOf = (answer: { readonly status: number; readonly body: any; readonly text: string }) => {
  expect(answer.status, answer.text).toBe(200)
  return answer.body.data.outcome
}

const paymentsOf = (invoice: string) => Effect.map(call("GET", `${V1}/payments?invoice_id=${invoice}`), (a) => expectData(a))

describe("stripe webhooks", () => {
  it.layer(StripeServer)("signed events from Stripe", (it) => {
    it.effect("a pending charge, then payment_intent.succeeded: paid once, however often and in whatever order the news comes", () =>
      Effect.gen(function* () {
        const { customer, invoice, intent, attempt } = yield* pendingCharge("pm_sepa_then_paid")

        const first = yield* sendWebhook("payment_intent.succeeded", succeededIntent(intent))
        expect(outcomeOf(first.answer)).toBe("processed")
        const paid = yield* invoiceOf(invoice)
        expect(paid.status).toBe("paid")
        expect(paid.payment_attempts).toEqual([{ ...attempt, status: "succeeded" }])
        const payments = yield* paymentsOf(invoice)
        expect(payments).toHaveLength(1)
        expect(payments[0]).toMatchObject({ gateway: "stripe", gateway_reference: intent.id, status: "succeeded", amount: { amount: "30.00", currency: "EUR" } })

        // The same event again: answered at once as a duplicate.
        const again = yield* call("POST", WEBHOOKS, { key: null, raw: first.event.payload, headers: { "stripe-signature": first.event.signature } })
        expect(outcomeOf(again)).toBe("duplicate")
        // Another event about the same success, and a failure that comes late: nothing changes.
        yield* sendWebhook("payment_intent.succeeded", succeededIntent(intent))
        yield* sendWebhook("payment_intent.payment_failed", failedIntent(intent))

        expect(yield* paymentsOf(invoice)).toHaveLength(1)
        expect((yield* invoiceOf(invoice)).payment_attempts.map((a: any) => a.status)).toEqual(["succeeded"])
        expect(yield* events({ type: "payment.failed", customer_id: customer.id })).toEqual([])
        const paidEvents = (yield* events({ type: "invoice.paid", customer_id: customer.id })).filter((e) => e.data.invoice.id === invoice)
        expect(paidEvents).toHaveLength(1)
        expect(yield* ledgerFigures(customer.id)).toEqual([{ currency: "EUR", ledger: "0.00", due_minus_credit: "0.00" }])
      }))

    it.effect("a failure then a success of one charge: the failure is counted once, the success pays and ends the retries", () =>
      Effect.gen(function* () {
        const { customer, invoice, intent } = yield* pendingCharge("pm_sepa_fail_then_paid")
        const failed = yield* sendWebhook("payment_intent.payment_failed", failedIntent(intent))
        expect(outcomeOf(failed.answer)).toBe("processed")
        expect((yield* invoiceOf(invoice)).payment_attempts.map((a: any) => [a.status, a.decline_code])).toEqual([["failed", "do_not_honor"]])
        expect(yield* chargeQueueOf(invoice)).toEqual({ next_charge_at: "2026-11-24T10:00:00.000Z", charge_failures: 1 })
        // The same failure told twice counts once.
        yield* sendWebhook("payment_intent.payment_failed", failedIntent(intent))
        expect((yield* chargeQueueOf(invoice)).charge_failures).toBe(1)
        expect(yield* events({ type: "payment.failed", customer_id: customer.id })).toHaveLength(1)

        yield* sendWebhook("payment_intent.succeeded", succeededIntent(intent))
        expect((yield* invoiceOf(invoice)).status).toBe("paid")
        expect(yield* chargeQueueOf(invoice)).toEqual({ next_charge_at: null, charge_failures: 1 })
        expect(yield* paymentsOf(invoice)).toHaveLength(1)
        // No retry comes: the day after, nothing is due.
        yield* TestClock.adjust("2 days")
        expect((yield* collect).claimed).toBe(0)
      }))

    it.effect("a missing, wrong, tampered or stale signature is 400 and changes nothing", () =>
      Effect.gen(function* () {
        const { invoice, intent } = yield* pendingCharge("pm_sepa_signatures")
        const body = succeededIntent(intent)
        const now = yield* unixNow

        const wrongSecret = signedEvent("payment_intent.succeeded", body, "whsec_someone_else", now)
        expectError(
          yield* call("POST", WEBHOOKS, { key: null, raw: wrongSecret.payload, headers: { "stripe-signature": wrongSecret.signature } }),
          400,
          "bad_request",
          "Stripe-Signature"
        )
        const genuine = signedEvent("payment_intent.succeeded", body, WEBHOOK_SECRET, now)
        const tampered = genuine.payload.replace(`"amount_received": ${intent.amount}`, "\"amount_received\": 1")
        expect(tampered).not.toBe(genuine.payload)
        expectError(
          yield* call("POST", WEBHOOKS, { key: null, raw: tampered, headers: { "stripe-signature": genuine.signature } }),
          400,
          "bad_request",
          "Stripe-Signature"
        )
        expectError(yield* call("POST", WEBHOOKS, { key: null, raw: genuine.payload }), 400, "bad_request", "Stripe-Signature")
        const stale = signedEvent("payment_intent.succeeded", body, WEBHOOK_SECRET, now - 3600)
        expectError(
          yield* call("POST", WEBHOOKS, { key: null, raw: stale.payload, headers: { "stripe-signature": stale.signature } }),
          400,
          "bad_request"
        )
        expect((yield* invoiceOf(invoice)).status).toBe("finalized")
        expect(yield* paymentsOf(invoice)).toEqual([])

        // The refused calls recorded nothing: the genuine one is still processed.
        const answer = yield* call("POST", WEBHOOKS, { key: null, raw: genuine.payload, headers: { "stripe-signature": genuine.signature } })
        expect(outcomeOf(answer)).toBe("processed")
        expect((yield* invoiceOf(invoice)).status).toBe("paid")
      }))

    it.effect("a signed event without what Stripe always sends (data.object, its id, a refunded amount) is 400 naming body, not a 500", () =>
      Effect.gen(function* () {
        yield* setNow(T0)
        const now = yield* unixNow
        const signed = (event: unknown) => {
          const payload = JSON.stringify(event)
          return { payload, signature: Stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET, timestamp: now }) }
        }
        const malformed = [
          [{ id: "evt_no_object", object: "event", type: "payment_intent.succeeded", data: {} }, "data.object is missing"],
          [{ object: "event", type: "payment_intent.succeeded" }, "id is missing"],
          [{ id: "evt_no_intent_id", object: "event", type: "payment_intent.payment_failed", data: { object: { metadata: {} } } }, "data.object.id is missing"],
          [
            { id: "evt_bad_refund", object: "event", type: "charge.refunded", data: { object: { id: "ch_1", amount_refunded: "abc" } } },
            "data.object.amount_refunded is not an integer"
          ]
        ] as const
        for (const [event, problem] of malformed) {
          const { payload, signature } = signed(event)
          const answer = yield* call("POST", WEBHOOKS, { key: null, raw: payload, headers: { "stripe-signature": signature } })
          expectError(answer, 400, "bad_request", "body")
          expect(answer.body.error.message).toBe(`the event is not one Stripe sends: ${problem}`)
        }
      }))

    it.effect("events we do not act on answer 200 ignored; an event about nothing of ours, 200 unmatched", () =>
      Effect.gen(function* () {
        yield* setNow(T0)
        const customerCreated = yield* sendWebhook("customer.created", { id: "cus_elsewhere", object: "customer" })
        expect(outcomeOf(customerCreated.answer)).toBe("ignored")
        const stranger = stripeObject("payment_intent", { id: "pi_not_ours", status: "succeeded", metadata: {} })
        expect(outcomeOf((yield* sendWebhook("payment_intent.succeeded", stranger)).answer)).toBe("unmatched")
      }))

    it.effect("charge.refunded brings a refund made in Stripe in once, with its credit note; a dispute marks the invoice disputed", () =>
      Effect.gen(function* () {
        const { customer, invoice, intent, payment } = yield* paidCharge("pm_card_refunded_in_dashboard", "50.00")
        const charge = (refunded: number, refundId: string) =>
          stripeObject("charge", {
            id: intent.latest_charge,
            amount: intent.amount,
            amount_captured: intent.amount,
            amount_refunded: refunded,
            currency: "eur",
            payment_intent: intent.id,
            refunded: refunded === intent.amount,
            refunds: {
              object: "list",
              has_more: false,
              url: `/v1/charges/${intent.latest_charge}/refunds`,
              data: [stripeObject("refund", { id: refundId, amount: refunded, charge: intent.latest_charge, payment_intent: intent.id, currency: "eur" })]
            }
          })

        const first = yield* sendWebhook("charge.refunded", charge(2000, "re_dashboard_1"))
        expect(outcomeOf(first.answer)).toBe("processed")
        const refundNotes = () =>
          Effect.map(call("GET", `${V1}/credits?customer_id=${customer.id}`), (a) => expectData(a).filter((c: any) => c.source === "refund"))
        expect(yield* refundNotes()).toMatchObject([
          { amount: { amount: "20.00", currency: "EUR" }, remaining: { amount: "0.00", currency: "EUR" }, invoice_id: invoice, payment_id: payment.id }
        ])
        // Told again (the same event, or another with the same total): nothing more.
        expect(outcomeOf(yield* call("POST", WEBHOOKS, { key: null, raw: first.event.payload, headers: { "stripe-signature": first.event.signature } })))
          .toBe("duplicate")
        yield* sendWebhook("charge.refunded", charge(2000, "re_dashboard_1"))
        expect(yield* refundNotes()).toHaveLength(1)
        // The rest refunded later: a second refund of the difference.
        yield* sendWebhook("charge.refunded", charge(5000, "re_dashboard_2"))
        expect((yield* refundNotes()).map((c: any) => c.amount.amount)).toEqual(["20.00", "30.00"])

        const refunded = yield* events({ type: "payment.refunded", customer_id: customer.id })
        expect(refunded.map((e) => [e.data.refund.amount.amount, e.data.refund.status, e.data.refund.gateway_reference, e.data.payment.id]))
          .toEqual([["20.00", "succeeded", "re_dashboard_1", payment.id], ["30.00", "succeeded", "re_dashboard_2", payment.id]])
        const shown = yield* invoiceOf(invoice)
        expect(shown).toMatchObject({ status: "paid", amount_due: { amount: "0.00", currency: "EUR" }, disputed: false })
        expect(yield* ledgerFigures(customer.id)).toEqual([{ currency: "EUR", ledger: "0.00", due_minus_credit: "0.00" }])

        const dispute = stripeObject("dispute", { id: "dp_standin_1", amount: 5000, currency: "eur", charge: intent.latest_charge, payment_intent: intent.id })
        expect(outcomeOf((yield* sendWebhook("charge.dispute.created", dispute)).answer)).toBe("processed")
        expect((yield* invoiceOf(invoice)).disputed).toBe(true)
      }))
  })

  it.layer(UnconfiguredServer)("without a webhook secret", (it) => {
    it.effect("every call is 400, signed or not", () =>
      Effect.gen(function* () {
        yield* setNow(T0)
        const event = signedEvent("payment_intent.succeeded", stripeObject("payment_intent", { id: "pi_x" }), WEBHOOK_SECRET, yield* unixNow)
        const answer = yield* call("POST", WEBHOOKS, { key: null, raw: event.payload, headers: { "stripe-signature": event.signature } })
        expectError(answer, 400, "bad_request", "Stripe-Signature")
        expect(answer.body.error.message).toContain("PROVISIO_STRIPE_WEBHOOK_SECRET")
      }))
  })
})
