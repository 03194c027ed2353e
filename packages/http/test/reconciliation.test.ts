import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { call, expectData, expectError } from "./harness"
import { events, OrderingServer, setNow, V1 } from "./ordering-fixtures"
import { ledgerFigures } from "./payments-fixtures"
import { balanceOf, camtStatement, eur, fixture, fjordWorld, importXml, invoiceOf, paymentsOf } from "./reconciliation-fixtures"

/**
 * Bank statements in camt.053 as Fjord Telecom's bank sends them (fixtures/reconciliation): what
 * each transaction does to the invoices, the customers' balances and credit, and what importing
 * again, assigning and a return change.
 */

const statuses = (statement: any) => statement.lines.map((line: any) => line.status)

describe("reconciliation: camt.053", () => {
  it.layer(OrderingServer)("statements of Fjord Telecom's bank", (it) => {
    it.effect("a day's statement pays invoices: exact, over, partial and batch payments; unmatched and debit lines listed", () =>
      Effect.gen(function* () {
        const { managerKey, partnerKey, acme, globex, invoices } = yield* fjordWorld
        const [inv1, inv2, inv3, inv4, inv5, inv6] = invoices as [string, string, string, string, string, string]

        const imported = expectData(yield* importXml(fixture("camt053-2026-11-20.xml"), managerKey), 201)
        expect(imported).toMatchObject({ format: "camt053", account: "DE89370400440532013000" })
        expect(imported.id).toMatch(/^stm_/)
        // One line a transaction: the batch booking of entry 3 makes two.
        expect(statuses(imported)).toEqual(["matched", "matched", "partial", "matched", "unmatched", "ignored", "matched"])
        const [exact, over, part, batchRest, stray, fee, returned] = imported.lines
        expect(exact).toMatchObject({
          statement_id: imported.id,
          booked_at: "2026-11-20T00:00:00.000Z",
          amount: eur("100.00"),
          reference: "RF94INV2026000001",
          counterparty: "Acme GmbH",
          invoice_id: inv1,
          note: null
        })
        expect(exact.id).toMatch(/^stl_/)
        expect(over).toMatchObject({ amount: eur("80.00"), reference: "Invoice INV-2026-000002 Acme GmbH", invoice_id: inv2 })
        expect(over.note).toMatch(/30\.00 EUR beyond invoice INV-2026-000002 became credit \(crn_/)
        expect(part).toMatchObject({ amount: eur("120.00"), counterparty: "Globex AB", invoice_id: inv3, note: "invoice INV-2026-000003 still owes 80.00 EUR" })
        expect(batchRest).toMatchObject({ amount: eur("40.00"), reference: "RF13 INV2 0260 0000 4", invoice_id: inv4 })
        expect(stray).toMatchObject({
          amount: eur("75.00"),
          reference: "Thanks for the great service",
          counterparty: "Acme GmbH & Co. KG",
          invoice_id: null,
          payment_id: null
        })
        expect(fee).toMatchObject({ amount: eur("-12.50"), status: "ignored", invoice_id: null, payment_id: null, note: "a debit: money paid out" })
        expect(returned).toMatchObject({ amount: eur("60.00"), invoice_id: inv6 })

        // What the invoices, the customers and the payments show.
        expect((yield* invoiceOf(inv1)).status).toBe("paid")
        expect((yield* invoiceOf(inv2)).status).toBe("paid")
        expect(yield* invoiceOf(inv3)).toMatchObject({ status: "finalized", amount_paid: eur("120.00"), amount_due: eur("80.00") })
        expect((yield* invoiceOf(inv4)).status).toBe("paid")
        expect(yield* invoiceOf(inv5)).toMatchObject({ status: "finalized", amount_due: eur("75.00") })
        expect((yield* invoiceOf(inv6)).status).toBe("paid")
        expect(yield* balanceOf(acme.id, partnerKey)).toEqual({ balance: "45.00", due: "75.00", credit: "30.00" })
        expect(yield* balanceOf(globex.id, partnerKey)).toEqual({ balance: "80.00", due: "80.00", credit: "0.00" })
        const credits = expectData(yield* call("GET", `${V1}/credits?customer_id=${acme.id}`, { key: partnerKey }))
        expect(credits).toMatchObject([{ amount: eur("30.00"), remaining: eur("30.00"), source: "overpayment", invoice_id: inv2 }])
        const [payment] = yield* paymentsOf(inv1, partnerKey)
        expect(payment).toMatchObject({
          id: exact.payment_id,
          amount: eur("100.00"),
          gateway: "bank_transfer",
          gateway_reference: "2026112000001-1",
          status: "succeeded"
        })
        const paid = (yield* events({ type: "invoice.paid" }, partnerKey)).map((e) => e.data.invoice.id)
        expect(paid).toEqual([inv1, inv2, inv4, inv6])
        const succeeded = (yield* events({ type: "payment.succeeded" }, partnerKey)).map((e) => e.data.payment.id)
        expect(succeeded).toEqual([exact, over, part, batchRest, returned].map((line: any) => line.payment_id))

        expect(expectData(yield* call("GET", `${V1}/reconciliation/statements/${imported.id}`, { key: partnerKey }))).toEqual(imported)
        for (const customer of [acme, globex]) {
          const [figures] = yield* ledgerFigures(customer.id)
          expect(figures!.ledger).toBe(figures!.due_minus_credit)
        }
      }))

    it.effect("the same statement again answers the first import with 200 and changes nothing", () =>
      Effect.gen(function* () {
        const { managerKey, partnerKey, acme, globex, invoices } = yield* fjordWorld
        const xml = fixture("camt053-2026-11-20.xml")
        const first = expectData(yield* importXml(xml, managerKey), 201)
        const before = {
          acme: yield* balanceOf(acme.id, partnerKey),
          globex: yield* balanceOf(globex.id, partnerKey),
          payments: yield* Effect.forEach(invoices, (id) => paymentsOf(id, partnerKey))
        }
        const again = yield* importXml(xml, partnerKey)
        expect(expectData(again, 200)).toEqual(first)
        // Re-encoded by its bank (other spacing, another message id): still the same statement.
        const resent = xml.replace("FJORDBANK-STMT-20261120-0001", "FJORDBANK-STMT-20261120-0002").replace(/>\s+</g, "><")
        expect(expectData(yield* importXml(resent, managerKey), 200).id).toBe(first.id)
        expect({
          acme: yield* balanceOf(acme.id, partnerKey),
          globex: yield* balanceOf(globex.id, partnerKey),
          payments: yield* Effect.forEach(invoices, (id) => paymentsOf(id, partnerKey))
        }).toEqual(before)
        const listed = expectData(yield* call("GET", `${V1}/reconciliation/statements`, { key: partnerKey }))
        expect(listed.map((s: any) => s.id)).toEqual([first.id])
      }))

    it.effect("a transaction reported pending, then booked in a later statement, pays when it is booked", () =>
      Effect.gen(function* () {
        const { managerKey, invoices } = yield* fjordWorld
        const statementOf = (id: string, date: string, status: "BOOK" | "PDNG") => camtStatement({
          id, date, iban: "DE89370400440532013000",
          credits: [{ ref: "P1", amount: "75.00", creditorReference: "INV-2026-000005", debtor: "Acme GmbH", status, bankRef: "BANK-TX-77" }]
        })
        const pending = expectData(yield* importXml(statementOf("PEND-1", "2026-11-21", "PDNG"), managerKey), 201)
        expect(pending.lines[0]).toMatchObject({ status: "ignored", note: "not booked yet: the bank reports it as pending" })
        expect(yield* invoiceOf(invoices[4]!)).toMatchObject({ status: "finalized", amount_due: eur("75.00") })
        // Booked the next day: the same transaction, taken now (it was held as imported before).
        const booked = expectData(yield* importXml(statementOf("BOOK-1", "2026-11-22", "BOOK"), managerKey), 201)
        expect(booked.lines[0]).toMatchObject({ status: "matched", invoice_id: invoices[4] })
        expect((yield* invoiceOf(invoices[4]!)).status).toBe("paid")
        // Reported booked once more: that one is the duplicate.
        const again = expectData(yield* importXml(statementOf("BOOK-2", "2026-11-23", "BOOK"), managerKey), 201)
        expect(again.lines[0]).toMatchObject({ status: "ignored", note: `imported before, as line ${booked.lines[0].id}` })
      }))

    it.effect("an unmatched line is assigned to an invoice; a line that moved money, or a debit, cannot be", () =>
      Effect.gen(function* () {
        const { managerKey, partnerKey, acme, invoices } = yield* fjordWorld
        const statement = expectData(yield* importXml(fixture("camt053-2026-11-20.xml"), managerKey), 201)
        const stray = statement.lines[4]
        const assign = (lineId: string, invoice_id: string, key = managerKey) =>
          call("POST", `${V1}/reconciliation/lines/${lineId}/assign`, { key, body: { invoice_id } })

        // Not an invoice of this partner's, a paid one: refused, nothing changes.
        expectError(yield* assign(stray.id, "inv_nowhere"), 422, "validation_error", "invoice_id")
        expectError(yield* assign(stray.id, invoices[0]!), 409, "invalid_state")
        const assigned = expectData(yield* assign(stray.id, invoices[4]!))
        expect(assigned).toMatchObject({ id: stray.id, status: "matched", invoice_id: invoices[4], amount: eur("75.00"), note: "assigned" })
        expect(assigned.payment_id).toMatch(/^pay_/)
        expect((yield* invoiceOf(invoices[4]!)).status).toBe("paid")
        expect(yield* balanceOf(acme.id, partnerKey)).toEqual({ balance: "-30.00", due: "0.00", credit: "30.00" })

        expectError(yield* assign(stray.id, invoices[2]!), 409, "invalid_state")
        expectError(yield* assign(statement.lines[0].id, invoices[2]!), 409, "invalid_state")
        expectError(yield* assign(statement.lines[5].id, invoices[2]!), 409, "invalid_state")
        expectError(yield* assign("stl_nowhere", invoices[2]!), 404, "not_found")
        const read = expectData(yield* call("GET", `${V1}/reconciliation/statements/${statement.id}`, { key: partnerKey }))
        expect(read.lines[4]).toEqual(assigned)
        expect(read.updated_at).toBe(assigned.updated_at)
      }))

    it.effect("the next day's return reverses the payment it gives back; the rest of a partial payment settles its invoice", () =>
      Effect.gen(function* () {
        const { managerKey, partnerKey, globex, invoices } = yield* fjordWorld
        const first = expectData(yield* importXml(fixture("camt053-2026-11-20.xml"), managerKey), 201)
        const returnedPayment = first.lines[6].payment_id
        yield* setNow("2026-11-21T21:00:00Z")

        const second = expectData(yield* importXml(fixture("camt053-2026-11-21.xml"), managerKey), 201)
        expect(statuses(second)).toEqual(["matched", "matched"])
        const [giveBack, rest] = second.lines
        expect(giveBack).toMatchObject({
          booked_at: "2026-11-21T08:12:00.000Z",
          amount: eur("-60.00"),
          invoice_id: invoices[5],
          payment_id: returnedPayment
        })
        expect(giveBack.note).toContain(`reverses payment ${returnedPayment} of line ${first.lines[6].id}`)
        expect(rest).toMatchObject({ amount: eur("80.00"), invoice_id: invoices[2] })

        // Invoice 6 owes its 60.00 again, its payment shows reversed; invoice 3 is paid off.
        expect(yield* invoiceOf(invoices[5]!)).toMatchObject({ status: "finalized", amount_paid: eur("0.00"), amount_due: eur("60.00"), paid_at: null })
        expect((yield* paymentsOf(invoices[5]!, partnerKey)).map((p: any) => p.status)).toEqual(["reversed"])
        expect((yield* invoiceOf(invoices[2]!)).status).toBe("paid")
        expect(yield* balanceOf(globex.id, partnerKey)).toEqual({ balance: "60.00", due: "60.00", credit: "0.00" })
        const reversedEvents = yield* events({ type: "payment.reversed", customer_id: globex.id }, partnerKey)
        expect(reversedEvents.map((e) => [e.data.payment.id, e.data.payment.status, e.data.statement_line_id])).toEqual([
          [returnedPayment, "reversed", giveBack.id]
        ])
        // The credit's line says what became of it.
        const day1 = expectData(yield* call("GET", `${V1}/reconciliation/statements/${first.id}`, { key: partnerKey }))
        expect(day1.lines[6]).toMatchObject({ status: "matched", payment_id: returnedPayment })
        expect(day1.lines[6].note).toContain(`returned by the bank on line ${giveBack.id}`)
        const [figures] = yield* ledgerFigures(globex.id)
        expect(figures!.ledger).toBe(figures!.due_minus_credit)

        // The return imported again (in a statement of its own) finds the payment reversed already.
        expect(expectData(yield* importXml(fixture("camt053-2026-11-21.xml"), managerKey), 200).id).toBe(second.id)
        expect(yield* balanceOf(globex.id, partnerKey)).toEqual({ balance: "60.00", due: "60.00", credit: "0.00" })
      }))
  })
})
