import { describe, expect, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import { Invoices } from "@provisio/core/invoices/service"
import { makeId } from "@provisio/core/shared/ids"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { call, channel, createKey, createPartner, expectData, signIn, TEST_PASSWORD, uniqueEmail } from "./harness"
import { chargeOf, draftInvoice, finalizedInvoice } from "./invoice-fixtures"
import { createCustomer, events, exampleCatalog, expectError, OrderingServer, SEAT, setNow, subscribe, V1 } from "./ordering-fixtures"
import { ledgerFigures } from "./payments-fixtures"

const NOW = "2026-12-02T10:00:00.000Z"

/** A partner with one customer, and that customer's admin signed in. */
const world = Effect.gen(function* () {
  yield* setNow(NOW)
  const { distributor, distributorKey, partner, partnerKey } = yield* channel()
  const customer = yield* createCustomer(partner.id)
  const email = uniqueEmail("customer-admin")
  expectData(
    yield* call("POST", `${V1}/customers/${customer.id}/admins`, { body: { email, name: "C admin", password: TEST_PASSWORD } }),
    201
  )
  const customerToken = (yield* signIn(email)).access_token
  return { distributor, distributorKey, partner, partnerKey, customer, customerToken }
})

const getInvoice = (id: string, key?: string) => Effect.map(call("GET", `${V1}/invoices/${id}`, { key }), (a) => expectData(a))

const finalize = (ids: ReadonlyArray<string>) => Effect.flatMap(Invoices, (invoices) => invoices.finalizeMany(ids))

/**
 * A credit note as POST /credits grants one (source manual, the ledger's credit_note entry), at
 * `createdAt` so the tests say which one is the oldest.
 */
const creditNote = (customerId: string, amount: string, currency: string, createdAt: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const id = yield* makeId("crn")
    yield* sql`
      insert into credit_notes (id, customer_id, lineage, currency, amount, remaining, reason, source, created_at, updated_at)
      select ${id}, id, lineage, ${currency}, ${amount}::numeric, ${amount}::numeric, 'goodwill', 'manual',
             ${createdAt}::timestamptz, ${createdAt}::timestamptz
        from customers where id = ${customerId}`
    yield* sql`
      insert into ledger_entries (customer_id, currency, kind, amount, credit_note_id, created_at)
      values (${customerId}, ${currency}, 'credit_note', -${amount}::numeric, ${id}, ${createdAt}::timestamptz)`
    return id
  }).pipe(Effect.orDie)

/** A payment as POST /payments books one: the invoice's amounts, the payment, its ledger entry. */
const pay = (invoiceId: string, amount: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const id = yield* makeId("pay")
    const at = DateTime.formatIso(yield* DateTime.now)
    yield* sql`
      update invoices set amount_paid = amount_paid + ${amount}::numeric, amount_due = amount_due - ${amount}::numeric,
             status = case when amount_due - ${amount}::numeric <= 0 then 'paid' else status end, updated_at = ${at}::timestamptz
       where id = ${invoiceId}`
    yield* sql`
      insert into payments (id, customer_id, lineage, invoice_id, amount, currency, gateway, status, created_at, updated_at)
      select ${id}, customer_id, lineage, id, ${amount}::numeric, currency, 'manual', 'succeeded', ${at}::timestamptz, ${at}::timestamptz
        from invoices where id = ${invoiceId}`
    yield* sql`
      insert into ledger_entries (customer_id, currency, kind, amount, payment_id, invoice_id, created_at)
      select customer_id, currency, 'payment', -${amount}::numeric, ${id}, id, ${at}::timestamptz from invoices where id = ${invoiceId}`
  }).pipe(Effect.orDie)

const creditNotes = (customerId: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ id: string; amount: string; remaining: string; source: string; invoice_id: string | null }>`
      select id, amount::text, remaining::text, source, invoice_id from credit_notes
       where customer_id = ${customerId} order by created_at, id`).pipe(Effect.orDie)

const ledger = (customerId: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ kind: string; amount: string; currency: string; invoice_id: string | null }>`
      select kind, amount::text, currency, invoice_id from ledger_entries where customer_id = ${customerId} order by id`).pipe(
    Effect.orDie
  )

/** SUM(ledger) = SUM(amount_due of finalized and paid invoices) - SUM(credit remaining), per currency. */
const expectLedgerInvariant = (customerId: string) =>
  Effect.gen(function* () {
    for (const row of yield* ledgerFigures(customerId)) expect(Number(row.ledger), row.currency).toBe(Number(row.due_minus_credit))
  })

describe("invoices", () => {
  it.layer(OrderingServer)("finalization", (it) => {
    it.effect("numbers are gapless per issuer and year, each partner's from 000001", () =>
      Effect.gen(function* () {
        const { distributor, customer, partnerKey } = yield* world
        const [a, b, c] = [
          yield* draftInvoice({ customerId: customer.id, lines: [chargeOf("10.00")] }),
          yield* draftInvoice({ customerId: customer.id, lines: [chargeOf("20.00")] }),
          yield* draftInvoice({ customerId: customer.id, lines: [chargeOf("30.00")] })
        ]
        expect(yield* finalize([b, a, "inv_doesnotexist"])).toEqual([a, b])
        expect(yield* finalize([c, a])).toEqual([c])
        const numbers = []
        for (const id of [a, b, c]) numbers.push((yield* getInvoice(id, partnerKey)).number)
        expect(numbers).toEqual(["INV-2026-000001", "INV-2026-000002", "INV-2026-000003"])

        // Another partner numbers its own invoices from 1.
        const other = yield* createPartner(distributor.id, "standard", "Other")
        const otherCustomer = yield* createCustomer(other.id)
        const d = yield* finalizedInvoice({ customerId: otherCustomer.id, lines: [chargeOf("5.00")] })
        expect((yield* getInvoice(d)).number).toBe("INV-2026-000001")
        expect((yield* getInvoice(d)).issuer_account_id).toBe(other.id)

        // A new year starts again at 1.
        yield* setNow("2027-01-01T00:00:00Z")
        const e = yield* finalizedInvoice({ customerId: customer.id, lines: [chargeOf("5.00")] })
        expect((yield* getInvoice(e)).number).toBe("INV-2027-000001")
      }))

    it.effect("20 drafts of one issuer finalized concurrently are numbered 1..20, no gap, no duplicate", () =>
      Effect.gen(function* () {
        const { customer, partnerKey } = yield* world
        const ids: Array<string> = []
        for (let i = 0; i < 20; i++) ids.push(yield* draftInvoice({ customerId: customer.id, lines: [chargeOf("1.00")] }))
        const finalized = yield* Effect.all(ids.map((id) => finalize([id])), { concurrency: 5 })
        expect(finalized.flat().sort()).toEqual([...ids].sort())
        const listed = expectData(yield* call("GET", `${V1}/invoices?customer_id=${customer.id}&limit=50`, { key: partnerKey }))
        const numbers = listed.map((i: any) => i.number).sort()
        expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => `INV-2026-${String(i + 1).padStart(6, "0")}`))

        // Two overlapping batches at once: each draft is finalized by one of them, numbered 21..30.
        const more: Array<string> = []
        for (let i = 0; i < 10; i++) more.push(yield* draftInvoice({ customerId: customer.id, lines: [chargeOf("1.00")] }))
        const [left, right] = yield* Effect.all([finalize(more.slice(0, 7)), finalize(more.slice(3))], { concurrency: 2 })
        expect([...left, ...right].sort()).toEqual([...more].sort())
        const all = expectData(yield* call("GET", `${V1}/invoices?customer_id=${customer.id}&limit=50`, { key: partnerKey }))
        expect(all.map((i: any) => i.number).sort()).toEqual(
          Array.from({ length: 30 }, (_, i) => `INV-2026-${String(i + 1).padStart(6, "0")}`)
        )
      }))

    it.effect("totals are exact to the currency's minor unit (JPY none, BHD three)", () =>
      Effect.gen(function* () {
        const { customer, partnerKey } = yield* world
        const jpy = yield* finalizedInvoice({
          customerId: customer.id,
          currency: "JPY",
          lines: [
            { kind: "recurring", description: "Seats", quantity: "3", unit_price: "333.33", amount: "1000" },
            chargeOf("250")
          ]
        })
        const bhd = yield* finalizedInvoice({
          customerId: customer.id,
          currency: "BHD",
          lines: [chargeOf("1.250"), { kind: "usage", description: "Minutes", quantity: "7", amount: "0.105" }]
        })
        const eur = yield* finalizedInvoice({ customerId: customer.id, lines: [chargeOf("10.1"), chargeOf("0.20")] })
        expect(yield* getInvoice(jpy, partnerKey)).toMatchObject({
          status: "finalized",
          currency: "JPY",
          subtotal: { amount: "1250", currency: "JPY" },
          total: { amount: "1250", currency: "JPY" },
          amount_paid: { amount: "0", currency: "JPY" },
          amount_due: { amount: "1250", currency: "JPY" }
        })
        const bhdInvoice = yield* getInvoice(bhd, partnerKey)
        expect(bhdInvoice).toMatchObject({
          subtotal: { amount: "1.355", currency: "BHD" },
          total: { amount: "1.355", currency: "BHD" },
          amount_paid: { amount: "0.000", currency: "BHD" },
          amount_due: { amount: "1.355", currency: "BHD" }
        })
        expect(bhdInvoice.lines.map((l: any) => [l.kind, l.amount])).toEqual([["one_off", "1.250"], ["usage", "0.105"]])
        expect((yield* getInvoice(eur, partnerKey)).amount_due).toEqual({ amount: "10.30", currency: "EUR" })
        // The ledger has each invoice's subtotal, to the minor unit.
        expect((yield* ledger(customer.id)).map((e) => [e.kind, e.currency, Number(e.amount)])).toEqual([
          ["invoice", "JPY", 1250],
          ["invoice", "BHD", 1.355],
          ["invoice", "EUR", 10.3]
        ])
      }))

    it.effect("credit is applied at finalization, oldest note first, up to the subtotal; all credited is paid at once", () =>
      Effect.gen(function* () {
        const { customer, partnerKey } = yield* world
        const older = yield* creditNote(customer.id, "30.00", "EUR", "2026-10-01T00:00:00Z")
        const newer = yield* creditNote(customer.id, "50.00", "EUR", "2026-11-01T00:00:00Z")
        yield* creditNote(customer.id, "999.00", "USD", "2026-09-01T00:00:00Z")
        // While draft, no credit.
        const first = yield* draftInvoice({ customerId: customer.id, lines: [chargeOf("20.00")] })
        const second = yield* draftInvoice({ customerId: customer.id, lines: [chargeOf("45.00")] })
        const third = yield* draftInvoice({ customerId: customer.id, lines: [chargeOf("40.00")] })
        expect((yield* getInvoice(first, partnerKey)).lines.map((l: any) => l.kind)).toEqual(["one_off"])

        // One batch: the first takes 20 of the older note, the second its other 10 and 35 of the newer:
        // both are covered in full.
        expect(yield* finalize([first, second])).toEqual([first, second])
        const paid = yield* getInvoice(first, partnerKey)
        expect(paid).toMatchObject({
          status: "paid",
          subtotal: { amount: "20.00" },
          total: { amount: "0.00" },
          amount_due: { amount: "0.00" }
        })
        expect(paid.paid_at).toBe(NOW)
        expect(paid.lines.slice(1)).toMatchObject([{ kind: "credit", amount: "-20.00", credit_note_id: older, quantity: null }])
        const spanning = yield* getInvoice(second, partnerKey)
        expect(spanning).toMatchObject({ status: "paid", subtotal: { amount: "45.00" }, total: { amount: "0.00" } })
        expect(spanning.lines.slice(1).map((l: any) => [l.credit_note_id, l.amount])).toEqual([[older, "-10.00"], [newer, "-35.00"]])

        // What is left (15 of the newer) goes to the next invoice; then there is none.
        yield* finalize([third])
        const rest = yield* getInvoice(third, partnerKey)
        expect(rest).toMatchObject({ status: "finalized", total: { amount: "25.00" }, amount_due: { amount: "25.00" } })
        expect(rest.lines.slice(1).map((l: any) => [l.credit_note_id, l.amount])).toEqual([[newer, "-15.00"]])
        expect((yield* creditNotes(customer.id)).map((n) => [n.id === older || n.id === newer, n.remaining])).toEqual([
          [false, "999.00"],
          [true, "0.00"],
          [true, "0.00"]
        ])
        const later = yield* finalizedInvoice({ customerId: customer.id, lines: [chargeOf("7.00")] })
        expect((yield* getInvoice(later, partnerKey)).lines.length).toBe(1)

        // Ledger: the invoices at their subtotal, whatever the credit; the invariant holds.
        expect((yield* ledger(customer.id)).filter((e) => e.kind === "invoice").map((e) => Number(e.amount))).toEqual([20, 45, 40, 7])
        yield* expectLedgerInvariant(customer.id)

        const raised = (yield* events({ type: "invoice.*", customer_id: customer.id })).filter((e) => e.data.invoice.id === first)
        expect(raised.map((e) => e.type)).toEqual(["invoice.finalized", "invoice.paid"])
        expect(raised[0].data.invoice).toMatchObject({ id: first, number: paid.number, status: "paid" })
      }))

    it.effect("a finalized invoice never changes: not by finalizing again, not in SQL", () =>
      Effect.gen(function* () {
        const { customer, partnerKey } = yield* world
        yield* creditNote(customer.id, "5.00", "EUR", "2026-10-01T00:00:00Z")
        const id = yield* finalizedInvoice({ customerId: customer.id, lines: [chargeOf("12.00")] })
        const before = yield* getInvoice(id, partnerKey)
        yield* creditNote(customer.id, "5.00", "EUR", "2026-10-02T00:00:00Z")
        expect(yield* finalize([id])).toEqual([])
        expect(yield* getInvoice(id, partnerKey)).toEqual(before)

        const sql = yield* SqlClient.SqlClient
        const refused = (statement: Effect.Effect<unknown, unknown>) =>
          Effect.map(Effect.exit(statement), (exit) => expect(Exit.isFailure(exit)).toBe(true))
        yield* refused(sql`update invoices set total = 0, amount_due = 0 where id = ${id}`)
        yield* refused(sql`update invoices set number = 'INV-2026-999999' where id = ${id}`)
        yield* refused(sql`update invoices set status = 'draft' where id = ${id}`)
        yield* refused(sql`update invoice_lines set amount = 1 where invoice_id = ${id}`)
        expect(yield* getInvoice(id, partnerKey)).toEqual(before)
        // Its status and what is paid on it do change.
        yield* pay(id, "7.00")
        expect(yield* getInvoice(id, partnerKey)).toMatchObject({
          status: "paid",
          number: before.number,
          lines: before.lines,
          total: before.total,
          amount_paid: { amount: "7.00" },
          amount_due: { amount: "0.00" }
        })
      }))
  })

  it.layer(OrderingServer)("void", (it) => {
    it.effect("voiding a paid invoice books the ledger, gives the credit back and turns the payment into credit", () =>
      Effect.gen(function* () {
        const { customer, partnerKey } = yield* world
        const note = yield* creditNote(customer.id, "30.00", "EUR", "2026-10-01T00:00:00Z")
        const id = yield* finalizedInvoice({ customerId: customer.id, lines: [chargeOf("100.00")] })
        yield* pay(id, "70.00")
        const before = yield* getInvoice(id, partnerKey)
        expect(before).toMatchObject({ status: "paid", amount_paid: { amount: "70.00" } })

        // Voiding takes no parameters: a reason sent along was dropped unseen; a body that is no object is 422 too.
        expectError(yield* call("POST", `${V1}/invoices/${id}/void`, { key: partnerKey, body: { reason: "Duplicate" } }), 422, "validation_error", "reason")
        expectError(yield* call("POST", `${V1}/invoices/${id}/void`, { key: partnerKey, body: "now" }), 422, "validation_error")
        expect((yield* getInvoice(id, partnerKey)).status).toBe("paid")
        expectData(yield* call("POST", `${V1}/invoices/${id}/void`, { key: partnerKey, body: {} }))
        expectError(yield* call("POST", `${V1}/invoices/${id}/void`, { key: partnerKey }), 409, "invalid_state")
        const voided = yield* getInvoice(id, partnerKey)
        expect(voided).toMatchObject({
          id,
          status: "void",
          number: before.number,
          lines: before.lines,
          subtotal: { amount: "100.00" },
          total: { amount: "70.00" },
          amount_paid: { amount: "70.00" },
          amount_due: { amount: "0.00" },
          voided_at: NOW
        })
        const notes = yield* creditNotes(customer.id)
        expect(notes.map((n) => [n.id === note, n.source, n.amount, n.remaining, n.invoice_id])).toEqual([
          [true, "manual", "30.00", "30.00", null],
          [false, "void", "70.00", "70.00", id]
        ])
        expect((yield* ledger(customer.id)).map((e) => [e.kind, Number(e.amount)])).toEqual([
          ["credit_note", -30],
          ["invoice", 100],
          ["payment", -70],
          ["void", -100]
        ])
        yield* expectLedgerInvariant(customer.id)

        expectError(yield* call("POST", `${V1}/invoices/${id}/void`, { key: partnerKey }), 409, "invalid_state")
        const raised = yield* events({ type: "invoice.voided", customer_id: customer.id })
        expect(raised.map((e) => e.data.invoice.id)).toEqual([id])
        const credited = yield* events({ type: "credit_note.created", customer_id: customer.id })
        expect(credited.map((e) => e.data.credit_note)).toMatchObject([
          { id: notes[1]!.id, source: "void", amount: { amount: "70.00", currency: "EUR" }, invoice_id: id }
        ])
      }))

    it.effect("a draft is voided without touching the ledger; only the channel's admins may void", () =>
      Effect.gen(function* () {
        const { customer, customerToken, distributorKey, partner, partnerKey } = yield* world
        const draft = yield* draftInvoice({ customerId: customer.id, lines: [chargeOf("9.00")] })
        expectError(yield* call("POST", `${V1}/invoices/${draft}/void`, { key: customerToken }), 403, "forbidden")
        const viewer = yield* createKey(partner.id, "viewer")
        expectError(yield* call("POST", `${V1}/invoices/${draft}/void`, { key: viewer }), 403, "forbidden")
        const foreign = yield* channel()
        expectError(yield* call("POST", `${V1}/invoices/${draft}/void`, { key: foreign.partnerKey }), 404, "not_found")
        expect(yield* getInvoice(draft, partnerKey)).toMatchObject({ status: "draft" })

        const voided = expectData(yield* call("POST", `${V1}/invoices/${draft}/void`, { key: distributorKey }))
        expect(voided).toMatchObject({ status: "void", number: null, voided_at: NOW })
        expect(yield* ledger(customer.id)).toEqual([])
        // A void draft is no longer finalized.
        expect(yield* finalize([draft])).toEqual([])
      }))
  })

  it.layer(OrderingServer)("removal", (it) => {
    it.effect("a customer removed takes its invoices' lines and billed periods with it", () =>
      Effect.gen(function* () {
        const { customer, partnerKey } = yield* world
        const id = yield* finalizedInvoice({ customerId: customer.id, lines: [chargeOf("10.00"), chargeOf("2.00", "Shipping")] })
        const sql = yield* SqlClient.SqlClient
        yield* sql`
          insert into billed_periods (subscription_id, period_start, period_end, invoice_id)
          values ('sub_removed', '2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z', ${id})`
        expect((yield* call("DELETE", `${V1}/customers/${customer.id}`, { key: partnerKey })).status).toBe(204)
        const [left] = yield* sql<{ lines: number; billed: number }>`
          select (select count(*)::int from invoice_lines where invoice_id = ${id}) as lines,
                 (select count(*)::int from billed_periods where invoice_id = ${id}) as billed`
        expect(left).toEqual({ lines: 0, billed: 0 })
      }).pipe(Effect.orDie))
  })

  it.layer(OrderingServer)("reads and summary", (it) => {
    it.effect("the channel and the customer itself read the invoices; another partner gets 404", () =>
      Effect.gen(function* () {
        const { customer, customerToken, partnerKey } = yield* world
        const other = yield* createCustomer((yield* channel()).partner.id)
        const a = yield* finalizedInvoice({ customerId: customer.id, period: "2026-10", lines: [chargeOf("10.00")] })
        const b = yield* finalizedInvoice({ customerId: customer.id, period: "2026-11", lines: [chargeOf("11.00")] })
        const c = yield* draftInvoice({ customerId: customer.id, period: "2026-11", currency: "USD", lines: [chargeOf("12.00")] })
        yield* finalizedInvoice({ customerId: other.id, period: "2026-11", lines: [chargeOf("13.00")] })

        const ids = (answer: any) => expectData(answer).map((i: any) => i.id)
        expect(ids(yield* call("GET", `${V1}/invoices`, { key: partnerKey }))).toEqual([a, b, c])
        expect(ids(yield* call("GET", `${V1}/invoices`, { key: customerToken }))).toEqual([a, b, c])
        expect(ids(yield* call("GET", `${V1}/invoices?period=2026-11&status=finalized`, { key: partnerKey }))).toEqual([b])
        expect(ids(yield* call("GET", `${V1}/customers/${customer.id}/invoices?status=draft`, { key: customerToken }))).toEqual([c])
        const firstPage = yield* call("GET", `${V1}/customers/${customer.id}/invoices?limit=2`, { key: partnerKey })
        expect(ids(firstPage)).toEqual([a, b])
        const cursor = firstPage.body.meta.page.next_cursor
        expect(ids(yield* call("GET", `${V1}/customers/${customer.id}/invoices?limit=2&cursor=${cursor}`, { key: partnerKey }))).toEqual([c])

        const invoice = expectData(yield* call("GET", `${V1}/customers/${customer.id}/invoices/${b}`, { key: customerToken }))
        expect(invoice).toMatchObject({ id: b, customer_id: customer.id, status: "finalized", period: "2026-11" })
        expect(invoice.lines).toEqual([
          {
            kind: "one_off",
            description: "Installation",
            subscription_id: null,
            product_id: null,
            plan_id: null,
            sku_id: null,
            period_start: null,
            period_end: null,
            quantity: "1",
            unit_price: "11.00",
            amount: "11.00",
            details: {},
            order_item_id: null,
            credit_note_id: null,
            tax_rate: null,
            tax_category: null
          }
        ])

        const stranger = (yield* channel()).partnerKey
        expectError(yield* call("GET", `${V1}/invoices/${b}`, { key: stranger }), 404, "not_found")
        expectError(yield* call("GET", `${V1}/customers/${customer.id}/invoices`, { key: stranger }), 404, "not_found")
        expectError(yield* call("GET", `${V1}/invoices?customer_id=${customer.id}`, { key: stranger }), 404, "not_found")
        expect(ids(yield* call("GET", `${V1}/invoices`, { key: stranger }))).toEqual([])
        // Through another customer's path, the invoice is not there.
        expectError(yield* call("GET", `${V1}/customers/${other.id}/invoices/${b}`), 404, "not_found")
        expectError(yield* call("GET", `${V1}/invoices?status=unpaid`, { key: partnerKey }), 422, "validation_error", "status")
        expectError(yield* call("GET", `${V1}/invoices?period=2026-13`, { key: partnerKey }), 422, "validation_error", "period")
      }))

    it.effect("the billing summary adds up the month's invoices per subscription and per customer", () =>
      Effect.gen(function* () {
        const { customer, customerToken, partnerKey } = yield* world
        const catalog = yield* exampleCatalog
        const seat = yield* subscribe(customer.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], characteristics: SEAT }, partnerKey)
        const sub = (kind: "recurring" | "proration" | "usage", amount: string) => ({
          kind,
          description: kind,
          amount,
          subscription_id: seat.id
        })
        yield* creditNote(customer.id, "5.00", "EUR", "2026-10-01T00:00:00Z")
        const nov = yield* finalizedInvoice({
          customerId: customer.id,
          period: "2026-11",
          lines: [sub("recurring", "20.00"), sub("proration", "3.33"), sub("usage", "1.25"), chargeOf("50.00")]
        })
        yield* pay(nov, "10.00")
        yield* draftInvoice({ customerId: customer.id, period: "2026-11", currency: "USD", lines: [chargeOf("8.00")] })
        const voided = yield* finalizedInvoice({ customerId: customer.id, period: "2026-11", currency: "GBP", lines: [chargeOf("99.00")] })
        expectData(yield* call("POST", `${V1}/invoices/${voided}/void`, { key: partnerKey }))
        yield* finalizedInvoice({ customerId: customer.id, period: "2026-10", lines: [sub("recurring", "20.00")] })

        const summary = expectData(yield* call("GET", `${V1}/billing/summary?period=2026-11&customer_id=${customer.id}`, { key: partnerKey }))
        expect(summary).toEqual({
          period: "2026-11",
          subscriptions: [{
            subscription_id: seat.id,
            customer_id: customer.id,
            currency: "EUR",
            recurring: "20.00",
            proration: "3.33",
            installment: "0.00",
            usage: "1.25",
            one_off: "0.00",
            total: "24.58"
          }],
          customers: [
            {
              customer_id: customer.id,
              currency: "EUR",
              invoices: 1,
              subtotal: "74.58",
              credits: "-5.00",
              total: "69.58",
              amount_paid: "10.00",
              amount_due: "59.58"
            },
            {
              customer_id: customer.id,
              currency: "USD",
              invoices: 1,
              subtotal: "8.00",
              credits: "0.00",
              total: "8.00",
              amount_paid: "0.00",
              amount_due: "8.00"
            }
          ]
        })
        const bySubscription = expectData(
          yield* call("GET", `${V1}/billing/summary?period=2026-11&subscription_id=${seat.id}`, { key: customerToken })
        )
        expect(bySubscription.subscriptions).toEqual(summary.subscriptions)
        expect(bySubscription.customers.map((c: any) => c.currency)).toEqual(["EUR"])
        expect(expectData(yield* call("GET", `${V1}/billing/summary?period=2026-09`, { key: customerToken }))).toEqual({
          period: "2026-09",
          subscriptions: [],
          customers: []
        })

        expectError(
          yield* call("GET", `${V1}/billing/summary?period=2026-11&customer_id=${customer.id}&subscription_id=${seat.id}`),
          422,
          "validation_error",
          "subscription_id"
        )
        expectError(yield* call("GET", `${V1}/billing/summary?period=November`), 422, "validation_error", "period")
        const stranger = (yield* channel()).partnerKey
        expectError(
          yield* call("GET", `${V1}/billing/summary?period=2026-11&customer_id=${customer.id}`, { key: stranger }),
          404,
          "not_found"
        )
        expectError(
          yield* call("GET", `${V1}/billing/summary?period=2026-11&subscription_id=${seat.id}`, { key: stranger }),
          404,
          "not_found"
        )
      }))
  })
})
