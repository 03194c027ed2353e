import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { call, channel, createKey, expectData, expectError, signIn, TEST_PASSWORD, uniqueEmail } from "./harness"
import { createCustomer, OrderingServer, setNow, V1 } from "./ordering-fixtures"
import { finalizedInvoiceOf } from "./payments-fixtures"
import {
  balanceOf,
  eur,
  fixture,
  importCsv,
  importStatement,
  importXml,
  invoiceOf,
  paymentsOf
} from "./reconciliation-fixtures"

/**
 * CSV statements, the scope of a statement, what is refused (and stores nothing), another
 * version of camt.053, and two imports of one statement at once.
 */

/** A fresh partner on 1 December 2026 with one customer and invoices of `amounts`, numbered INV-2026-000001 on. */
const partnerWith = (...amounts: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    yield* setNow("2026-12-01T10:00:00Z")
    const world = yield* channel()
    const customer = yield* createCustomer(world.partner.id, { name: "Acme GmbH" })
    const invoices: Array<string> = []
    for (const amount of amounts) invoices.push(yield* finalizedInvoiceOf(customer.id, amount))
    return { ...world, customer, invoices }
  })

const csv = (...rows: ReadonlyArray<string>) => `${rows.join("\r\n")}\r\n`

describe("reconciliation: CSV, scope, refusals", () => {
  it.layer(OrderingServer)("statements", (it) => {
    it.effect("a CSV statement: columns in any order, quoted fields, identical rows kept apart, debits ignored", () =>
      Effect.gen(function* () {
        const { partnerKey, customer, invoices } = yield* partnerWith("100.00", "50.00")
        const body = csv(
          "Date,Amount,Currency,Counterparty,Reference,Balance",
          "2026-12-01,100.00,EUR,\"Acme GmbH, Berlin\",\"Invoice INV-2026-000001, thank you\",1100.00",
          "2026-12-01,-9.90,EUR,Bank,Card fee,1090.10",
          "2026-12-02,30.00,eur,Acme GmbH,INV-2026-000002,1120.10",
          "2026-12-02,30.00,eur,Acme GmbH,INV-2026-000002,1150.10",
          "2026-12-02,+12.00,EUR,\"Someone \"\"else\"\"\",,1162.10"
        )
        const statement = expectData(yield* importCsv(body, partnerKey), 201)
        expect(statement).toMatchObject({ format: "csv", account: null })
        expect(statement.lines.map((l: any) => [l.status, l.amount.amount, l.reference, l.counterparty, l.invoice_id])).toEqual([
          ["matched", "100.00", "Invoice INV-2026-000001, thank you", "Acme GmbH, Berlin", invoices[0]],
          ["ignored", "-9.90", "Card fee", "Bank", null],
          ["partial", "30.00", "INV-2026-000002", "Acme GmbH", invoices[1]],
          // The same transfer twice: two payments; the second pays the 20.00 left and 10.00 becomes credit.
          ["matched", "30.00", "INV-2026-000002", "Acme GmbH", invoices[1]],
          ["unmatched", "12.00", null, "Someone \"else\"", null]
        ])
        expect(statement.lines[0].booked_at).toBe("2026-12-01T00:00:00.000Z")
        expect(statement.lines[4].note).toBe("the transfer has no reference")
        expect((yield* invoiceOf(invoices[1]!)).status).toBe("paid")
        expect(yield* balanceOf(customer.id, partnerKey)).toEqual({ balance: "-10.00", due: "0.00", credit: "10.00" })

        // The same file again: the first import, nothing booked twice.
        expect(expectData(yield* importCsv(body, partnerKey), 200)).toEqual(statement)
        // A later export overlapping the first: its old rows are ignored, its new one books.
        const later = expectData(yield* importCsv(csv(
          "date,amount,currency,reference,counterparty",
          "2026-12-01,100.00,EUR,\"Invoice INV-2026-000001, thank you\",\"Acme GmbH, Berlin\"",
          "2026-12-03,5.00,EUR,INV-2026-000001,Acme GmbH"
        ), partnerKey), 201)
        expect(later.lines.map((l: any) => l.status)).toEqual(["ignored", "unmatched"])
        expect(later.lines[0].note).toBe(`imported before, as line ${statement.lines[0].id}`)
        expect(later.lines[1].note).toBe("invoice INV-2026-000001 is already paid")
        expect(yield* balanceOf(customer.id, partnerKey)).toEqual({ balance: "-10.00", due: "0.00", credit: "10.00" })
        expect((yield* paymentsOf(invoices[0]!, partnerKey)).length).toBe(1)
      }))

    it.effect("a statement matches the importer's invoices only, and only its channel sees it", () =>
      Effect.gen(function* () {
        const other = yield* partnerWith("10.00", "20.00", "30.00")
        const mine = yield* partnerWith("40.00")
        const body = csv(
          "date,amount,currency,reference,counterparty",
          "2026-12-01,30.00,EUR,INV-2026-000003,Acme GmbH",
          "2026-12-01,40.00,EUR,INV-2026-000001,Acme GmbH"
        )
        const statement = expectData(yield* importCsv(body, mine.partnerKey), 201)
        // INV-2026-000003 is the other partner's: not this partner's to match.
        expect(statement.lines.map((l: any) => [l.status, l.invoice_id])).toEqual([["unmatched", null], ["matched", mine.invoices[0]]])
        expect(statement.lines[0].note).toBe("no invoice of yours is named by the reference \"INV-2026-000003\"")
        expect(yield* invoiceOf(other.invoices[2]!)).toMatchObject({ status: "finalized", amount_due: eur("30.00") })
        expect(yield* invoiceOf(other.invoices[0]!)).toMatchObject({ status: "finalized", amount_due: eur("10.00") })
        expectError(
          yield* call("POST", `${V1}/reconciliation/lines/${statement.lines[0].id}/assign`, {
            key: mine.partnerKey,
            body: { invoice_id: other.invoices[2] }
          }),
          422,
          "validation_error",
          "invoice_id"
        )
        // Nor from above, by an account that reaches both: the money came into this partner's account.
        for (const key of [mine.distributorKey, undefined]) {
          expectError(
            yield* call("POST", `${V1}/reconciliation/lines/${statement.lines[0].id}/assign`, { key, body: { invoice_id: other.invoices[2] } }),
            422,
            "validation_error",
            "invoice_id"
          )
        }
        expect(yield* invoiceOf(other.invoices[2]!)).toMatchObject({ status: "finalized", amount_due: eur("30.00") })

        // Seen from above (its distributor, the platform), not from beside it nor by the customer.
        const ids = (answer: any) => expectData(answer).map((s: any) => s.id)
        expect(ids(yield* call("GET", `${V1}/reconciliation/statements`, { key: mine.distributorKey }))).toEqual([statement.id])
        expect(ids(yield* call("GET", `${V1}/reconciliation/statements?limit=200`))).toContain(statement.id)
        expect(ids(yield* call("GET", `${V1}/reconciliation/statements`, { key: other.partnerKey }))).toEqual([])
        expectData(yield* call("GET", `${V1}/reconciliation/statements/${statement.id}`, { key: mine.distributorKey }))
        expectError(yield* call("GET", `${V1}/reconciliation/statements/${statement.id}`, { key: other.partnerKey }), 404, "not_found")
        expectError(
          yield* call("POST", `${V1}/reconciliation/lines/${statement.lines[0].id}/assign`, {
            key: other.partnerKey,
            body: { invoice_id: other.invoices[2] }
          }),
          404,
          "not_found"
        )
        const viewer = yield* createKey(mine.partner.id, "viewer")
        expect(ids(yield* call("GET", `${V1}/reconciliation/statements`, { key: viewer }))).toEqual([statement.id])
        expectError(yield* importCsv(body, viewer), 403, "forbidden")
        const email = uniqueEmail("customer-admin")
        expectData(yield* call("POST", `${V1}/customers/${mine.customer.id}/admins`, { body: { email, name: "C", password: TEST_PASSWORD } }), 201)
        const customerToken = (yield* signIn(email)).access_token
        expectError(yield* importCsv(body, customerToken), 403, "forbidden")
        expectError(yield* call("GET", `${V1}/reconciliation/statements`, { key: customerToken }), 403, "forbidden")
      }))

    it.effect("what is not a statement is refused naming the field or line, and nothing is stored", () =>
      Effect.gen(function* () {
        const { partnerKey, customer, invoices } = yield* partnerWith("100.00")
        const xml = fixture("camt053-2026-11-20.xml")
        const refuse = (answer: any, field: string, message: RegExp) => {
          expectError(answer, 422, "validation_error", field)
          expect(answer.body.error.message).toMatch(message)
        }
        refuse(yield* importXml("hello, not xml", partnerKey), "body", /not well-formed XML: line 1/)
        refuse(yield* importXml("<Document><BkToCstmrStmt></Document>", partnerKey), "body", /not well-formed XML/)
        // Elements nested deeper than any statement are refused as such, not a 500 from the parser.
        const deep = `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">${"<a>".repeat(1000)}${"</a>".repeat(1000)}</Document>`
        refuse(yield* importXml(deep, partnerKey), "body", /elements nest deeper than 100 levels/)
        // A statement cut short (an upload that stopped half-way) names the elements left open.
        refuse(
          yield* importXml(xml.slice(0, xml.indexOf("<Ntry>")), partnerKey),
          "body",
          /^the statement is not well-formed XML: the document ends before these elements are closed: Document, BkToCstmrStmt, Stmt$/
        )
        refuse(yield* importXml(xml.replace("xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"", "xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.052.001.02\""), partnerKey), "Document", /camt\.052\.001\.02.*is not a camt\.053/)
        refuse(yield* importXml("<Statement/>", partnerKey), "Document", /root element is <Statement>/)
        refuse(yield* importXml(fixture("genkgo-camt053.v2.wrong.xml"), partnerKey), "BkToCstmrStmt.Stmt", /no statement/)
        refuse(
          yield* importXml(xml.replace("<Amt Ccy=\"EUR\">160.00</Amt>", "<Amt Ccy=\"EUR\">170.00</Amt>"), partnerKey),
          "Stmt[1].Ntry[3].Amt",
          /add up to 160\.00 EUR, not the entry's 170\.00/
        )
        refuse(yield* importXml(xml.replace(">80.00<", ">8O.00<"), partnerKey), "Stmt[1].Ntry[2].Amt", /decimal/)
        refuse(yield* importXml(xml.replace("<Amt Ccy=\"EUR\">12.50</Amt>", "<Amt Ccy=\"XYZ\">12.50</Amt>"), partnerKey), "Stmt[1].Ntry[5].Amt", /XYZ/)
        refuse(yield* importXml(`<!DOCTYPE d [<!ENTITY a "b">]>${xml.slice(xml.indexOf("<Document"))}`, partnerKey), "body", /DOCTYPE/)

        refuse(yield* importCsv(csv("date,amount,reference,counterparty", "2026-12-01,1.00,x,y"), partnerKey), "columns", /missing: currency/)
        refuse(
          yield* importCsv(csv("date,amount,currency,reference,counterparty", "2026-12-01,1.00,EUR,a,b", "2026-12-01,1.005,EUR,a,b"), partnerKey),
          "amount",
          /^line 3: amount: "1\.005" must have at most 2 digits/
        )
        refuse(yield* importCsv(csv("date,amount,currency,reference,counterparty", "2026-12-01,1e3,EUR,a,b"), partnerKey), "amount", /^line 2: amount/)
        // Bounded as any money paid or refunded (docs/limits.md): a sum of such lines still fits an amount.
        refuse(
          yield* importCsv(csv("date,amount,currency,reference,counterparty", "2026-12-01,99999999999999999999.00,EUR,a,b"), partnerKey),
          "amount",
          /^line 2: amount: .*at most 15 digits before the point/
        )
        refuse(
          yield* importXml(xml.replace("<Amt Ccy=\"EUR\">12.50</Amt>", "<Amt Ccy=\"EUR\">1000000000000000.00</Amt>"), partnerKey),
          "Stmt[1].Ntry[5].Amt",
          /at most 15 digits before the point/
        )
        refuse(yield* importCsv(csv("date,amount,currency,reference,counterparty", "01/12/2026,1.00,EUR,a,b"), partnerKey), "date", /^line 2: date/)
        refuse(yield* importCsv(csv("date,amount,currency,reference,counterparty", "2026-12-01,1.00,EURO,a,b"), partnerKey), "currency", /^line 2: currency/)
        refuse(yield* importCsv(csv("date,amount,currency,reference,counterparty", "2026-12-01,1.00,EUR,a"), partnerKey), "columns", /^line 2: columns: has 4 fields/)
        refuse(yield* importCsv("", partnerKey), "body", /empty/)
        expectError(yield* importStatement(xml, "application/json", partnerKey), 400, "bad_request")

        expect(expectData(yield* call("GET", `${V1}/reconciliation/statements`, { key: partnerKey }))).toEqual([])
        expect(yield* paymentsOf(invoices[0]!, partnerKey)).toEqual([])
        expect(yield* balanceOf(customer.id, partnerKey)).toEqual({ balance: "100.00", due: "100.00", credit: "0.00" })
      }))

    it.effect("camt.053.001.08 (the genkgo sample), text/xml and a byte order mark are read too", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* partnerWith()
        const body = `\uFEFF${fixture("genkgo-camt053.v8.xml")}`
        const statement = expectData(yield* importStatement(body, "text/xml; charset=utf-8", partnerKey), 201)
        expect(statement).toMatchObject({ format: "camt053", account: "NL26VAYB8060476890" })
        expect(statement.lines).toHaveLength(1)
        expect(statement.lines[0]).toMatchObject({
          booked_at: "2014-12-31T12:15:00.000Z",
          amount: eur("8.85"),
          reference: "4654654654654654",
          counterparty: "NAME NAME",
          status: "unmatched"
        })
      }))

    it.effect("the same statement sent twice at once is imported once", () =>
      Effect.gen(function* () {
        const { partnerKey, invoices } = yield* partnerWith("25.00")
        const body = csv("date,amount,currency,reference,counterparty", "2026-12-01,25.00,EUR,INV-2026-000001,Acme GmbH")
        const answers = yield* Effect.all([importCsv(body, partnerKey), importCsv(body, partnerKey)], { concurrency: 2 })
        expect(answers.map((a) => a.status).sort()).toEqual([200, 201])
        expect(answers[0]!.body.data).toEqual(answers[1]!.body.data)
        expect((yield* paymentsOf(invoices[0]!, partnerKey)).length).toBe(1)
      }))

    it.effect("a customer whose invoice a statement line paid is not deleted (409), and the statement stays whole", () =>
      Effect.gen(function* () {
        const { partnerKey, customer } = yield* partnerWith("40.00")
        const body = csv("date,amount,currency,reference,counterparty", "2026-12-01,40.00,EUR,INV-2026-000001,Acme GmbH")
        const statement = expectData(yield* importCsv(body, partnerKey), 201)
        expect(statement.lines[0]).toMatchObject({ status: "matched" })
        const refused = yield* call("DELETE", `${V1}/customers/${customer.id}`, { key: partnerKey })
        expectError(refused, 409, "invalid_state")
        expect(refused.body.error.message).toMatch(/set its status to closed instead/)
        expect(expectData(yield* call("GET", `${V1}/customers/${customer.id}`, { key: partnerKey })).id).toBe(customer.id)
        expect(expectData(yield* call("GET", `${V1}/reconciliation/statements/${statement.id}`, { key: partnerKey }))).toEqual(statement)
      }))

    it.effect("an invoice number written inv 2026-000003 among other words names the invoice; inside a longer token it does not", () =>
      Effect.gen(function* () {
        const { partnerKey, invoices } = yield* partnerWith("10.00", "20.00", "30.00")
        const body = csv(
          "date,amount,currency,reference,counterparty",
          "2026-12-01,30.00,EUR,Invoice inv 2026-000003,Acme GmbH",
          "2026-12-01,10.00,EUR,pay XINV-2026-000001 now,Acme GmbH",
          "2026-12-01,20.00,EUR,pay INV-2026-0000021 now,Acme GmbH",
          "2026-12-01,10.00,EUR,payment for inv 2026 000001 thanks,Acme GmbH"
        )
        const statement = expectData(yield* importCsv(body, partnerKey), 201)
        expect(statement.lines.map((l: any) => [l.status, l.invoice_id])).toEqual([
          ["matched", invoices[2]],
          ["unmatched", null],
          ["unmatched", null],
          ["matched", invoices[0]]
        ])
        expect(statement.lines[1].note).toBe("no invoice of yours is named by the reference \"pay XINV-2026-000001 now\"")
      }))
  })
})
