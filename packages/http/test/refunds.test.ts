import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { call, channel, createKey, expectData, expectError } from "./harness"
import { createCustomer, events, setNow, V1 } from "./ordering-fixtures"
import { finalizedInvoiceOf, ledgerFigures } from "./payments-fixtures"
import { stripeObject } from "./stripe-stand-in"
import { collect, invoiceOf, sendWebhook, StandIn, StripeServer, stripeCustomer } from "./stripe-fixtures"

/**
 * `POST /payments/{id}/refund`: money back through the payment's gateway (at once for `manual`,
 * Stripe's Refunds API for `stripe`), a credit note of source `refund` against the invoice, the
 * invoice still settled and the ledger's invariant whole.
 */

const T0 = "2026-11-23T10:00:00.000Z"
const eur = (amount: string) => ({ amount, currency: "EUR" })

/** A customer of a new partner with an invoice of `total` paid by hand with `paid`. */
const paidByHand = (total: string, paid = total) =>
  Effect.gen(function* () {
    yield* setNow(T0)
    const { partner, partnerKey } = yield* channel()
    const customer = yield* createCustomer(partner.id)
    const invoice = yield* finalizedInvoiceOf(customer.id, total)
    const payment = expectData(yield* call("POST", `${V1}/payments`, { body: { invoice_id: invoice, amount: eur(paid) } }), 201)
    return { partner, partnerKey, customer, invoice, payment }
  })

const refund = (paymentId: string, body?: unknown, key?: string) =>
  call("POST", `${V1}/payments/${paymentId}/refund`, { key, ...(body === undefined ? {} : { body }) })

const creditNote = (invoiceId: string, amount: string, key: string) =>
  call("POST", `${V1}/invoices/${invoiceId}/credit-notes`, { key, body: { amount: eur(amount), reason: "Goodwill" } })

/** The invoice's `invoice` and `refund` notes, oldest first: [kind, amount, remaining]. */
const creditedOn = (invoiceId: string) =>
  Effect.map(call("GET", `${V1}/credit-notes?invoice_id=${invoiceId}`), (a) =>
    (expectData(a) as Array<any>).filter((n) => n.kind !== "balance")
      .sort((x, y) => x.created_at.localeCompare(y.created_at) || x.kind.localeCompare(y.kind))
      .map((n): [string, string, string] => [n.kind, n.amount.amount, n.remaining.amount]))

const ledgerHolds = (customerId: string) =>
  Effect.gen(function* () {
    for (const figures of yield* ledgerFigures(customerId)) expect(figures.ledger).toBe(figures.due_minus_credit)
  })

const creditsOf = (customerId: string) => Effect.map(call("GET", `${V1}/credits?customer_id=${customerId}`), (a) => expectData(a))

describe("refunds", () => {
  it.layer(StripeServer)("POST /payments/{id}/refund", (it) => {
    it.effect("a partial refund, then the rest: credit notes against the invoice, which stays paid, and the ledger balanced", () =>
      Effect.gen(function* () {
        const { customer, invoice, payment, partnerKey } = yield* paidByHand("100.00")

        const partial = expectData(yield* refund(payment.id, { amount: eur("30.00") }, partnerKey), 201)
        expect(partial).toMatchObject({
          payment_id: payment.id,
          invoice_id: invoice,
          customer_id: customer.id,
          amount: eur("30.00"),
          status: "succeeded",
          gateway_reference: `manual-${partial.id}`,
          failure_reason: null
        })
        expect(partial.id).toMatch(/^ref_/)
        expect(partial.credit_note_id).toMatch(/^crn_/)
        const [note] = yield* creditsOf(customer.id)
        expect(note).toMatchObject({
          id: partial.credit_note_id,
          source: "refund",
          amount: eur("30.00"),
          remaining: eur("0.00"),
          invoice_id: invoice,
          payment_id: payment.id
        })
        expect(yield* invoiceOf(invoice)).toMatchObject({ status: "paid", amount_due: eur("0.00") })
        expect(yield* ledgerFigures(customer.id)).toEqual([{ currency: "EUR", ledger: "0.00", due_minus_credit: "0.00" }])

        // No body: the whole rest of the payment.
        const rest = expectData(yield* refund(payment.id, undefined, partnerKey), 201)
        expect(rest).toMatchObject({ amount: eur("70.00"), status: "succeeded" })
        expect((yield* creditsOf(customer.id)).map((c: any) => [c.source, c.amount.amount, c.remaining.amount]))
          .toEqual([["refund", "30.00", "0.00"], ["refund", "70.00", "0.00"]])
        expect(yield* invoiceOf(invoice)).toMatchObject({ status: "paid", amount_due: eur("0.00") })
        expect(yield* ledgerFigures(customer.id)).toEqual([{ currency: "EUR", ledger: "0.00", due_minus_credit: "0.00" }])
        expect((yield* call("GET", `${V1}/customers/${customer.id}/balance`)).body.data.balances)
          .toEqual([{ currency: "EUR", balance: eur("0.00"), amount_due: eur("0.00"), credit_available: eur("0.00") }])

        const refunded = yield* events({ type: "payment.refunded", customer_id: customer.id })
        expect(refunded.map((e) => [e.data.refund.id, e.data.payment.id])).toEqual([[partial.id, payment.id], [rest.id, payment.id]])
        // Nothing is left to give back.
        expectError(yield* refund(payment.id, undefined, partnerKey), 409, "invalid_state")
      }))

    it.effect("more than is left of the payment is 422 naming amount; the amount is checked like any money", () =>
      Effect.gen(function* () {
        const { payment, customer, partnerKey } = yield* paidByHand("50.00")
        expectError(yield* refund(payment.id, { amount: eur("50.01") }), 422, "validation_error", "amount")
        expectError(yield* refund(payment.id, { amount: eur("0.00") }), 422, "validation_error", "amount.amount")
        expectError(yield* refund(payment.id, { amount: eur("1.005") }), 422, "validation_error", "amount.amount")
        expectError(yield* refund(payment.id, { amount: { amount: "5.00", currency: "USD" } }), 422, "validation_error", "amount.currency")
        expectError(yield* refund(payment.id, { amount: { amount: 5, currency: "EUR" } }), 422, "validation_error", "amount.amount")
        // A reason (as Stripe takes one) was dropped unseen: the refund keeps none.
        expectError(yield* refund(payment.id, { amount: eur("1.00"), reason: "requested_by_customer" }), 422, "validation_error", "reason")
        expectData(yield* refund(payment.id, { amount: eur("20.00") }), 201)
        const over = yield* refund(payment.id, { amount: eur("30.01") })
        expectError(over, 422, "validation_error", "amount")
        expect(over.body.error.message).toContain("30.00 EUR")
        expectData(yield* refund(payment.id, { amount: eur("30.00") }), 201)
        expect(yield* ledgerFigures(customer.id)).toEqual([{ currency: "EUR", ledger: "0.00", due_minus_credit: "0.00" }])

        // The issuer's admins only: not a manager, not the customer.
        const { payment: other, partner } = yield* paidByHand("10.00")
        expectError(yield* refund(other.id, undefined, yield* createKey(partner.id, "manager")), 403, "forbidden")
        expectError(yield* refund(other.id, undefined, partnerKey), 404, "not_found")
        expectError(yield* refund("pay_missing"), 404, "not_found")
      }))

    it.effect("an overpayment's refund takes back the unspent credit first, then the invoice", () =>
      Effect.gen(function* () {
        const { customer, invoice, payment } = yield* paidByHand("50.00", "80.00")
        const excess = expectData(yield* refund(payment.id, { amount: eur("30.00") }), 201)
        expect(excess.credit_note_id).toBeNull()
        expect((yield* creditsOf(customer.id)).map((c: any) => [c.source, c.amount.amount, c.remaining.amount]))
          .toEqual([["overpayment", "30.00", "0.00"]])
        expect(yield* ledgerFigures(customer.id)).toEqual([{ currency: "EUR", ledger: "0.00", due_minus_credit: "0.00" }])

        const rest = expectData(yield* refund(payment.id), 201)
        expect(rest.amount).toEqual(eur("50.00"))
        expect((yield* creditsOf(customer.id)).map((c: any) => [c.source, c.amount.amount, c.remaining.amount]))
          .toEqual([["overpayment", "30.00", "0.00"], ["refund", "50.00", "0.00"]])
        expect(yield* invoiceOf(invoice)).toMatchObject({ status: "paid", amount_due: eur("0.00") })
        expect(yield* ledgerFigures(customer.id)).toEqual([{ currency: "EUR", ledger: "0.00", due_minus_credit: "0.00" }])
      }))

    it.effect("a refund never credits the invoice past its total: beyond what is left, it takes back the credit the invoice's notes gave", () =>
      Effect.gen(function* () {
        const { customer, invoice, payment, partnerKey } = yield* paidByHand("100.00")
        const note = expectData(yield* creditNote(invoice, "100.00", partnerKey), 201)
        expect(note.remaining).toEqual(eur("100.00"))
        // The money paid went to the customer's credit: that credit goes back, no second credit on the invoice.
        const back = expectData(yield* refund(payment.id, undefined, partnerKey), 201)
        expect(back).toMatchObject({ amount: eur("100.00"), status: "succeeded", credit_note_id: null })
        expect(yield* creditedOn(invoice)).toEqual([["invoice", "100.00", "0.00"]])
        expect(yield* invoiceOf(invoice)).toMatchObject({ status: "paid", amount_due: eur("0.00") })
        yield* ledgerHolds(customer.id)
        expect((yield* call("GET", `${V1}/customers/${customer.id}/balance`)).body.data.balances)
          .toEqual([{ currency: "EUR", balance: eur("0.00"), amount_due: eur("0.00"), credit_available: eur("0.00") }])

        // Partly credited: the refund's note takes what is left (40.00), the note's credit the rest.
        const other = yield* paidByHand("100.00")
        expectData(yield* creditNote(other.invoice, "60.00", other.partnerKey), 201)
        const part = expectData(yield* refund(other.payment.id, { amount: eur("70.00") }, other.partnerKey), 201)
        expect(part.credit_note_id).toMatch(/^crn_/)
        expect(yield* creditedOn(other.invoice)).toEqual([["invoice", "60.00", "30.00"], ["refund", "40.00", "0.00"]])
        yield* ledgerHolds(other.customer.id)
        // 20.00 of that credit is spent on the next invoice: 10.00 can go back, not the payment's 30.00.
        yield* finalizedInvoiceOf(other.customer.id, "20.00")
        const over = yield* refund(other.payment.id, { amount: eur("10.01") }, other.partnerKey)
        expectError(over, 422, "validation_error", "amount")
        expect(over.body.error.message).toMatch(new RegExp(`^is more than can be given back of payment ${other.payment.id}: 10\\.00 EUR, ` +
          "as invoice \\S+ has 0\\.00 EUR left to credit \\(gross\\) and its credit notes left 10\\.00 EUR of customer credit unspent"))
        expect(yield* creditedOn(other.invoice)).toEqual([["invoice", "60.00", "10.00"], ["refund", "40.00", "0.00"]])
        expectData(yield* refund(other.payment.id, { amount: eur("10.00") }, other.partnerKey), 201)
        expect(yield* creditedOn(other.invoice)).toEqual([["invoice", "60.00", "0.00"], ["refund", "40.00", "0.00"]])
        yield* ledgerHolds(other.customer.id)
      }))

    it.effect("refunds of two payments and a credit note at once on one invoice: never more than it can take", () =>
      Effect.gen(function* () {
        const { customer, invoice, payment, partnerKey } = yield* paidByHand("100.00", "50.00")
        const second = expectData(yield* call("POST", `${V1}/payments`, { body: { invoice_id: invoice, amount: eur("50.00") } }), 201)
        expectData(yield* creditNote(invoice, "100.00", partnerKey), 201)
        yield* finalizedInvoiceOf(customer.id, "40.00")
        // 60.00 of the note's credit is left: one 50.00 refund passes, the other would need credit that was spent.
        const both = yield* Effect.all([payment.id, second.id].map((id) => refund(id, undefined, partnerKey)), { concurrency: "unbounded" })
        expect(both.map((r) => r.status).sort()).toEqual([201, 422])
        expect(yield* creditedOn(invoice)).toEqual([["invoice", "100.00", "10.00"]])
        yield* ledgerHolds(customer.id)

        // A refund and a credit note at once: whichever comes second sees the first.
        const next = yield* paidByHand("100.00")
        const [back, noted] = yield* Effect.all([
          refund(next.payment.id, undefined, next.partnerKey),
          creditNote(next.invoice, "100.00", next.partnerKey)
        ], { concurrency: "unbounded" })
        expect(back.status).toBe(201)
        // The note first: the refund takes back its credit. The refund first: nothing is left to credit.
        expect(yield* creditedOn(next.invoice)).toEqual(noted.status === 201 ? [["invoice", "100.00", "0.00"]] : [["refund", "100.00", "0.00"]])
        if (noted.status !== 201) expectError(noted, 422, "validation_error", "amount.amount")
        yield* ledgerHolds(next.customer.id)
      }))

    it.effect("a payment an imported bank statement booked (gateway bank_transfer) is given back by hand, like a manual one", () =>
      Effect.gen(function* () {
        yield* setNow(T0)
        const { partner, partnerKey } = yield* channel()
        const customer = yield* createCustomer(partner.id)
        const invoice = yield* finalizedInvoiceOf(customer.id, "60.00")
        const statement = yield* call("POST", `${V1}/reconciliation/statements`, {
          key: partnerKey,
          contentType: "text/csv",
          raw: "date,amount,currency,reference,counterparty\r\n2026-11-23,60.00,EUR,INV-2026-000001,Acme GmbH\r\n"
        })
        const [line] = expectData(statement, 201).lines
        expect(line).toMatchObject({ status: "matched", invoice_id: invoice })
        const [payment] = expectData(yield* call("GET", `${V1}/payments?invoice_id=${invoice}`))
        expect(payment).toMatchObject({ id: line.payment_id, gateway: "bank_transfer", status: "succeeded" })

        const back = expectData(yield* refund(payment.id, { amount: eur("25.00") }, partnerKey), 201)
        expect(back).toMatchObject({ status: "succeeded", amount: eur("25.00"), gateway_reference: `manual-${back.id}` })
        expect(back.credit_note_id).toMatch(/^crn_/)
        expect(yield* invoiceOf(invoice)).toMatchObject({ status: "paid", amount_due: eur("0.00") })
        expect(yield* ledgerFigures(customer.id)).toEqual([{ currency: "EUR", ledger: "0.00", due_minus_credit: "0.00" }])
      }))

    it.effect("a Stripe payment goes back through Stripe's Refunds API, keyed by our refund id; its charge.refunded adds nothing", () =>
      Effect.gen(function* () {
        yield* setNow(T0)
        const standIn = yield* StandIn
        const { customer } = yield* stripeCustomer("pm_card_visa_refunded")
        const invoice = yield* finalizedInvoiceOf(customer.id, "45.00")
        expect((yield* collect).succeeded).toBe(1)
        const [payment] = expectData(yield* call("GET", `${V1}/payments?invoice_id=${invoice}`))

        const made = expectData(yield* refund(payment.id, { amount: eur("10.00") }), 201)
        expect(made).toMatchObject({ status: "succeeded", amount: eur("10.00") })
        expect(made.gateway_reference).toMatch(/^re_/)
        const [sent] = standIn.calls().filter((c) => c.path === "/v1/refunds" && c.params.payment_intent === payment.gateway_reference)
        expect(sent).toMatchObject({
          idempotencyKey: made.id,
          params: { amount: "1000", metadata: { provisio_refund_id: made.id, provisio_payment_id: payment.id } }
        })

        // Stripe tells of the refund we made: it is ours already.
        const intent = standIn.intents.get(payment.gateway_reference)!
        const charge = stripeObject("charge", {
          id: intent.latest_charge,
          amount: 4500,
          amount_refunded: 1000,
          currency: "eur",
          payment_intent: intent.id,
          refunds: { object: "list", has_more: false, url: "/v1/refunds", data: [stripeObject("refund", { id: made.gateway_reference, amount: 1000 })] }
        })
        yield* sendWebhook("charge.refunded", charge)
        expect((yield* creditsOf(customer.id)).filter((c: any) => c.source === "refund")).toHaveLength(1)
        expect(yield* events({ type: "payment.refunded", customer_id: customer.id })).toHaveLength(1)
        expect(yield* ledgerFigures(customer.id)).toEqual([{ currency: "EUR", ledger: "0.00", due_minus_credit: "0.00" }])
      }))
  })
})
