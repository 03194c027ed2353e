import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { call, createKey, expectData, expectError } from "./harness"
import { awaitRun, OrderingServer, runDue, setNow, V1 } from "./ordering-fixtures"
import { eur, invoiceOf } from "./price-lists-fixtures"
import { billNovember, channelExample } from "./channel-fixtures"
import { expectUblArithmetic, expectValidUbl, fetchDocument, pdfText } from "./documents-fixtures"
import { fetchExport, parseCsv } from "./exports-fixtures"

/**
 * Upstream invoices among the invoices (API.md "Channel": `customer_id` null, `bill_to_account_id`
 * set; an account sees the invoices it issued and those billed to it): docs/channel.md's worked
 * example billed for November 2026 with upstream invoicing on at the platform and the
 * distributor, then read, paged, rendered, exported, paid and voided as each tier sees it.
 */

const invoices = (key?: string, query = "") =>
  Effect.map(call("GET", `${V1}/invoices${query}`, { key }), (a) => expectData(a) as Array<any>)

/** Every page of `GET /invoices`, `limit` at a time. */
const allPages = (key: string | undefined, limit: number) =>
  Effect.gen(function* () {
    const seen: Array<any> = []
    let cursor: string | null = null
    do {
      const answer = yield* call("GET", `${V1}/invoices?limit=${limit}${cursor === null ? "" : `&cursor=${cursor}`}`, { key })
      expect(answer.status).toBe(200)
      const body = answer.body as { data: Array<any>; meta: { page: { next_cursor: string | null } } }
      expect(body.data.length).toBeLessThanOrEqual(limit)
      seen.push(...body.data)
      cursor = body.meta.page.next_cursor
    } while (cursor !== null)
    return seen
  })

describe("upstream invoices as invoices", () => {
  it.layer(OrderingServer)("the worked example", (it) => {
    it.effect("GET /invoices: the partner sees the one billed to it, the distributor both sides, the platform all, no one else", () =>
      Effect.gen(function* () {
        const w = yield* channelExample(true)
        expect((yield* billNovember(w)).status).toBe("completed")
        const customerInvoice = yield* invoiceOf(w.customer.id)
        expect(customerInvoice.bill_to_account_id).toBeNull()

        // As the partner: its customer's invoice (issued by it) and its distributor's invoice to it.
        const ofPartner = yield* invoices(w.keys.partner)
        const toPartner = ofPartner.find((i) => i.bill_to_account_id === w.partner.id)
        expect(toPartner).toMatchObject({
          customer_id: null,
          issuer_account_id: w.distributor.id,
          bill_to_account_id: w.partner.id,
          status: "finalized",
          period: "2026-11",
          subtotal: eur("84.00"),
          tax_total: eur("0.00"),
          total: eur("84.00"),
          amount_paid: eur("0.00"),
          amount_due: eur("84.00"),
          disputed: false,
          payment_attempts: []
        })
        expect(toPartner.number).toMatch(/^INV-2026-\d{6}$/)
        expect(toPartner.due_date).toMatch(/^\d{4}-\d{2}-\d{2}$/)
        expect(toPartner.lines).toEqual([expect.objectContaining({
          kind: "recurring", description: w.plan.name, plan_id: w.plan.id, sku_id: null, quantity: "10", amount: "84.00",
          tax_rate: "0", tax_category: "telecom", subscription_id: null
        })])
        expect(ofPartner.map((i) => i.id).sort()).toEqual([customerInvoice.id, toPartner.id].sort())
        // Never the platform's invoice to its distributor, nor what the distributor pays.
        expect(JSON.stringify(ofPartner)).not.toContain("70.00")

        // As the distributor: the one it issued and the one billed to it (the platform's, 70.00 + 19 %).
        const ofDistributor = yield* invoices(w.keys.distributor)
        const toDistributor = ofDistributor.find((i) => i.bill_to_account_id === w.distributor.id)
        expect(toDistributor).toMatchObject({ customer_id: null, subtotal: eur("70.00"), tax_total: eur("13.30"), total: eur("83.30") })
        expect(ofDistributor.map((i) => i.id)).toContain(toPartner.id)
        // Oldest first, by id, the customers' and the upstream invoices together.
        const ids = ofDistributor.map((i) => i.id)
        expect(ids).toEqual([...ids].sort())

        // The platform sees all three; paging one at a time gives the same, in the same order.
        const ofPlatform = yield* invoices()
        expect(ofPlatform.map((i) => i.id)).toEqual(expect.arrayContaining([customerInvoice.id, toPartner.id, toDistributor.id]))
        expect((yield* allPages(undefined, 1)).map((i) => i.id)).toEqual(ofPlatform.map((i) => i.id))
        expect((yield* allPages(w.keys.distributor, 2)).map((i) => i.id)).toEqual(ids)

        // GET /invoices/{id}: the same shape to those who see it, 404 to the rest.
        expect(expectData(yield* call("GET", `${V1}/invoices/${toPartner.id}`, { key: w.keys.partner }))).toEqual(toPartner)
        expectData(yield* call("GET", `${V1}/invoices/${toPartner.id}`))
        expectError(yield* call("GET", `${V1}/invoices/${toDistributor.id}`, { key: w.keys.partner }), 404, "not_found")
        expectError(yield* call("GET", `${V1}/invoices/${toPartner.id}`, { key: w.keys.sibling }), 404, "not_found")
        expectError(yield* call("GET", `${V1}/invoices/${toPartner.id}`, { key: w.keys.otherDistributor }), 404, "not_found")
        const customerKey = yield* createKey(w.customer.id)
        expect((yield* invoices(customerKey)).map((i) => i.id)).toEqual([customerInvoice.id])
        expectError(yield* call("GET", `${V1}/invoices/${toPartner.id}`, { key: customerKey }), 404, "not_found")
        expect(yield* invoices(w.keys.sibling)).toEqual([])
        // A customer's invoice list has none of them.
        expect((yield* invoices(w.keys.partner, `?customer_id=${w.customer.id}`)).map((i) => i.id)).toEqual([customerInvoice.id])

        // Filters: status and period as for customers' invoices; no upstream drafts.
        expect((yield* invoices(w.keys.partner, "?period=2026-11")).length).toBe(2)
        expect(yield* invoices(w.keys.partner, "?period=2026-10")).toEqual([])
        expect((yield* invoices(w.keys.partner, "?status=finalized")).map((i) => i.id)).toContain(toPartner.id)
        expect(yield* invoices(w.keys.partner, "?status=draft")).toEqual([])
        expect(yield* invoices(w.keys.partner, "?status=paid")).toEqual([])

        // Overdue once past its due date (the issuer's payment terms, 14 days) with money owed, as a customer's.
        expect((yield* invoices(w.keys.partner, "?status=overdue")).map((i) => i.id)).not.toContain(toPartner.id)
        yield* setNow(`${toPartner.due_date}T12:00:00Z`)
        expect((yield* invoices(w.keys.partner, "?status=overdue")).map((i) => i.id)).toContain(toPartner.id)

        // The filtered view stays: /channel/upstream-invoices answers the same invoice, newest first.
        const view = expectData(yield* call("GET", `${V1}/channel/upstream-invoices`, { key: w.keys.distributor })) as Array<any>
        expect(view.map((i) => i.id)).toEqual([toPartner.id, toDistributor.id].sort().reverse())
        expect(view.find((i) => i.id === toPartner.id)).toEqual(toPartner)
      }))

    it.effect("paging: two months of customers' and upstream invoices interleave by id, every page in order, each once", () =>
      Effect.gen(function* () {
        const w = yield* channelExample(true)
        expect((yield* billNovember(w)).status).toBe("completed")
        yield* setNow("2027-01-01T00:00:00Z")
        yield* runDue
        const december = expectData(yield* call("POST", `${V1}/billing/runs`, { body: { period: "2026-12" } }), 202)
        expect((yield* awaitRun(december.id)).status).toBe("completed")
        // November's customer invoice, its two upstream invoices, then December's three: ids interleave the tables.
        const mine = (list: Array<any>) => list.filter((i) => i.customer_id === w.customer.id || [w.partner.id, w.distributor.id].includes(i.bill_to_account_id))
        const whole = mine(yield* invoices(undefined, "?limit=200"))
        expect(whole.map((i) => i.period)).toEqual(["2026-11", "2026-11", "2026-11", "2026-12", "2026-12", "2026-12"])
        expect([whole[0].customer_id, whole[3].customer_id]).toEqual([w.customer.id, w.customer.id])
        expect(whole.filter((i) => i.customer_id === null)).toHaveLength(4)
        for (const limit of [1, 2, 4]) {
          expect(mine(yield* allPages(undefined, limit)).map((i) => i.id), `limit ${limit}`).toEqual(whole.map((i) => i.id))
          expect(mine(yield* allPages(w.keys.distributor, limit)).map((i) => i.id), `limit ${limit}`).toEqual(whole.map((i) => i.id))
        }
      }))

    it.effect("PDF and UBL: the issuer sells, the account billed buys (its legal details), reverse charge as on a customer's", () =>
      Effect.gen(function* () {
        const w = yield* channelExample(true)
        expect((yield* billNovember(w)).status).toBe("completed")
        const toPartner = (yield* invoices(w.keys.partner)).find((i) => i.bill_to_account_id === w.partner.id)
        const toDistributor = (yield* invoices(w.keys.distributor)).find((i) => i.bill_to_account_id === w.distributor.id)

        const pdf = yield* fetchDocument(`${V1}/invoices/${toPartner.id}/pdf`, w.keys.partner)
        expect(pdf.status).toBe(200)
        expect(pdf.contentType).toBe("application/pdf")
        const text = pdfText(pdf.bytes)
        expect(text).toContain(toPartner.number)
        expect(text).toContain("Nordic Distribution GmbH")
        expect(text).toContain("Fjord Telecom GmbH")
        expect(text).toContain("ATU13585627")
        expect(text).toMatch(/Reverse charge/)
        expect(text).toContain("84.00")

        const ubl = yield* fetchDocument(`${V1}/invoices/${toPartner.id}/ubl`, w.keys.distributor)
        expect(ubl.status).toBe(200)
        expectValidUbl(ubl.text)
        const doc = expectUblArithmetic(ubl.text)
        expect(doc["cbc:ID"]).toBe(toPartner.number)
        const seller = doc["cac:AccountingSupplierParty"]["cac:Party"]
        const buyer = doc["cac:AccountingCustomerParty"]["cac:Party"]
        expect(seller["cac:PartyName"]["cbc:Name"]).toBe("Nordic Distribution GmbH")
        expect(seller["cac:PartyTaxScheme"]["cbc:CompanyID"]).toBe("DE136695976")
        expect(buyer["cac:PartyName"]["cbc:Name"]).toBe("Fjord Telecom GmbH")
        expect(buyer["cac:PartyTaxScheme"]["cbc:CompanyID"]).toBe("ATU13585627")
        expect(buyer["cbc:EndpointID"]["#text"]).toBe("ATU13585627")
        expect(doc["cac:TaxTotal"]["cac:TaxSubtotal"][0]["cac:TaxCategory"]["cbc:ID"]).toBe("AE")
        expect(doc["cac:LegalMonetaryTotal"]["cbc:PayableAmount"]["#text"]).toBe("84.00")

        // The platform's to the distributor: domestic, 19 %; the partner may not fetch it.
        const domestic = yield* fetchDocument(`${V1}/invoices/${toDistributor.id}/ubl`, w.keys.distributor)
        expectValidUbl(domestic.text)
        const domesticDoc = expectUblArithmetic(domestic.text)
        expect(domesticDoc["cac:TaxTotal"]["cac:TaxSubtotal"][0]["cac:TaxCategory"]["cbc:ID"]).toBe("S")
        expect(domesticDoc["cac:LegalMonetaryTotal"]["cbc:PayableAmount"]["#text"]).toBe("83.30")
        expect((yield* fetchDocument(`${V1}/invoices/${toDistributor.id}/pdf`, w.keys.partner)).status).toBe(404)

        // A document never changes: the partner's legal name changed since reads the same bytes.
        yield* call("PUT", `${V1}/settings`, { key: w.keys.partner, body: { legal: { name: "Renamed GmbH", country: "AT", tax_id: "ATU13585627" } } })
        expect((yield* fetchDocument(`${V1}/invoices/${toPartner.id}/ubl`, w.keys.distributor)).text).toBe(ubl.text)
      }))

    it.effect("exports: the caller's upstream invoices with bill_to_account_id, never another's; commissions leave them out", () =>
      Effect.gen(function* () {
        const w = yield* channelExample(true)
        expect((yield* billNovember(w)).status).toBe("completed")
        const customerInvoice = yield* invoiceOf(w.customer.id)
        const toPartner = (yield* invoices(w.keys.partner)).find((i) => i.bill_to_account_id === w.partner.id)
        const toDistributor = (yield* invoices(w.keys.distributor)).find((i) => i.bill_to_account_id === w.distributor.id)

        const ofPartner = parseCsv((yield* fetchExport("invoices", { period: "2026-11", format: "csv" }, w.keys.partner)).text)
        expect(ofPartner.header.at(-1)).toBe("bill_to_account_id")
        expect(ofPartner.rows.map((r) => r["invoice_id"]).sort()).toEqual([customerInvoice.id, toPartner.id].sort())
        const row = ofPartner.rows.find((r) => r["invoice_id"] === toPartner.id)!
        expect(row).toMatchObject({ bill_to_account_id: w.partner.id, customer_id: "", issuer_account_id: w.distributor.id, number: toPartner.number, status: "finalized" })
        expect(Number(row["total"])).toBe(84)
        expect(Number(row["amount_due"])).toBe(84)
        expect(ofPartner.rows.find((r) => r["invoice_id"] === customerInvoice.id)!["bill_to_account_id"]).toBe("")

        const ofPlatform = parseCsv((yield* fetchExport("invoices", { period: "2026-11", format: "csv" })).text)
        const platformIds = ofPlatform.rows.map((r) => r["invoice_id"])
        expect(platformIds).toEqual([...platformIds].sort())
        expect(platformIds).toEqual(expect.arrayContaining([customerInvoice.id, toPartner.id, toDistributor.id]))

        const lines = parseCsv((yield* fetchExport("invoice-lines", { period: "2026-11", format: "csv" }, w.keys.distributor)).text)
        expect(lines.header.at(-1)).toBe("bill_to_account_id")
        const upstreamLines = lines.rows.filter((r) => r["bill_to_account_id"] !== "")
        expect(upstreamLines.map((r) => [r["invoice_id"], r["line_number"], r["kind"], r["quantity"], r["amount"], r["bill_to_account_id"]]).sort())
          .toEqual([
            [toPartner.id, "1", "recurring", "10", "84.00", w.partner.id],
            [toDistributor.id, "1", "recurring", "10", "70.00", w.distributor.id]
          ].sort())
        expect(lines.rows.filter((r) => r["invoice_id"] === customerInvoice.id)).toHaveLength(1)

        // Commissions are earned on customers' invoices alone.
        const commissions = yield* fetchExport("commissions", { period: "2026-11", format: "csv" })
        expect(commissions.text).not.toContain(toPartner.id)
        expect(commissions.text).not.toContain(toDistributor.id)
      }))

    it.effect("payments: the issuer records what the partner paid, paid when nothing is left; the customer ledger is untouched", () =>
      Effect.gen(function* () {
        const w = yield* channelExample(true)
        expect((yield* billNovember(w)).status).toBe("completed")
        const toPartner = (yield* invoices(w.keys.partner)).find((i) => i.bill_to_account_id === w.partner.id)
        const balanceBefore = expectData(yield* call("GET", `${V1}/customers/${w.customer.id}/balance`, { key: w.keys.partner }))

        // Issued finalized: finalizing it again is 409, as for a customer's finalized invoice (not 404).
        expectError(yield* call("POST", `${V1}/invoices/${toPartner.id}/finalize`, { key: w.keys.distributor }), 409, "invalid_state")
        // The account billed cannot mark its own invoice paid; nor pay more than it owes, nor in another currency.
        expectError(yield* call("POST", `${V1}/payments`, { key: w.keys.partner, body: { invoice_id: toPartner.id, amount: eur("84.00") } }), 403, "forbidden")
        expectError(yield* call("POST", `${V1}/payments`, { key: w.keys.distributor, body: { invoice_id: toPartner.id, amount: eur("84.01") } }),
          422, "validation_error", "amount.amount")
        expectError(yield* call("POST", `${V1}/payments`, { key: w.keys.distributor, body: { invoice_id: toPartner.id, amount: { amount: "84.00", currency: "USD" } } }),
          422, "validation_error", "amount.currency")
        expectError(yield* call("POST", `${V1}/payments`, { key: w.keys.sibling, body: { invoice_id: toPartner.id, amount: eur("84.00") } }),
          422, "validation_error", "invoice_id")

        const first = expectData(yield* call("POST", `${V1}/payments`, { key: w.keys.distributor, body: { invoice_id: toPartner.id, amount: eur("50.00") } }), 201)
        expect(first).toMatchObject({ invoice_id: toPartner.id, customer_id: null, bill_to_account_id: w.partner.id, amount: eur("50.00"), status: "succeeded", gateway: "manual" })
        expect(expectData(yield* call("GET", `${V1}/invoices/${toPartner.id}`, { key: w.keys.partner })))
          .toMatchObject({ status: "finalized", amount_paid: eur("50.00"), amount_due: eur("34.00") })
        expectData(yield* call("POST", `${V1}/payments`, { key: w.keys.distributor, body: { invoice_id: toPartner.id, amount: eur("34.00") } }), 201)
        const paid = expectData(yield* call("GET", `${V1}/invoices/${toPartner.id}`, { key: w.keys.partner }))
        expect(paid).toMatchObject({ status: "paid", amount_paid: eur("84.00"), amount_due: eur("0.00") })
        expect(paid.paid_at).not.toBeNull()
        expect((yield* invoices(w.keys.partner, "?status=paid")).map((i) => i.id)).toEqual([toPartner.id])
        expectError(yield* call("POST", `${V1}/payments`, { key: w.keys.distributor, body: { invoice_id: toPartner.id, amount: eur("1.00") } }), 409, "invalid_state")
        // Paid: it can no longer be voided.
        expectError(yield* call("POST", `${V1}/invoices/${toPartner.id}/void`, { key: w.keys.distributor }), 409, "invalid_state")

        expect(expectData(yield* call("GET", `${V1}/customers/${w.customer.id}/balance`, { key: w.keys.partner }))).toEqual(balanceBefore)
      }))

    it.effect("void: the issuer's admins void it and its costs are invoiced afresh by the month's next run", () =>
      Effect.gen(function* () {
        const w = yield* channelExample(true)
        expect((yield* billNovember(w)).status).toBe("completed")
        const toPartner = (yield* invoices(w.keys.partner)).find((i) => i.bill_to_account_id === w.partner.id)

        expectError(yield* call("POST", `${V1}/invoices/${toPartner.id}/void`, { key: w.keys.partner }), 403, "forbidden")
        expectError(yield* call("POST", `${V1}/invoices/${toPartner.id}/void`, { key: w.keys.sibling }), 404, "not_found")
        expectError(yield* call("PUT", `${V1}/invoices/${toPartner.id}`, { key: w.keys.distributor, body: { disputed: true } }), 409, "invalid_state")
        const voided = expectData(yield* call("POST", `${V1}/invoices/${toPartner.id}/void`, { key: w.keys.distributor }))
        expect(voided).toMatchObject({ id: toPartner.id, status: "void", amount_due: eur("0.00"), bill_to_account_id: w.partner.id })
        expect(voided.voided_at).not.toBeNull()
        expectError(yield* call("POST", `${V1}/invoices/${toPartner.id}/void`, { key: w.keys.distributor }), 409, "invalid_state")
        expect((yield* invoices(w.keys.partner, "?status=void")).map((i) => i.id)).toEqual([toPartner.id])

        const sql = yield* SqlClient.SqlClient
        const pending = yield* sql<{ n: number }>`
          select count(*)::int as n from channel_costs where buyer_account_id = ${w.partner.id} and upstream_invoice_id is null`
        expect(pending[0]!.n).toBe(1)

        // The month's next run invoices the released costs again, on a new invoice with a new number.
        const again = expectData(yield* call("POST", `${V1}/billing/runs`, { body: { period: "2026-11" } }), 202)
        expect((yield* awaitRun(again.id)).status).toBe("completed")
        const toPartnerNow = (yield* invoices(w.keys.partner)).filter((i) => i.bill_to_account_id === w.partner.id)
        expect(toPartnerNow.map((i) => i.status)).toEqual(["void", "finalized"])
        expect(toPartnerNow[1]).toMatchObject({ subtotal: eur("84.00"), total: eur("84.00") })
        expect(toPartnerNow[1].number).not.toBe(toPartner.number)
      }))
  })
})
