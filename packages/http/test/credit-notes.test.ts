import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import { Invoices } from "@provisio/core/invoices/service"
import * as Effect from "effect/Effect"
import { call, channel, expectData, expectError } from "./harness"
import { chargeOf, draftInvoice } from "./invoice-fixtures"
import { createCustomer, OrderingServer, V1 } from "./ordering-fixtures"
import { ledgerFigures } from "./payments-fixtures"

/**
 * Credit notes of the three kinds, against a German seller's invoice of 100.00 + 19 % = 119.00
 * (docs/tax.md's credit note example).
 */

const eur = (amount: string) => ({ amount, currency: "EUR" })

const world = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const found = yield* sql<{ n: number }>`select count(*)::int as n from tax_rates where country = 'DE'`
  if ((found[0]?.n ?? 0) === 0) {
    expectData(yield* call("POST", `${V1}/tax-rates`, { body: { country: "DE", category: "standard", rate: "19.0", valid_from: "2020-01-01" } }), 201)
  }
  const { partner, partnerKey } = yield* channel()
  expectData(yield* call("PUT", `${V1}/settings`, { key: partnerKey, body: { legal: { name: "Fjord Telecom GmbH", country: "DE" } } }))
  const customer = yield* createCustomer(partner.id, { address: { country: "DE" } })
  return { partner, partnerKey, customer }
}).pipe(Effect.orDie)

/** A finalized invoice of one 100.00 line served in November 2026 (119.00 with tax). */
const invoice119 = (customerId: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const id = yield* draftInvoice({ customerId, lines: [{ ...chargeOf("100.00"), quantity: "4", unit_price: "25.00" }] })
    yield* sql`update invoice_lines set period_start = '2026-11-01T00:00:00Z' where invoice_id = ${id}`
    yield* (yield* Invoices).finalizeMany([id])
    return expectData(yield* call("GET", `${V1}/invoices/${id}`))
  }).pipe(Effect.orDie)

/** A finalized invoice of a 5.00 activation and 4 seats at 25.00: 105.00 + 19.95 = 124.95. */
const twoLines = (customerId: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const id = yield* draftInvoice({
      customerId,
      lines: [chargeOf("5.00", "Activation"), { ...chargeOf("100.00", "Seats"), quantity: "4", unit_price: "25.00" }]
    })
    yield* sql`update invoice_lines set period_start = '2026-11-01T00:00:00Z' where invoice_id = ${id}`
    yield* (yield* Invoices).finalizeMany([id])
    return expectData(yield* call("GET", `${V1}/invoices/${id}`))
  }).pipe(Effect.orDie)

const credit = (invoiceId: string, body: Record<string, unknown>, key?: string) =>
  call("POST", `${V1}/invoices/${invoiceId}/credit-notes`, { key, body })

const ledgerHolds = (customerId: string) =>
  Effect.gen(function* () {
    for (const figures of yield* ledgerFigures(customerId)) expect(figures.ledger).toBe(figures.due_minus_credit)
  })

describe("credit notes", () => {
  it.layer(OrderingServer)("kinds invoice, refund and balance", (it) => {
    it.effect("a gross amount credits an unpaid invoice, tax reversed in proportion; after payment, lines become customer credit", () =>
      Effect.gen(function* () {
        const { customer, partnerKey } = yield* world
        const invoice = yield* invoice119(customer.id)
        expect(invoice).toMatchObject({ subtotal: eur("100.00"), tax_total: eur("19.00"), total: eur("119.00") })

        const half = expectData(yield* credit(invoice.id, { amount: eur("59.50"), reason: "Outage in November" }, partnerKey), 201)
        expect(half).toMatchObject({
          kind: "invoice", source: "invoice", invoice_id: invoice.id, reason: "Outage in November",
          subtotal: eur("50.00"),
          tax: [{ category: "telecom", rate: "19.0", taxable_amount: eur("50.00"), tax_amount: eur("9.50"), exemption_reason: null }],
          tax_total: eur("9.50"), total: eur("59.50"), amount: eur("59.50"), remaining: eur("0.00")
        })
        expect(half.id).toMatch(/^crn_/)
        expect(expectData(yield* call("GET", `${V1}/invoices/${invoice.id}`))).toMatchObject({ status: "finalized", amount_due: eur("59.50") })
        yield* ledgerHolds(customer.id)

        expectData(yield* call("POST", `${V1}/payments`, { key: partnerKey, body: { invoice_id: invoice.id, amount: eur("59.50") } }), 201)
        // One of the four units (25.00 net) on the settled invoice: 25.00 + 4.75 = 29.75 of customer credit.
        const unit = expectData(yield* credit(invoice.id, { lines: [{ line_id: "1", quantity: "1" }], reason: "One seat unused" }, partnerKey), 201)
        expect(unit).toMatchObject({ subtotal: eur("25.00"), tax_total: eur("4.75"), total: eur("29.75"), remaining: eur("29.75") })
        expect(expectData(yield* call("GET", `${V1}/invoices/${invoice.id}`))).toMatchObject({ status: "paid", amount_due: eur("0.00") })
        yield* ledgerHolds(customer.id)

        // 119.00 - 59.50 - 29.75 = 29.75 is left to credit.
        const over = yield* credit(invoice.id, { amount: eur("29.76"), reason: "Too much" }, partnerKey)
        expectError(over, 422, "validation_error", "amount.amount")
        expect(over.body.error.message).toMatch(/29\.75 EUR left/)
        // Of the line's 100.00: 50.00 spread by the gross note (it named no line), 25.00 by the quantity.
        const pastLine = yield* credit(invoice.id, { lines: [{ line_id: "1", amount: "25.01" }], reason: "Too much" }, partnerKey)
        expectError(pastLine, 422, "validation_error", "lines[0].amount")
        expect(pastLine.body.error.message).toMatch(/line 1 has 25\.00 EUR of its 100\.00 left/)
        expectError(yield* credit(invoice.id, { lines: [{ line_id: "7", amount: "1.00" }], reason: "x" }, partnerKey), 422, "validation_error", "lines[0].line_id")
        // One line named twice is refused: each entry was checked against the line alone, so two credited it twice over.
        const twice = yield* credit(invoice.id, { lines: [{ line_id: "1", amount: "1.00" }, { line_id: "1", quantity: "1" }], reason: "x" }, partnerKey)
        expectError(twice, 422, "validation_error", "lines[1].line_id")
        expect(twice.body.error.message).toBe("names line 1 again (lines[0]): one entry per line")
        expectError(yield* credit(invoice.id, { amount: eur("1.00"), lines: [{ line_id: "1", amount: "1.00" }], reason: "x" }, partnerKey), 422, "validation_error", "amount")
        expectError(yield* credit(invoice.id, { amount: { amount: "1.00", currency: "USD" }, reason: "x" }, partnerKey), 422, "validation_error", "amount.currency")
        expectError(yield* credit(invoice.id, { amount: eur("1.001"), reason: "x" }, partnerKey), 422, "validation_error", "amount.amount")
        expectError(yield* credit(invoice.id, { amount: eur("-1.00"), reason: "x" }, partnerKey), 422, "validation_error", "amount.amount")
        expectError(yield* credit(invoice.id, { amount: eur("1.00") }, partnerKey), 422, "validation_error", "reason")
        // The invoice is the path's: another invoice or customer named in the body was dropped unseen.
        expectError(yield* credit(invoice.id, { amount: eur("1.00"), reason: "x", invoice_id: "inv_other" }, partnerKey), 422, "validation_error", "invoice_id")
        expectError(yield* credit(invoice.id, { amount: eur("1.00"), reason: "x", customer_id: "cus_other" }, partnerKey), 422, "validation_error", "customer_id")
        const neither = yield* credit(invoice.id, { reason: "x" }, partnerKey)
        expectError(neither, 422, "validation_error", "amount")
        expect(neither.body.error.message).toBe("send amount (gross money) or lines: one of them is needed")

        // A line's net may be written as money, as every other amount is; its currency is the invoice's.
        expectError(
          yield* credit(invoice.id, { lines: [{ line_id: "1", amount: { amount: "1.00", currency: "USD" } }], reason: "x" }, partnerKey),
          422,
          "validation_error",
          "lines[0].amount.currency"
        )
        const asMoney = expectData(
          yield* credit(invoice.id, { lines: [{ line_id: "1", amount: eur("10.00") }], reason: "Late fix", invoice_id: invoice.id, customer_id: customer.id }, partnerKey),
          201
        )
        expect(asMoney).toMatchObject({ subtotal: eur("10.00"), tax_total: eur("1.90"), total: eur("11.90") })
        // What is left is said in the currency's digits: 29.75 - 11.90 = 17.85, and 100.00 asked.
        const tooMuch = yield* credit(invoice.id, { amount: eur("100.00"), reason: "x" }, partnerKey)
        expect(tooMuch.body.error.message).toBe("the invoice has 17.85 EUR left to credit (gross); this credits 100.00")
        yield* ledgerHolds(customer.id)
      }))

    it.effect("a credit note that covers what an invoice owes settles it: paid, with invoice.paid raised as for a payment", () =>
      Effect.gen(function* () {
        const { customer, partnerKey } = yield* world
        const invoice = yield* invoice119(customer.id)
        expectData(yield* credit(invoice.id, { amount: eur("119.00"), reason: "Service never delivered" }, partnerKey), 201)
        const settled = expectData(yield* call("GET", `${V1}/invoices/${invoice.id}`))
        expect(settled).toMatchObject({ status: "paid", amount_due: eur("0.00") })
        expect(settled.paid_at).not.toBeNull()
        const events = expectData(yield* call("GET", `${V1}/events?type=invoice.paid`, { key: partnerKey })) as Array<any>
        expect(events.filter((e) => e.data.invoice.id === invoice.id).map((e) => e.data.invoice.status)).toEqual(["paid"])
        yield* ledgerHolds(customer.id)
      }))

    it.effect("a line is never credited beyond what earlier notes left of it, by amount, quantity or a gross note's share", () =>
      Effect.gen(function* () {
        const { customer, partnerKey } = yield* world
        const invoice = yield* twoLines(customer.id)
        expect(invoice).toMatchObject({ subtotal: eur("105.00"), total: eur("124.95") })
        expect(expectData(yield* credit(invoice.id, { lines: [{ line_id: "1", amount: "5.00" }], reason: "No activation" }, partnerKey), 201))
          .toMatchObject({ subtotal: eur("5.00"), total: eur("5.95") })
        // The invoice has 119.00 left, but line 1 nothing: a second note crediting it again was accepted.
        const again = yield* credit(invoice.id, { lines: [{ line_id: "1", amount: "5.00" }], reason: "Again" }, partnerKey)
        expectError(again, 422, "validation_error", "lines[0].amount")
        expect(again.body.error.message).toBe("line 1 has 0.00 EUR of its 5.00 left to credit (net) after earlier credit notes; this credits 5.00")
        expectError(yield* credit(invoice.id, { lines: [{ line_id: "1", quantity: "1" }], reason: "Again" }, partnerKey), 422, "validation_error", "lines[0].quantity")

        expectData(yield* credit(invoice.id, { lines: [{ line_id: "2", quantity: "3" }], reason: "Three seats unused" }, partnerKey), 201)
        const seats = yield* credit(invoice.id, { lines: [{ line_id: "2", quantity: "2" }], reason: "Two more" }, partnerKey)
        expectError(seats, 422, "validation_error", "lines[0].quantity")
        expect(seats.body.error.message).toBe("line 2 has 1 of its quantity 4 left to credit after earlier credit notes")

        // A gross note names no line: its 10.00 net counts against each line in proportion, line 2
        // 10.00 x 100 / 105 = 9.52, so 100.00 - 75.00 - 9.52 = 15.48 is left of it.
        expect(expectData(yield* credit(invoice.id, { amount: eur("11.90"), reason: "Goodwill" }, partnerKey), 201)).toMatchObject({ subtotal: eur("10.00") })
        const share = yield* credit(invoice.id, { lines: [{ line_id: "2", amount: "15.49" }], reason: "x" }, partnerKey)
        expectError(share, 422, "validation_error", "lines[0].amount")
        expect(share.body.error.message).toMatch(/^line 2 has 15\.48 EUR of its 100\.00 left/)
        // Within the line, still bounded by the invoice: 124.95 - 5.95 - 89.25 - 11.90 = 17.85 gross.
        const total = yield* credit(invoice.id, { lines: [{ line_id: "2", amount: "15.48" }], reason: "x" }, partnerKey)
        expectError(total, 422, "validation_error", "lines")
        expect(total.body.error.message).toBe("the invoice has 17.85 EUR left to credit (gross); this credits 18.42")
        expectData(yield* credit(invoice.id, { lines: [{ line_id: "2", amount: "10.00" }], reason: "Last fix" }, partnerKey), 201)
        yield* ledgerHolds(customer.id)
      }))

    it.effect("two notes at once crediting the same line: one passes, the other sees it (the invoice is locked)", () =>
      Effect.gen(function* () {
        const { customer, partnerKey } = yield* world
        const invoice = yield* twoLines(customer.id)
        const both = yield* Effect.all([1, 2].map((n) =>
          credit(invoice.id, { lines: [{ line_id: "1", amount: "5.00" }], reason: `At once ${n}` }, partnerKey)), { concurrency: "unbounded" })
        expect(both.map((r) => r.status).sort()).toEqual([201, 422])
        const notes = expectData(yield* call("GET", `${V1}/credit-notes?invoice_id=${invoice.id}`, { key: partnerKey }))
        expect(notes.map((n: { total: unknown }) => n.total)).toEqual([eur("5.95")])
        yield* ledgerHolds(customer.id)
      }))

    it.effect("a draft or void invoice is not credited (409)", () =>
      Effect.gen(function* () {
        const { customer, partnerKey } = yield* world
        const draft = yield* draftInvoice({ customerId: customer.id, lines: [chargeOf("10.00")] }).pipe(Effect.orDie)
        expectError(yield* credit(draft, { amount: eur("1.00"), reason: "x" }, partnerKey), 409, "invalid_state")
        // Part paid, then voided: the payment becomes credit and the void invoice takes no note.
        const invoice = yield* invoice119(customer.id)
        expectData(yield* call("POST", `${V1}/payments`, { key: partnerKey, body: { invoice_id: invoice.id, amount: eur("50.00") } }), 201)
        expectData(yield* call("POST", `${V1}/invoices/${invoice.id}/void`, { key: partnerKey }))
        yield* ledgerHolds(customer.id)
        expectError(yield* credit(invoice.id, { amount: eur("1.00"), reason: "x" }, partnerKey), 409, "invalid_state")
      }))

    it.effect("a paid invoice credited in full is not voided: the credit would be given twice (409)", () =>
      Effect.gen(function* () {
        const { customer, partnerKey } = yield* world
        const invoice = yield* invoice119(customer.id)
        expectData(yield* call("POST", `${V1}/payments`, { key: partnerKey, body: { invoice_id: invoice.id, amount: eur("119.00") } }), 201)
        const note = expectData(yield* credit(invoice.id, { amount: eur("119.00"), reason: "Service never delivered" }, partnerKey), 201)
        expect(note.remaining).toEqual(eur("119.00"))
        const voided = yield* call("POST", `${V1}/invoices/${invoice.id}/void`, { key: partnerKey })
        expectError(voided, 409, "invalid_state")
        expect(JSON.stringify(voided.body)).toContain("credit")
        // Nothing changed: 119.00 paid, 119.00 of credit, never 238.00.
        expect(expectData(yield* call("GET", `${V1}/invoices/${invoice.id}`))).toMatchObject({ status: "paid", amount_due: eur("0.00") })
        expect(expectData(yield* call("GET", `${V1}/customers/${customer.id}/balance`, { key: partnerKey })).balances).toEqual([
          { currency: "EUR", balance: eur("-119.00"), amount_due: eur("0.00"), credit_available: eur("119.00") }
        ])
        const notes = expectData(yield* call("GET", `${V1}/credit-notes?customer_id=${customer.id}`, { key: partnerKey }))
        expect(notes.map((n: { source: string; remaining: unknown }) => [n.source, n.remaining])).toEqual([["invoice", eur("119.00")]])
        yield* ledgerHolds(customer.id)
      }))

    it.effect("a note and a void of a paid invoice at once: one waits for the other's lock and is refused, never both", () =>
      Effect.gen(function* () {
        const { customer, partnerKey } = yield* world
        const invoice = yield* invoice119(customer.id)
        expectData(yield* call("POST", `${V1}/payments`, { key: partnerKey, body: { invoice_id: invoice.id, amount: eur("119.00") } }), 201)
        const [note, voided] = yield* Effect.all([
          credit(invoice.id, { amount: eur("119.00"), reason: "At once" }, partnerKey),
          call("POST", `${V1}/invoices/${invoice.id}/void`, { key: partnerKey })
        ], { concurrency: "unbounded" })
        expect([note.status, voided.status].sort()).toEqual(note.status === 201 ? [201, 409] : [200, 409])
        // Either way the customer holds the 119.00 paid as credit, once.
        expect(expectData(yield* call("GET", `${V1}/customers/${customer.id}/balance`, { key: partnerKey })).balances).toEqual([
          { currency: "EUR", balance: eur("-119.00"), amount_due: eur("0.00"), credit_available: eur("119.00") }
        ])
        yield* ledgerHolds(customer.id)
      }))

    it.effect("an open invoice partly credited, or refunded, is not voided: what is left is credited instead (409)", () =>
      Effect.gen(function* () {
        const { customer, partnerKey } = yield* world
        const open = yield* invoice119(customer.id)
        expectData(yield* credit(open.id, { amount: eur("11.90"), reason: "Late activation" }, partnerKey), 201)
        expectError(yield* call("POST", `${V1}/invoices/${open.id}/void`, { key: partnerKey }), 409, "invalid_state")
        expect(expectData(yield* call("GET", `${V1}/invoices/${open.id}`))).toMatchObject({ status: "finalized", amount_due: eur("107.10") })
        // What is left is credited instead: the invoice is settled, nothing is owed and no credit is made.
        expectData(yield* credit(open.id, { amount: eur("107.10"), reason: "Cancelled" }, partnerKey), 201)
        expect(expectData(yield* call("GET", `${V1}/invoices/${open.id}`))).toMatchObject({ status: "paid", amount_due: eur("0.00") })
        yield* ledgerHolds(customer.id)

        const refunded = yield* invoice119(customer.id)
        const payment = expectData(yield* call("POST", `${V1}/payments`, { key: partnerKey, body: { invoice_id: refunded.id, amount: eur("119.00") } }), 201)
        expectData(yield* call("POST", `${V1}/payments/${payment.id}/refund`, { key: partnerKey, body: { amount: eur("23.80") } }), 201)
        expectError(yield* call("POST", `${V1}/invoices/${refunded.id}/void`, { key: partnerKey }), 409, "invalid_state")
        expect(expectData(yield* call("GET", `${V1}/invoices/${refunded.id}`))).toMatchObject({ status: "paid" })
        yield* ledgerHolds(customer.id)
        expect(expectData(yield* call("GET", `${V1}/customers/${customer.id}/balance`, { key: partnerKey })).balances).toEqual([
          { currency: "EUR", balance: eur("0.00"), amount_due: eur("0.00"), credit_available: eur("0.00") }
        ])
      }))

    it.effect("a refund makes a credit note of kind refund with the invoice's tax in proportion", () =>
      Effect.gen(function* () {
        const { customer, partnerKey } = yield* world
        const invoice = yield* invoice119(customer.id)
        const payment = expectData(yield* call("POST", `${V1}/payments`, { key: partnerKey, body: { invoice_id: invoice.id, amount: eur("119.00") } }), 201)
        const refund = expectData(yield* call("POST", `${V1}/payments/${payment.id}/refund`, { key: partnerKey, body: { amount: eur("23.80") } }), 201)
        const note = expectData(yield* call("GET", `${V1}/credit-notes/${refund.credit_note_id}`, { key: partnerKey }))
        expect(note).toMatchObject({
          kind: "refund", source: "refund", invoice_id: invoice.id,
          subtotal: eur("20.00"), tax_total: eur("3.80"), total: eur("23.80"), remaining: eur("0.00")
        })
        expect(note.tax).toEqual([{ category: "telecom", rate: "19.0", taxable_amount: eur("20.00"), tax_amount: eur("3.80"), exemption_reason: null }])
        yield* ledgerHolds(customer.id)
      }))

    it.effect("GET /credit-notes lists every kind (balance credit has no tax); GET /credits still answers", () =>
      Effect.gen(function* () {
        const { customer, partnerKey } = yield* world
        const credited = yield* invoice119(customer.id)
        expectData(yield* credit(credited.id, { amount: eur("11.90"), reason: "Late activation" }, partnerKey), 201)
        const granted = expectData(yield* call("POST", `${V1}/credits`, { key: partnerKey, body: { customer_id: customer.id, amount: eur("5.00"), reason: "Goodwill" } }), 201)
        expect(granted).toMatchObject({ kind: "balance", source: "manual", tax: [] })
        const listed = expectData(yield* call("GET", `${V1}/credit-notes?customer_id=${customer.id}`, { key: partnerKey }))
        const balance = listed.find((n: { id: string }) => n.id === granted.id)
        expect(balance).toMatchObject({ kind: "balance", subtotal: eur("5.00"), tax: [], tax_total: eur("0.00"), total: eur("5.00"), invoice_id: null })
        expect(listed.map((n: { kind: string }) => n.kind)).toEqual(["invoice", "balance"])
        expect(expectData(yield* call("GET", `${V1}/credits?customer_id=${customer.id}`, { key: partnerKey })).length).toBe(listed.length)
        // One invoice's notes, as Stripe lists them by invoice: ?invoice_id= was ignored and every note answered.
        const secondInvoice = yield* invoice119(customer.id)
        const ofSecond = expectData(yield* credit(secondInvoice.id, { amount: eur("1.19"), reason: "Rounding" }, partnerKey), 201)
        for (const path of ["credit-notes", "credits"]) {
          const ofOne = expectData(yield* call("GET", `${V1}/${path}?invoice_id=${credited.id}`, { key: partnerKey }))
          expect(ofOne.map((n: { invoice_id: string }) => n.invoice_id)).toEqual([credited.id])
          expect(expectData(yield* call("GET", `${V1}/${path}?invoice_id=${secondInvoice.id}&customer_id=${customer.id}`, { key: partnerKey }))
            .map((n: { id: string }) => n.id)).toEqual([ofSecond.id])
          expectError(yield* call("GET", `${V1}/${path}?invoice_id=nope`, { key: partnerKey }), 422, "validation_error", "invoice_id")
        }
        const other = yield* channel()
        expect(expectData(yield* call("GET", `${V1}/credit-notes?invoice_id=${credited.id}`, { key: other.partnerKey }))).toEqual([])
        expectError(yield* call("GET", `${V1}/credit-notes/${granted.id}`, { key: other.partnerKey }), 404, "not_found")
      }))
  })

  it.layer(OrderingServer)("rounding to the currency's minor unit", (it) => {
    /** A seller in `seller` (its country taxed at `rate`), and a customer in `buyer` without a tax id. */
    const seller = (country: string, rate: string, buyer = country) =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const found = yield* sql<{ n: number }>`select count(*)::int as n from tax_rates where country = ${buyer}`
        if ((found[0]?.n ?? 0) === 0) {
          expectData(yield* call("POST", `${V1}/tax-rates`, { body: { country: buyer, category: "standard", rate, valid_from: "2020-01-01" } }), 201)
        }
        const { partner, partnerKey } = yield* channel()
        expectData(yield* call("PUT", `${V1}/settings`, { key: partnerKey, body: { legal: { name: "Fjord Telecom", country } } }))
        return { partnerKey, customer: yield* createCustomer(partner.id, { address: { country: buyer } }) }
      }).pipe(Effect.orDie)
    const finalized = (customerId: string, lines: Parameters<typeof draftInvoice>[0]["lines"], currency = "EUR") =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const id = yield* draftInvoice({ customerId, lines, currency })
        yield* sql`update invoice_lines set period_start = '2026-11-01T00:00:00Z' where invoice_id = ${id}`
        yield* (yield* Invoices).finalizeMany([id])
        return expectData(yield* call("GET", `${V1}/invoices/${id}`))
      }).pipe(Effect.orDie)
    /** The note's figures add up: subtotal = the groups' taxable, tax_total = their tax, subtotal + tax_total = total. */
    const cents = (m: { amount: string }) => Math.round(Number(m.amount) * 100)
    const addsUp = (note: any) => {
      expect(note.tax.reduce((s: number, g: any) => s + cents(g.taxable_amount), 0)).toBe(cents(note.subtotal))
      expect(note.tax.reduce((s: number, g: any) => s + cents(g.tax_amount), 0)).toBe(cents(note.tax_total))
      expect(cents(note.subtotal) + cents(note.tax_total)).toBe(cents(note.total))
    }

    it.effect("a credit by quantity that rounds to nothing is 422 on lines[i].quantity, not a 500", () =>
      Effect.gen(function* () {
        const { customer, partnerKey } = yield* seller("DE", "19.0")
        const cent = yield* finalized(customer.id, [chargeOf("0.01")])
        const tenth = yield* credit(cent.id, { lines: [{ line_id: "1", quantity: "0.1" }], reason: "x" }, partnerKey)
        expectError(tenth, 422, "validation_error", "lines[0].quantity")
        expect(tenth.body.error.message).toBe(
          "0.1 of line 1's quantity 1 (0.01 EUR) would credit less than EUR's smallest unit, 0.01: credit a larger quantity, or an amount")
        const large = yield* finalized(customer.id, [{ ...chargeOf("100.00"), quantity: "4", unit_price: "25.00" }, chargeOf("0.00", "Free activation")])
        const tiny = yield* credit(large.id, { lines: [{ line_id: "1", quantity: "0.00000000000000000001" }], reason: "x" }, partnerKey)
        expectError(tiny, 422, "validation_error", "lines[0].quantity")
        expect(tiny.body.error.message).toMatch(/less than EUR's smallest unit, 0\.01/)
        const free = yield* credit(large.id, { lines: [{ line_id: "1", quantity: "1" }, { line_id: "2", quantity: "1" }], reason: "x" }, partnerKey)
        expectError(free, 422, "validation_error", "lines[1].quantity")
        expect(free.body.error.message).toMatch(/^1 of line 2's quantity 1 \(0\.00 EUR\) would credit less than EUR's smallest unit/)
        expectError(yield* credit(cent.id, { lines: [{ line_id: "1", quantity: "0" }], reason: "x" }, partnerKey), 422, "validation_error", "lines[0].quantity")
        // Nothing was written; a quantity worth a cent still credits it.
        expect(expectData(yield* credit(cent.id, { lines: [{ line_id: "1", quantity: "0.5" }], reason: "x" }, partnerKey), 201))
          .toMatchObject({ subtotal: eur("0.01"), tax_total: eur("0.00"), total: eur("0.01") })
        yield* ledgerHolds(customer.id)
      }))

    it.effect("a gross credit is split so net + tax add up to it, per group (EN 16931), not each rounded up from a half", () =>
      Effect.gen(function* () {
        // An Austrian consumer of a German seller: Austria's 20 %. 5.05 + 1.01 = 6.06.
        const { customer, partnerKey } = yield* seller("DE", "20.0", "AT")
        const invoice = yield* finalized(customer.id, [chargeOf("5.05")])
        expect(invoice).toMatchObject({ subtotal: eur("5.05"), tax_total: eur("1.01"), total: eur("6.06") })
        const half = expectData(yield* credit(invoice.id, { amount: eur("3.03"), reason: "half" }, partnerKey), 201)
        // 3.03 / 1.2 = 2.525 -> 2.53, tax 3.03 - 2.53 = 0.50 (was subtotal 2.52, taxable 2.53, tax 0.51).
        expect(half).toMatchObject({
          subtotal: eur("2.53"), tax: [{ rate: "20.0", taxable_amount: eur("2.53"), tax_amount: eur("0.50") }],
          tax_total: eur("0.50"), total: eur("3.03"), amount: eur("3.03")
        })
        addsUp(half)
        expect(expectData(yield* call("GET", `${V1}/invoices/${invoice.id}`))).toMatchObject({ amount_due: eur("3.03") })
        yield* ledgerHolds(customer.id)
      }))

    it.effect("in JPY a note or refund of 1 yen is 1 taxable and no tax, not 1 + 1 for a total of 1", () =>
      Effect.gen(function* () {
        const yen = (amount: string) => ({ amount, currency: "JPY" })
        const { customer, partnerKey } = yield* seller("JP", "99.9999")
        const invoice = yield* finalized(customer.id, [chargeOf("2")], "JPY")
        expect(invoice).toMatchObject({ subtotal: yen("2"), tax_total: yen("2"), total: yen("4") })
        const note = expectData(yield* credit(invoice.id, { amount: yen("1"), reason: "one yen" }, partnerKey), 201)
        expect(note).toMatchObject({ subtotal: yen("1"), tax: [{ taxable_amount: yen("1"), tax_amount: yen("0") }], tax_total: yen("0"), total: yen("1") })
        addsUp(note)
        const payment = expectData(yield* call("POST", `${V1}/payments`, { key: partnerKey, body: { invoice_id: invoice.id, amount: yen("3") } }), 201)
        const refund = expectData(yield* call("POST", `${V1}/payments/${payment.id}/refund`, { key: partnerKey, body: { amount: yen("1") } }), 201)
        const refunded = expectData(yield* call("GET", `${V1}/credit-notes/${refund.credit_note_id}`, { key: partnerKey }))
        expect(refunded).toMatchObject({ kind: "refund", subtotal: yen("1"), tax_total: yen("0"), total: yen("1") })
        addsUp(refunded)
        yield* ledgerHolds(customer.id)
      }))
  })
})
