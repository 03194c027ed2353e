import { describe, expect, it } from "@effect/vitest"
import { PostgresLive } from "@provisio/adapters/postgres/index"
import { Identity } from "@provisio/core/identity/service"
import { PaymentGateway } from "@provisio/core/payments/ports"
import { Payments } from "@provisio/core/payments/service"
import { RecordPayment } from "@provisio/core/payments/model"
import * as BigDecimal from "effect/BigDecimal"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { call, channel, createKey, expectData, signIn, TEST_PASSWORD, uniqueEmail } from "./harness"
import { createCustomer, events, expectError, OrderingServer, V1 } from "./ordering-fixtures"
import { draftInvoiceOf, finalizedInvoiceOf, ledgerFigures, voidInvoiceOf } from "./payments-fixtures"

/** A partner with admin and manager keys, one of its customers, and that customer's admin (signed in). */
const world = Effect.gen(function* () {
  const { partner, partnerKey, distributorKey } = yield* channel()
  const customer = yield* createCustomer(partner.id)
  const email = uniqueEmail("customer-admin")
  expectData(
    yield* call("POST", `${V1}/customers/${customer.id}/admins`, { body: { email, name: "C admin", password: TEST_PASSWORD } }),
    201
  )
  const customerToken = (yield* signIn(email)).access_token
  const managerKey = yield* createKey(partner.id, "manager")
  return { partner, partnerKey, distributorKey, managerKey, customer, customerToken }
})

const eur = (amount: string) => ({ amount, currency: "EUR" })

const pay = (invoice_id: string, amount: string, key?: string, extra: Record<string, unknown> = {}) =>
  call("POST", `${V1}/payments`, { key, body: { invoice_id, amount: eur(amount), ...extra } })

const balanceOf = (customerId: string, key?: string) =>
  Effect.map(call("GET", `${V1}/customers/${customerId}/balance`, { key }), (a) => expectData(a))

describe("payments", () => {
  it.layer(OrderingServer)("payments, credit notes and the balance", (it) => {
    it.effect("two partial payments pay an invoice off: amount due falls, then the invoice is paid with its event", () =>
      Effect.gen(function* () {
        const { customer, partnerKey, managerKey } = yield* world
        const invoice = yield* finalizedInvoiceOf(customer.id, "100.00")

        const first = expectData(yield* pay(invoice, "30.00", managerKey), 201)
        expect(first).toMatchObject({
          customer_id: customer.id,
          invoice_id: invoice,
          amount: eur("30.00"),
          payment_method_id: null,
          gateway: "manual",
          status: "succeeded",
          failure_reason: null
        })
        expect(first.id).toMatch(/^pay_/)
        expect(first.gateway_reference).toBe(`manual-${first.id}`)
        expect((yield* balanceOf(customer.id, partnerKey)).balances).toEqual([
          { currency: "EUR", balance: eur("70.00"), amount_due: eur("70.00"), credit_available: eur("0.00") }
        ])

        const second = expectData(yield* pay(invoice, "70", partnerKey), 201)
        expect(second.amount).toEqual(eur("70.00"))
        expect((yield* balanceOf(customer.id, partnerKey)).balances).toEqual([
          { currency: "EUR", balance: eur("0.00"), amount_due: eur("0.00"), credit_available: eur("0.00") }
        ])

        // Paid in full: no credit note, one invoice.paid event, and no more payments.
        expect(expectData(yield* call("GET", `${V1}/credits?customer_id=${customer.id}`, { key: partnerKey }))).toEqual([])
        const paid = (yield* events({ type: "invoice.paid", customer_id: customer.id })).filter((e) => e.data.invoice.id === invoice)
        expect(paid.length).toBe(1)
        expect(paid[0].data.invoice).toMatchObject({ status: "paid", amount_paid: eur("100.00"), amount_due: eur("0.00") })
        expect(paid[0].data.invoice.paid_at).not.toBeNull()
        const succeeded = (yield* events({ type: "payment.succeeded", customer_id: customer.id })).map((e) => e.data.payment.id)
        expect(succeeded).toEqual([first.id, second.id])
        expectError(yield* pay(invoice, "1.00", partnerKey), 409, "invalid_state")

        const listed = expectData(yield* call("GET", `${V1}/payments?invoice_id=${invoice}`, { key: partnerKey }))
        expect(listed.map((p: any) => p.id)).toEqual([first.id, second.id])
        expect(expectData(yield* call("GET", `${V1}/payments/${first.id}`, { key: partnerKey }))).toEqual(first)
      }))

    it.effect("an overpayment pays the invoice and leaves the rest as credit: the balance goes negative", () =>
      Effect.gen(function* () {
        const { customer, partnerKey, customerToken } = yield* world
        const invoice = yield* finalizedInvoiceOf(customer.id, "50.00")

        const payment = expectData(yield* pay(invoice, "80.00", partnerKey), 201)
        const credits = expectData(yield* call("GET", `${V1}/credits?customer_id=${customer.id}`, { key: customerToken }))
        expect(credits).toHaveLength(1)
        expect(credits[0]).toMatchObject({
          customer_id: customer.id,
          amount: eur("30.00"),
          remaining: eur("30.00"),
          source: "overpayment",
          payment_id: payment.id,
          invoice_id: invoice
        })
        expect(credits[0].id).toMatch(/^crn_/)
        expect((yield* balanceOf(customer.id, customerToken))).toEqual({
          customer_id: customer.id,
          balances: [{ currency: "EUR", balance: eur("-30.00"), amount_due: eur("0.00"), credit_available: eur("30.00") }]
        })
        const created = (yield* events({ type: "credit_note.created", customer_id: customer.id }, partnerKey))
        expect(created.map((e) => e.data.credit_note.id)).toEqual([credits[0].id])
      }))

    it.effect("two payments at once of one invoice: one pays what is due, the other's excess becomes credit", () =>
      Effect.gen(function* () {
        const { customer, partnerKey } = yield* world
        const invoice = yield* finalizedInvoiceOf(customer.id, "100.00")
        // A gateway that answers only once both charges are in flight: both payments have passed
        // their checks against the unpaid invoice before either is applied.
        const bothCharging = yield* Deferred.make<void>()
        let charging = 0
        const rendezvous = Layer.succeed(PaymentGateway, PaymentGateway.of({
          name: "manual",
          charge: (request) =>
            Effect.gen(function* () {
              if (++charging === 2) yield* Deferred.succeed(bothCharging, undefined)
              yield* Deferred.await(bothCharging)
              return { status: "succeeded", reference: `manual-${request.payment_id}` } as const
            }),
          refund: () => Effect.succeed({ status: "failed", reason: "no refunds in this test" })
        }))
        const operator = yield* Effect.orDie(Effect.flatMap(Identity, (identity) => identity.platformOperator))
        const payment = () =>
          Effect.flatMap(Payments, (payments) =>
            payments.record(operator, new RecordPayment({ invoice_id: invoice, amount: { amount: BigDecimal.unsafeFromString("60.00"), currency: "EUR" } })))
        const both = yield* Effect.all([payment(), payment()], { concurrency: "unbounded" }).pipe(
          Effect.provide(Payments.layer.pipe(Layer.provide(rendezvous), Layer.provide(PostgresLive))),
          Effect.orDie
        )
        expect(both.map((p) => p.status)).toEqual(["succeeded", "succeeded"])

        const credits = expectData(yield* call("GET", `${V1}/credits?customer_id=${customer.id}`, { key: partnerKey }))
        expect(credits.map((c: any) => c.amount)).toEqual([eur("20.00")])
        expect((yield* balanceOf(customer.id, partnerKey)).balances).toEqual([
          { currency: "EUR", balance: eur("-20.00"), amount_due: eur("0.00"), credit_available: eur("20.00") }
        ])
        const paid = (yield* events({ type: "invoice.paid", customer_id: customer.id })).filter((e) => e.data.invoice.id === invoice)
        expect(paid.length).toBe(1)
      }))

    it.effect("a payment must be positive, in the invoice's currency, to the cent, with one of the customer's payment methods", () =>
      Effect.gen(function* () {
        const { customer, partner, partnerKey } = yield* world
        const invoice = yield* finalizedInvoiceOf(customer.id, "20.00")
        const other = yield* createCustomer(partner.id)
        const foreignMethod = expectData(
          yield* call("POST", `${V1}/customers/${other.id}/paymentMethods`, { body: { type: "invoice" } }),
          201
        ).id
        const ownMethod = expectData(
          yield* call("POST", `${V1}/customers/${customer.id}/paymentMethods`, { body: { type: "bank_account" } }),
          201
        ).id

        const post = (body: Record<string, unknown>) => call("POST", `${V1}/payments`, { key: partnerKey, body: { invoice_id: invoice, ...body } })
        expectError(yield* post({ amount: { amount: "10.00", currency: "USD" } }), 422, "validation_error", "amount.currency")
        expectError(yield* post({ amount: { amount: "10.00", currency: "XXX" } }), 422, "validation_error", "amount.currency")
        expectError(yield* post({ amount: eur("0") }), 422, "validation_error", "amount.amount")
        expectError(yield* post({ amount: eur("-5.00") }), 422, "validation_error", "amount.amount")
        expectError(yield* post({ amount: eur("10.005") }), 422, "validation_error", "amount.amount")
        expectError(yield* post({ amount: { amount: 10, currency: "EUR" } }), 422, "validation_error", "amount.amount")
        expectError(yield* post({ amount: eur("10.00"), payment_method_id: foreignMethod }), 422, "validation_error", "payment_method_id")
        expectError(yield* post({ amount: eur("10.00"), invoice_id: "inv_missing" }), 422, "validation_error", "invoice_id")
        // Another customer named beside the invoice was dropped unseen: the invoice's customer pays.
        expectError(yield* post({ amount: eur("10.00"), customer_id: other.id }), 422, "validation_error", "customer_id")
        // Nothing was recorded by the refused attempts.
        expect(expectData(yield* call("GET", `${V1}/payments?invoice_id=${invoice}`, { key: partnerKey }))).toEqual([])
        expect((yield* balanceOf(customer.id)).balances[0].amount_due).toEqual(eur("20.00"))

        const withMethod = expectData(yield* post({ amount: eur("10.000"), payment_method_id: ownMethod, customer_id: customer.id }), 201)
        expect(withMethod).toMatchObject({ payment_method_id: ownMethod, amount: eur("10.00") })
      }))

    it.effect("draft, void and paid invoices cannot be paid (409); viewers, customers and other channels cannot pay", () =>
      Effect.gen(function* () {
        const { customer, partner, partnerKey, customerToken } = yield* world
        const draft = yield* draftInvoiceOf(customer.id, "10.00")
        const voided = yield* voidInvoiceOf(customer.id, "10.00")
        const paid = yield* finalizedInvoiceOf(customer.id, "10.00")
        expectData(yield* pay(paid, "10.00", partnerKey), 201)

        expectError(yield* pay(draft, "5.00", partnerKey), 409, "invalid_state")
        expectError(yield* pay(voided, "5.00", partnerKey), 409, "invalid_state")
        expectError(yield* pay(paid, "5.00", partnerKey), 409, "invalid_state")

        const open = yield* finalizedInvoiceOf(customer.id, "10.00")
        expectError(yield* pay(open, "5.00", yield* createKey(partner.id, "viewer")), 403, "forbidden")
        // Recording money received is the issuer's side: the customer's own admin would mark it paid for nothing.
        expectError(yield* pay(open, "10.00", customerToken), 403, "forbidden")
        const { partnerKey: foreignKey } = yield* channel()
        expectError(yield* pay(open, "5.00", foreignKey), 422, "validation_error", "invoice_id")
        expect(expectData(yield* call("GET", `${V1}/payments?customer_id=${customer.id}`, { key: customerToken }))).toHaveLength(1)
        expectError(yield* call("GET", `${V1}/payments?customer_id=${customer.id}`, { key: foreignKey }), 404, "not_found")
      }))

    it.effect("a credit granted lowers the balance; amount, currency and reason are checked; only channel admins grant", () =>
      Effect.gen(function* () {
        const { customer, partnerKey, managerKey, customerToken } = yield* world
        expect((yield* balanceOf(customer.id, customerToken))).toEqual({ customer_id: customer.id, balances: [] })
        yield* finalizedInvoiceOf(customer.id, "40.00")

        const credit = expectData(
          yield* call("POST", `${V1}/credits`, {
            key: partnerKey,
            body: { customer_id: customer.id, amount: eur("15.50"), reason: "  Outage in November  " }
          }),
          201
        )
        expect(credit).toMatchObject({
          customer_id: customer.id,
          amount: eur("15.50"),
          remaining: eur("15.50"),
          reason: "Outage in November",
          source: "manual",
          payment_id: null,
          invoice_id: null
        })
        expect((yield* balanceOf(customer.id, customerToken)).balances).toEqual([
          { currency: "EUR", balance: eur("24.50"), amount_due: eur("40.00"), credit_available: eur("15.50") }
        ])
        const created = yield* events({ type: "credit_note.created", customer_id: customer.id })
        expect(created.map((e) => e.data.credit_note.id)).toEqual([credit.id])

        // A credit in another currency is a balance of its own; JPY has no minor unit.
        expectData(yield* call("POST", `${V1}/credits`, {
          key: partnerKey,
          body: { customer_id: customer.id, amount: { amount: "500", currency: "JPY" }, reason: "Goodwill" }
        }), 201)
        expect((yield* balanceOf(customer.id, partnerKey)).balances).toEqual([
          { currency: "EUR", balance: eur("24.50"), amount_due: eur("40.00"), credit_available: eur("15.50") },
          {
            currency: "JPY",
            balance: { amount: "-500", currency: "JPY" },
            amount_due: { amount: "0", currency: "JPY" },
            credit_available: { amount: "500", currency: "JPY" }
          }
        ])

        const grant = (body: Record<string, unknown>, key = partnerKey) =>
          call("POST", `${V1}/credits`, { key, body: { customer_id: customer.id, amount: eur("1.00"), reason: "R", ...body } })
        expectError(yield* grant({ amount: eur("0.00") }), 422, "validation_error", "amount.amount")
        expectError(yield* grant({ amount: eur("-1.00") }), 422, "validation_error", "amount.amount")
        expectError(yield* grant({ amount: { amount: "1.5", currency: "JPY" } }), 422, "validation_error", "amount.amount")
        expectError(yield* grant({ amount: { amount: "1.00", currency: "EURO" } }), 422, "validation_error", "amount.currency")
        expectError(yield* grant({ reason: "   " }), 422, "validation_error", "reason")
        expectError(yield* grant({ customer_id: "cus_missing" }), 422, "validation_error", "customer_id")
        // An invoice named here was dropped unseen: balance credit on no invoice, the invoice still owing.
        const onInvoice = yield* grant({ invoice_id: "inv_anything" })
        expectError(onInvoice, 422, "validation_error", "invoice_id")
        expect(onInvoice.body.error.message).toContain("/credit-notes")
        expectError(yield* grant({}, managerKey), 403, "forbidden")
        expectError(yield* grant({}, customerToken), 403, "forbidden")
        expect(expectData(yield* call("GET", `${V1}/credits?customer_id=${customer.id}`, { key: customerToken }))).toHaveLength(2)
      }))

    it.effect("a payment, a refund or a credit has at most 15 digits before the point (422 amount.amount): the balance keeps answering", () =>
      Effect.gen(function* () {
        const { customer, partnerKey } = yield* world
        const invoice = yield* finalizedInvoiceOf(customer.id, "10.00")
        const grant = (amount: { amount: string; currency: string }) =>
          call("POST", `${V1}/credits`, { key: partnerKey, body: { customer_id: customer.id, amount, reason: "big" } })
        const bound = "must have at most 15 digits before the point: money paid, refunded or credited is less than 1000000000000000"
        // Each of these twice made a balance of 31 digits, which no read of it could answer (500).
        for (const amount of ["999999999999999999999999999999.99", "1000000000000000", "1000000000000000.00"]) {
          for (const refused of [yield* grant(eur(amount)), yield* pay(invoice, amount, partnerKey)]) {
            expectError(refused, 422, "validation_error", "amount.amount")
            expect(refused.body.error.message).toBe(bound)
          }
        }
        expectError(yield* grant({ amount: "1000000000000000", currency: "JPY" }), 422, "validation_error", "amount.amount")
        expect(expectData(yield* call("GET", `${V1}/credits?customer_id=${customer.id}`, { key: partnerKey }))).toEqual([])
        expect((yield* balanceOf(customer.id, partnerKey)).balances).toEqual([
          { currency: "EUR", balance: eur("10.00"), amount_due: eur("10.00"), credit_available: eur("0.00") }
        ])

        // The largest, granted twice and paid once on the 10.00 invoice (the rest becomes credit): all of it adds up.
        const largest = "999999999999999.99"
        expectData(yield* grant(eur(largest)), 201)
        expectData(yield* grant(eur(largest)), 201)
        const payment = expectData(yield* pay(invoice, largest, partnerKey), 201)
        const credit = "2999999999999989.97" // 2 x 999999999999999.99 + 999999999999989.99
        expect((yield* balanceOf(customer.id, partnerKey)).balances).toEqual([
          { currency: "EUR", balance: eur(`-${credit}`), amount_due: eur("0.00"), credit_available: eur(credit) }
        ])
        expect(yield* ledgerFigures(customer.id)).toEqual([{ currency: "EUR", ledger: `-${credit}`, due_minus_credit: `-${credit}` }])
        // A refund is bounded alike (and by what was paid).
        const refund = yield* call("POST", `${V1}/payments/${payment.id}/refund`, {
          key: partnerKey,
          body: { amount: eur("999999999999999999999999999999.99") }
        })
        expectError(refund, 422, "validation_error", "amount.amount")
        expect(refund.body.error.message).toBe(bound)
      }))

    it.effect("the balance is the customer's own to read, and out of scope is not found", () =>
      Effect.gen(function* () {
        const { customer, distributorKey, customerToken } = yield* world
        const invoice = yield* finalizedInvoiceOf(customer.id, "12.34")
        yield* finalizedInvoiceOf(customer.id, "7.66")
        expectData(yield* pay(invoice, "2.34"), 201)
        const expected = { currency: "EUR", balance: eur("17.66"), amount_due: eur("17.66"), credit_available: eur("0.00") }
        expect((yield* balanceOf(customer.id, customerToken)).balances).toEqual([expected])
        expect((yield* balanceOf(customer.id, distributorKey)).balances).toEqual([expected])
        const { partnerKey: foreignKey } = yield* channel()
        expectError(yield* call("GET", `${V1}/customers/${customer.id}/balance`, { key: foreignKey }), 404, "not_found")
        const figures = yield* ledgerFigures(customer.id)
        expect(figures).toEqual([{ currency: "EUR", ledger: "17.66", due_minus_credit: "17.66" }])
      }))

    it.effect("a payment the gateway declines is kept as failed with the reason, and the invoice still owes it all", () =>
      Effect.gen(function* () {
        const { customer, partnerKey } = yield* world
        const invoice = yield* finalizedInvoiceOf(customer.id, "25.00")
        const method = expectData(
          yield* call("POST", `${V1}/customers/${customer.id}/paymentMethods`, {
            body: { type: "card", gateway: "acme", token: "tok_declined", brand: "visa", last4: "4242", exp_month: 1, exp_year: 2030 }
          }),
          201
        ).id
        // A card gateway adapter that declines every charge, in place of the manual one.
        const declining = Layer.succeed(PaymentGateway, PaymentGateway.of({
          name: "acme",
          charge: (request) =>
            Effect.succeed({ status: "failed", reason: `card ${request.payment_method?.token} declined: insufficient funds` }),
          refund: () => Effect.succeed({ status: "failed", reason: "no refunds in this test" })
        }))
        const operator = yield* Effect.orDie(Effect.flatMap(Identity, (identity) => identity.platformOperator))
        const failure = yield* Effect.flatMap(Payments, (payments) =>
          payments.record(operator, new RecordPayment({
            invoice_id: invoice,
            amount: { amount: BigDecimal.unsafeFromString("25.00"), currency: "EUR" },
            payment_method_id: method
          }))).pipe(
            Effect.provide(Payments.layer.pipe(Layer.provide(declining), Layer.provide(PostgresLive))),
            Effect.flip
          )
        expect(failure._tag).toBe("InvalidState")
        expect(failure.message).toContain("insufficient funds")

        const listed = expectData(yield* call("GET", `${V1}/payments?invoice_id=${invoice}`, { key: partnerKey }))
        expect(listed).toHaveLength(1)
        expect(listed[0]).toMatchObject({
          status: "failed",
          gateway: "acme",
          gateway_reference: null,
          payment_method_id: method,
          failure_reason: "card tok_declined declined: insufficient funds",
          amount: eur("25.00")
        })
        expect((yield* balanceOf(customer.id, partnerKey)).balances[0]).toMatchObject({
          balance: eur("25.00"),
          amount_due: eur("25.00")
        })
        // A retry through the manual gateway (money received by transfer) pays it.
        expectData(yield* pay(invoice, "25.00", partnerKey), 201)
        expect((yield* balanceOf(customer.id, partnerKey)).balances[0].amount_due).toEqual(eur("0.00"))
      }))
  })
})
