import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { call, expectData, TestServer, withSettings } from "./harness"
import { V1 } from "./ordering-fixtures"
import { finalizedInvoiceOf } from "./payments-fixtures"
import { collect, invoiceOf, stripeCustomer } from "./stripe-fixtures"

/**
 * Against Stripe's own test mode, when `STRIPE_SECRET_KEY` holds a test key (`sk_test_...`):
 * skipped otherwise. The automatic charge of an invoice with Stripe's test card `pm_card_visa`,
 * then a refund of part of it.
 */

const KEY = process.env.STRIPE_SECRET_KEY

describe.skipIf(KEY === undefined || KEY === "")("Stripe test mode", () => {
  it.layer(withSettings({ PROVISIO_STRIPE_SECRET_KEY: KEY ?? "" })(TestServer), { timeout: 60_000 })("the real API", (it) => {
    it.effect("an invoice is charged off-session with pm_card_visa, paid, and partly refunded", () =>
      Effect.gen(function* () {
        expect(KEY).toMatch(/^(sk|rk)_test_/)
        // pm_card_visa attaches to no Customer: the token names the PaymentMethod alone.
        const { customer } = yield* stripeCustomer("pm_card_visa", "EUR", null)
        const invoice = yield* finalizedInvoiceOf(customer.id, "12.34")
        expect(yield* collect).toMatchObject({ claimed: 1, succeeded: 1 })
        expect((yield* invoiceOf(invoice)).status).toBe("paid")
        const [payment] = expectData(yield* call("GET", `${V1}/payments?invoice_id=${invoice}`))
        expect(payment.gateway_reference).toMatch(/^pi_/)
        const refund = expectData(yield* call("POST", `${V1}/payments/${payment.id}/refund`, { body: { amount: { amount: "2.34", currency: "EUR" } } }), 201)
        expect(refund.gateway_reference).toMatch(/^re_/)
        expect(["succeeded", "pending"]).toContain(refund.status)
      }), 60_000)
  })
})
