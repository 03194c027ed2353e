import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { XMLParser } from "fast-xml-parser"
import { call, channel, expectData } from "./harness"
import { expectUblArithmetic, expectValidUbl, fetchDocument, pdfText } from "./documents-fixtures"
import { chargeOf, finalizedInvoice } from "./invoice-fixtures"
import { createCustomer, expectError, OrderingServer, setNow, V1 } from "./ordering-fixtures"

/** GET /credit-notes/{id}/pdf and /ubl: a credit note against a taxed invoice, and balance credit. */
const eur = (amount: string) => ({ amount, currency: "EUR" })

const world = Effect.gen(function* () {
  yield* setNow("2026-12-02T10:00:00.000Z")
  const { partner, partnerKey } = yield* channel()
  expectData(yield* call("PUT", `${V1}/settings`, {
    key: partnerKey,
    body: {
      branding: { display_name: "Fjord Telecom" },
      legal: { name: "Fjord Telecom GmbH", country: "DE", tax_id: "DE811907980", iban: "DE89370400440532013000", bic: "COBADEFFXXX" }
    }
  }))
  const customer = yield* createCustomer(partner.id, { name: "Müller KG", email: "billing@mueller.example", address: { country: "DE" } }, partnerKey)
  return { partner, partnerKey, customer }
})

describe("credit note documents", () => {
  it.layer(OrderingServer)("over HTTP", (it) => {
    it.effect("a credit note against a taxed invoice: a UBL CreditNote referring to the invoice, its tax reversed; the PDF names both", () =>
      Effect.gen(function* () {
        expectData(yield* call("POST", `${V1}/tax-rates`, { body: { country: "DE", category: "standard", rate: "19.0", valid_from: "2000-01-01" } }), 201)
        const { customer, partnerKey } = yield* world
        const invoiceId = yield* finalizedInvoice({ customerId: customer.id, lines: [chargeOf("100.00")] })
        const invoice = expectData(yield* call("GET", `${V1}/invoices/${invoiceId}`))
        expect(invoice.tax_total).toEqual(eur("19.00"))
        const note = expectData(yield* call("POST", `${V1}/invoices/${invoiceId}/credit-notes`, {
          key: partnerKey,
          body: { amount: eur("59.50"), reason: "Outage in November" }
        }), 201)

        const xml = (yield* fetchDocument(`${V1}/credit-notes/${note.id}/ubl`, partnerKey)).text
        expectValidUbl(xml, "CreditNote")
        const doc = expectUblArithmetic(xml, "CreditNote")
        expect(doc["cbc:ID"]).toBe(note.id)
        expect(doc["cbc:CreditNoteTypeCode"]).toBe("381")
        expect(doc["cac:BillingReference"]["cac:InvoiceDocumentReference"]["cbc:ID"]).toBe(invoice.number)
        expect(doc["cac:TaxTotal"]["cac:TaxSubtotal"].map((s: any) => [s["cac:TaxCategory"]["cbc:ID"], s["cbc:TaxableAmount"]["#text"], s["cbc:TaxAmount"]["#text"]]))
          .toEqual([["S", "50.00", "9.50"]])
        expect(doc["cac:LegalMonetaryTotal"]["cbc:PayableAmount"]["#text"]).toBe("59.50")
        expect(doc["cac:AccountingSupplierParty"]["cac:Party"]["cbc:EndpointID"]).toEqual({ "@_schemeID": "9930", "#text": "DE811907980" })

        const pdf = yield* fetchDocument(`${V1}/credit-notes/${note.id}/pdf`, partnerKey)
        expect(pdf.contentType).toBe("application/pdf")
        const text = pdfText(pdf.bytes)
        for (const expected of [`Credit note ${note.id}`, `${invoice.number} of`, "Outage in November", "Fjord Telecom GmbH", "Müller KG"]) {
          expect(text, expected).toContain(expected)
        }
        expect(text).toMatch(/Subtotal\s+50\.00 EUR/)
        expect(text).toMatch(/Total credited\s+59\.50 EUR/)
        const again = yield* fetchDocument(`${V1}/credit-notes/${note.id}/pdf`)
        expect(Buffer.from(again.bytes).equals(Buffer.from(pdf.bytes))).toBe(true)
      }))

    it.effect("a gross credit's documents show its total: net + tax split to add up to it (EN 16931), not 3.04 for 3.03", () =>
      Effect.gen(function* () {
        // An Austrian consumer (20 %): 5.05 + 1.01 = 6.06, credited by half.
        expectData(yield* call("POST", `${V1}/tax-rates`, { body: { country: "AT", category: "standard", rate: "20.0", valid_from: "2000-01-01" } }), 201)
        const { partner, partnerKey } = yield* world
        const austrian = yield* createCustomer(partner.id, { name: "Wien Privat", address: { country: "AT" } }, partnerKey)
        const invoiceId = yield* finalizedInvoice({ customerId: austrian.id, lines: [chargeOf("5.05")] })
        expect(expectData(yield* call("GET", `${V1}/invoices/${invoiceId}`))).toMatchObject({ tax_total: eur("1.01"), total: eur("6.06") })
        const note = expectData(yield* call("POST", `${V1}/invoices/${invoiceId}/credit-notes`, { key: partnerKey, body: { amount: eur("3.03"), reason: "half" } }), 201)
        expect(note).toMatchObject({ subtotal: eur("2.53"), tax_total: eur("0.50"), total: eur("3.03") })

        const xml = (yield* fetchDocument(`${V1}/credit-notes/${note.id}/ubl`, partnerKey)).text
        expectValidUbl(xml, "CreditNote")
        const doc = new XMLParser({ ignoreAttributes: false, parseTagValue: false, isArray: (name) => ["cac:TaxSubtotal", "cac:CreditNoteLine"].includes(name) })
          .parse(xml).CreditNote
        const text = (node: any): string => node["#text"]
        const totals = doc["cac:LegalMonetaryTotal"]
        expect(["cbc:LineExtensionAmount", "cbc:TaxExclusiveAmount", "cbc:TaxInclusiveAmount", "cbc:PayableAmount"].map((k) => text(totals[k])))
          .toEqual(["2.53", "2.53", "3.03", "3.03"])
        expect(doc["cac:CreditNoteLine"].map((l: any) => text(l["cbc:LineExtensionAmount"]))).toEqual(["2.53"])
        expect(text(doc["cac:TaxTotal"]["cbc:TaxAmount"])).toBe("0.50")
        // BR-CO-17: the tax is within one unit of taxable x rate (2.53 x 20 % = 0.506); no split of 3.03 meets it exactly.
        expect(doc["cac:TaxTotal"]["cac:TaxSubtotal"].map((s: any) => [text(s["cbc:TaxableAmount"]), text(s["cbc:TaxAmount"]), s["cac:TaxCategory"]["cbc:Percent"]]))
          .toEqual([["2.53", "0.50", "20"]])
        expect(pdfText((yield* fetchDocument(`${V1}/credit-notes/${note.id}/pdf`, partnerKey)).bytes)).toMatch(/Total credited\s+3\.03 EUR/)
      }))

    it.effect("balance credit has documents with no BillingReference; out of scope or unknown is 404", () =>
      Effect.gen(function* () {
        const { customer, partnerKey } = yield* world
        const granted = expectData(yield* call("POST", `${V1}/credits`, { key: partnerKey, body: { customer_id: customer.id, amount: eur("15.00"), reason: "Goodwill" } }), 201)
        const xml = (yield* fetchDocument(`${V1}/credit-notes/${granted.id}/ubl`, partnerKey)).text
        expectValidUbl(xml, "CreditNote")
        const doc = expectUblArithmetic(xml, "CreditNote")
        expect(doc["cac:BillingReference"]).toBeUndefined()
        expect(doc["cac:LegalMonetaryTotal"]["cbc:PayableAmount"]["#text"]).toBe("15.00")
        expect(pdfText((yield* fetchDocument(`${V1}/credit-notes/${granted.id}/pdf`, partnerKey)).bytes)).toMatch(/Total credited\s+15\.00 EUR/)
        const other = yield* channel()
        for (const kind of ["pdf", "ubl"]) {
          expectError(yield* call("GET", `${V1}/credit-notes/${granted.id}/${kind}`, { key: other.partnerKey }), 404, "not_found")
          expectError(yield* call("GET", `${V1}/credit-notes/crn_01m8nosuchnote00000000000/${kind}`), 404, "not_found")
        }
      }))
  })
})
