import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { call, channel, expectData, signIn, TEST_PASSWORD, uniqueEmail } from "./harness"
import { expectUblArithmetic, expectValidUbl, fetchDocument, lineIndexes, LONG_NAME, overprinted, pdfInfo, pdfText } from "./documents-fixtures"
import { chargeOf, draftInvoice, finalizedInvoice } from "./invoice-fixtures"
import { expectError, OrderingServer, setNow, V1 } from "./ordering-fixtures"

/** GET /invoices/{id}/pdf and /ubl: the stored invoice and its parties as documents, for whoever may read it. */
const world = Effect.gen(function* () {
  yield* setNow("2026-12-02T10:00:00.000Z")
  const { distributorKey, partner, partnerKey } = yield* channel()
  expectData(yield* call("PUT", `${V1}/settings`, {
    key: partnerKey,
    body: {
      branding: { display_name: "Fjord Telecom", primary_color: "#0a7cff", support_email: "support@fjord.example" },
      legal: {
        name: "Fjord Telecom GmbH",
        address: { line1: "Hafenstraße 2", city: "Hamburg", postal_code: "20457", country: "DE" },
        country: "DE",
        tax_id: "DE811907980",
        iban: "DE89 3704 0044 0532 0130 00",
        bic: "COBADEFFXXX",
        payment_instructions: "Please pay by bank transfer, quoting the reference."
      }
    }
  }))
  const customer = expectData(yield* call("POST", `${V1}/customers`, {
    key: partnerKey,
    body: {
      name: "Müller & Söhne KG", email: "billing@mueller.example", tax_id: "DE136695976",
      address: { line1: "Königsallee 1", city: "Düsseldorf", postal_code: "40212", country: "DE" }
    }
  }), 201)
  const invoiceId = yield* finalizedInvoice({
    customerId: customer.id,
    lines: [
      { kind: "recurring", description: "Cloud PBX Business", quantity: "10", unit_price: "10", amount: "100.00" },
      { kind: "proration", description: "One more seat", quantity: "1", unit_price: "30", amount: "10.00", details: { days: 10, period_days: 30 } },
      chargeOf("49.90", "Installation")
    ]
  })
  const invoice = expectData(yield* call("GET", `${V1}/invoices/${invoiceId}`))
  return { distributorKey, partner, partnerKey, customer, invoice }
})

describe("invoice documents", () => {
  it.layer(OrderingServer)("over HTTP", (it) => {
    it.effect("a finalized invoice's PDF: application/pdf, its number, parties, lines, totals and reference; the same bytes every time", () =>
      Effect.gen(function* () {
        const { invoice, partnerKey } = yield* world
        const answer = yield* fetchDocument(`${V1}/invoices/${invoice.id}/pdf`, partnerKey)
        expect(answer.status).toBe(200)
        expect(answer.contentType).toBe("application/pdf")
        const text = pdfText(answer.bytes)
        for (const expected of [
          `Invoice ${invoice.number}`, "Fjord Telecom GmbH", "VAT ID: DE811907980", "Müller & Söhne KG", "Tax ID: DE136695976",
          "Cloud PBX Business", "10 of 30 days", "Installation", invoice.due_date, invoice.payment_reference,
          "IBAN: DE89370400440532013000", "BIC: COBADEFFXXX", "Page 1 of 1"
        ]) expect(text, expected).toContain(expected)
        expect(text).toMatch(/Subtotal\s+159\.90 EUR/)
        expect(text).toMatch(/Amount due\s+159\.90 EUR/)
        expect(pdfInfo(answer.bytes)["Pages"]).toBe("1")
        const again = yield* fetchDocument(`${V1}/invoices/${invoice.id}/pdf`)
        expect(Buffer.from(again.bytes).equals(Buffer.from(answer.bytes))).toBe(true)
      }))

    it.effect("a finalized invoice's documents keep the parties' details of its finalization: later changes show on later invoices only", () =>
      Effect.gen(function* () {
        const { customer, invoice, partnerKey } = yield* world
        const pdf = yield* fetchDocument(`${V1}/invoices/${invoice.id}/pdf`, partnerKey)
        const ubl = yield* fetchDocument(`${V1}/invoices/${invoice.id}/ubl`, partnerKey)
        expectData(yield* call("PUT", `${V1}/settings`, { key: partnerKey, body: { legal: { name: "Fjord Mobile AG", country: "DE" } } }))
        expectData(yield* call("PUT", `${V1}/customers/${customer.id}`, { key: partnerKey, body: { name: "Müller Holding" } }))
        const pdfAfter = yield* fetchDocument(`${V1}/invoices/${invoice.id}/pdf`, partnerKey)
        const ublAfter = yield* fetchDocument(`${V1}/invoices/${invoice.id}/ubl`, partnerKey)
        expect(Buffer.from(pdfAfter.bytes).equals(Buffer.from(pdf.bytes))).toBe(true)
        expect(Buffer.from(ublAfter.bytes).equals(Buffer.from(ubl.bytes))).toBe(true)
        const later = yield* finalizedInvoice({ customerId: customer.id, lines: [chargeOf("10.00")] })
        const text = pdfText((yield* fetchDocument(`${V1}/invoices/${later}/pdf`, partnerKey)).bytes)
        expect(text).toContain("Fjord Mobile AG")
        expect(text).toContain("Müller Holding")
        expect(text).not.toContain("Fjord Telecom GmbH")
      }))

    it.effect("a finalized invoice's UBL validates against UBL 2.1, adds up, and carries the parties' endpoints and the RF reference", () =>
      Effect.gen(function* () {
        const { invoice, partnerKey } = yield* world
        const answer = yield* fetchDocument(`${V1}/invoices/${invoice.id}/ubl`, partnerKey)
        expect(answer.status).toBe(200)
        expect(answer.contentType).toMatch(/^application\/xml/)
        expectValidUbl(answer.text)
        const doc = expectUblArithmetic(answer.text)
        expect(doc["cbc:ID"]).toBe(invoice.number)
        expect(doc["cac:AccountingSupplierParty"]["cac:Party"]["cbc:EndpointID"]).toEqual({ "@_schemeID": "9930", "#text": "DE811907980" })
        expect(doc["cac:AccountingCustomerParty"]["cac:Party"]["cbc:EndpointID"]).toEqual({ "@_schemeID": "9930", "#text": "DE136695976" })
        expect(doc["cac:PaymentMeans"]["cbc:PaymentID"]).toBe(invoice.payment_reference)
        expect(doc["cac:LegalMonetaryTotal"]["cbc:PayableAmount"]["#text"]).toBe(invoice.amount_due.amount)
        expect(doc["cac:InvoiceLine"]).toHaveLength(3)
      }))

    it.effect("whoever may read the invoice may read its documents: the channel above, the customer; others read not found", () =>
      Effect.gen(function* () {
        const { distributorKey, customer, invoice } = yield* world
        const email = uniqueEmail("customer-admin")
        expectData(yield* call("POST", `${V1}/customers/${customer.id}/admins`, { body: { email, name: "C admin", password: TEST_PASSWORD } }), 201)
        const customerToken = (yield* signIn(email)).access_token
        for (const key of [distributorKey, customerToken]) {
          expect((yield* fetchDocument(`${V1}/invoices/${invoice.id}/pdf`, key)).status).toBe(200)
          expect((yield* fetchDocument(`${V1}/invoices/${invoice.id}/ubl`, key)).status).toBe(200)
        }
        const other = yield* channel()
        for (const kind of ["pdf", "ubl"]) {
          expectError(yield* call("GET", `${V1}/invoices/${invoice.id}/${kind}`, { key: other.partnerKey }), 404, "not_found")
        }
      }))

    it.effect("the tax the engine computes is on both documents: 19 % on the sum of the lines; reverse charge with its mention", () =>
      Effect.gen(function* () {
        const { customer, partnerKey } = yield* world
        // The tests before this one run with no rate: their invoices carry no tax.
        expectData(yield* call("POST", `${V1}/tax-rates`, { body: { country: "DE", category: "standard", rate: "19.0", valid_from: "2000-01-01" } }), 201)
        const domestic = yield* finalizedInvoice({
          customerId: customer.id,
          lines: [
            { kind: "recurring", description: "Cloud PBX", quantity: "3", unit_price: "33.33", amount: "99.99" },
            chargeOf("0.05", "Setup")
          ]
        })
        const invoice = expectData(yield* call("GET", `${V1}/invoices/${domestic}`, { key: partnerKey }))
        // 19 % of 100.04 = 19.0076 -> 19.01, on the sum (per line it would be 19.00 + 0.01).
        expect(invoice.tax).toMatchObject([{ rate: "19.0", taxable_amount: { amount: "100.04" }, tax_amount: { amount: "19.01" }, exemption_reason: null }])
        const text = pdfText((yield* fetchDocument(`${V1}/invoices/${domestic}/pdf`, partnerKey)).bytes)
        expect(text).toMatch(new RegExp(`${invoice.tax[0].category}\\s+19\\s*%\\s+100\\.04 EUR\\s+19\\.01 EUR`))
        expect(text).toMatch(/Subtotal\s+100\.04 EUR/)
        expect(text).toMatch(/Total\s+119\.05 EUR/)
        expect(text).toMatch(/Amount due\s+119\.05 EUR/)
        const xml = (yield* fetchDocument(`${V1}/invoices/${domestic}/ubl`, partnerKey)).text
        expectValidUbl(xml)
        const doc = expectUblArithmetic(xml)
        expect(doc["cac:TaxTotal"]["cac:TaxSubtotal"].map((s: any) => [s["cac:TaxCategory"]["cbc:ID"], s["cbc:TaxableAmount"]["#text"], s["cbc:TaxAmount"]["#text"]]))
          .toEqual([["S", "100.04", "19.01"]])
        expect(doc["cac:LegalMonetaryTotal"]["cbc:PayableAmount"]["#text"]).toBe("119.05")

        // An Austrian business with a VAT id: reverse charge, the mention printed and carried as AE.
        const austrian = expectData(yield* call("POST", `${V1}/customers`, {
          key: partnerKey,
          body: { name: "Wien AG", tax_id: "ATU12345678", address: { line1: "Ring 1", city: "Wien", postal_code: "1010", country: "AT" } }
        }), 201)
        const crossBorder = yield* finalizedInvoice({ customerId: austrian.id, lines: [chargeOf("50.00", "Consulting")] })
        const reverse = expectData(yield* call("GET", `${V1}/invoices/${crossBorder}`, { key: partnerKey }))
        expect(reverse.tax).toHaveLength(1)
        expect(reverse.tax[0]).toMatchObject({ tax_amount: { amount: "0.00" } })
        const mention = reverse.tax[0].exemption_reason as string
        expect(mention).toMatch(/reverse/i)
        const reverseText = pdfText((yield* fetchDocument(`${V1}/invoices/${crossBorder}/pdf`, partnerKey)).bytes)
        expect(reverseText.replace(/\s+/g, " ")).toContain(mention.replace(/\s+/g, " ").slice(0, 60))
        const reverseXml = (yield* fetchDocument(`${V1}/invoices/${crossBorder}/ubl`, partnerKey)).text
        expectValidUbl(reverseXml)
        const reverseDoc = expectUblArithmetic(reverseXml)
        expect(reverseDoc["cac:TaxTotal"]["cac:TaxSubtotal"][0]["cac:TaxCategory"]).toMatchObject({ "cbc:ID": "AE", "cbc:TaxExemptionReason": mention })
        expect(reverseDoc["cac:AccountingCustomerParty"]["cac:Party"]["cbc:EndpointID"]).toEqual({ "@_schemeID": "9914", "#text": "ATU12345678" })
      }))

    it.effect("the PDF prints the stored unit prices digit for digit, wide figures whole on their line, a 199-character name above its address", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* world
        const customer = expectData(yield* call("POST", `${V1}/customers`, {
          key: partnerKey,
          body: { name: LONG_NAME, address: { line1: "Königsallee 1", city: "Düsseldorf", postal_code: "40212", country: "DE" }, tax_id: "DE136695976" }
        }), 201)
        expect(customer.name).toBe(LONG_NAME)
        const prices = ["0.12345678901234567891", "999999999999.99999999999999999999", "0.00000000000000000001"]
        const precise = yield* finalizedInvoice({
          customerId: customer.id,
          lines: prices.map((price, i) => ({ kind: "one_off", description: `Precise ${i + 1}`, quantity: "1", unit_price: price, amount: ["0.12", "1000000000000.00", "0.00"][i]! }))
        })
        const text = pdfText((yield* fetchDocument(`${V1}/invoices/${precise}/pdf`, partnerKey)).bytes)
        prices.forEach((price, i) => expect(text).toMatch(new RegExp(`Precise ${i + 1}\\s+1\\s+${price.replace(".", "\\.")}\\s`)))
        expect(text).not.toMatch(/\de[-+]?\d/)

        const wide = yield* finalizedInvoice({
          customerId: customer.id,
          lines: [{ kind: "one_off", description: "Wide", quantity: "1000000", unit_price: "999999999999.99999999999999999999", amount: "1000000000000000000.00" }]
        })
        const invoice = expectData(yield* call("GET", `${V1}/invoices/${wide}`, { key: partnerKey }))
        const pdf = (yield* fetchDocument(`${V1}/invoices/${wide}/pdf`, partnerKey)).bytes
        const wideText = pdfText(pdf)
        const whole = (amount: string) => `${amount.replace(".", "\\.")} EUR\\n`
        expect(wideText).toMatch(/Wide\s+1000000\s+999999999999\.99999999999999999999\s+(19 %\s+)?1000000000000000000\.00\n/)
        expect(wideText).toMatch(new RegExp(`Subtotal\\s+${whole(invoice.subtotal.amount)}`))
        expect(wideText).toMatch(new RegExp(`Tax\\s+${whole(invoice.tax_total.amount)}`))
        expect(wideText).toMatch(new RegExp(`Total\\s+${whole(invoice.total.amount)}`))
        expect(wideText).toMatch(new RegExp(`Amount due\\s+${whole(invoice.amount_due.amount)}`))
        // The name wraps in the "Bill to" block; the address follows it, line after line, nothing printed over it.
        const address = lineIndexes(wideText, ["Königsallee 1", "40212 Düsseldorf", "Tax ID: DE136695976"])
        expect(address.every((index) => index >= 0) && [...address].sort((a, b) => a - b).join() === address.join(), wideText).toBe(true)
        expect(wideText.indexOf("VeryLongNameVeryLongName")).toBeLessThan(wideText.indexOf("Königsallee 1"))
        expect(overprinted(pdf)).toEqual([])
      }))

    it.effect("a draft has no documents (409 invalid_state); an unknown or malformed invoice id is 404", () =>
      Effect.gen(function* () {
        const { customer, partnerKey } = yield* world
        const draft = yield* draftInvoice({ customerId: customer.id, lines: [chargeOf("10.00")] })
        for (const kind of ["pdf", "ubl"]) {
          expectError(yield* call("GET", `${V1}/invoices/${draft}/${kind}`, { key: partnerKey }), 409, "invalid_state")
          expectError(yield* call("GET", `${V1}/invoices/inv_01m8nosuchinvoice0000000000/${kind}`), 404, "not_found")
          expectError(yield* call("GET", `${V1}/invoices/not-an-id/${kind}`), 404, "not_found")
        }
        // Voided before it was finalized, it was never issued: no number, no issue date, no documents.
        expect(expectData(yield* call("POST", `${V1}/invoices/${draft}/void`, { key: partnerKey }))).toMatchObject({ status: "void", number: null })
        for (const kind of ["pdf", "ubl"]) {
          const answer = yield* call("GET", `${V1}/invoices/${draft}/${kind}`, { key: partnerKey })
          expectError(answer, 409, "invalid_state")
          expect(answer.body.error.message).toMatch(/never issued/)
        }
      }))
  })
})
