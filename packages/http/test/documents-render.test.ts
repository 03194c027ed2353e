import { renderPdf } from "@provisio/adapters/documents/pdf"
import { renderUbl } from "@provisio/adapters/documents/ubl"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { expectUblArithmetic, expectValidUbl, lineIndexes, LONG_NAME, overprinted, pdfInfo, pdfWords, pdfText, sampleDocument, sampleInvoice } from "./documents-fixtures"

/** A PNG of one pixel. */
const ONE_PIXEL_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="

const withTempPdf = <A>(pdf: Uint8Array, use: (file: string) => A): A => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provisio-logo-"))
  try {
    const file = path.join(dir, "doc.pdf")
    fs.writeFileSync(file, pdf)
    return use(file)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** A one-off line of `quantity` x `unit_price` at 19 %. */
const oneOff = (description: string, quantity: string, unit_price: string, amount: string) => ({
  kind: "one_off", description, subscription_id: null, product_id: null, plan_id: null, sku_id: null, period_start: null,
  period_end: null, quantity, unit_price, amount, details: {}, order_item_id: null, credit_note_id: null, tax_rate: "19", tax_category: "standard"
})
const eur = (amount: string) => ({ amount, currency: "EUR" })

/** The renderers on an invoice with every kind of line, tax at two categories and credit applied. */
describe("document rendering", () => {
  it.effect("the PDF shows the parties, number, dates, lines with tiers and days, the tax breakdown, totals and how to pay", () =>
    Effect.gen(function* () {
      const pdf = yield* renderPdf(sampleDocument())
      const text = pdfText(pdf)
      for (const expected of [
        "Fjord Telecom", "Fjord Telecom GmbH", "Hafenstraße 2", "20457 Hamburg", "VAT ID: DE811907980",
        "Müller & Söhne KG", "Königsallee 1", "40212 Düsseldorf", "Tax ID: DE136695976",
        "Invoice INV-2026-000042", "2026-12-01", "2026-12-15", "RF18INV2026000042",
        "Cloud PBX Business – Größe M", "10 of 30 days", "tier 2: 400 units", "tier 3: 100 units", "0.025",
        "Reverse charge: the recipient is liable for VAT",
        "IBAN: DE89370400440532013000", "BIC: COBADEFFXXX", "Reference: RF18INV2026000042", "Page 1 of 1"
      ]) expect(text, expected).toContain(expected)
      // The tax breakdown: 145.83 at 19 % gives 27.71; 50.00 reverse charged.
      expect(text).toMatch(/standard\s+19\s*%\s+145\.83 EUR\s+27\.71 EUR/)
      expect(text).toMatch(/zero\s+0\s*%\s+50\.00 EUR\s+0\.00 EUR/)
      // Totals: lines 195.83 + tax 27.71 = 223.54; 20.00 credit applied; 203.54 due.
      expect(text).toMatch(/Subtotal\s+195\.83 EUR/)
      expect(text).toMatch(/Tax\s+27\.71 EUR/)
      expect(text).toMatch(/Total\s+223\.54 EUR/)
      expect(text).toMatch(/Paid \(credit applied\)\s+20\.00 EUR/)
      expect(text).toMatch(/Amount due\s+203\.54 EUR/)
      expect(pdfInfo(pdf)["Pages"]).toBe("1")
    }))

  it.effect("an inline PNG logo prints in the head, the same bytes every time; a web address is not fetched", () =>
    Effect.gen(function* () {
      const withLogo = (logo_url: string | null) => {
        const document = sampleDocument()
        return { ...document, issuer: { ...document.issuer, logo_url } }
      }
      const imagesOf = (pdf: Uint8Array) => withTempPdf(pdf, (file) =>
        execFileSync("pdfimages", ["-list", file], { encoding: "utf8" }).split("\n").slice(2).filter((l) => l.trim().split(/\s+/)[2] === "image"))
      const logo = `data:image/png;base64,${ONE_PIXEL_PNG}`
      const printed = yield* renderPdf(withLogo(logo))
      expect(imagesOf(printed)).toHaveLength(1)
      expect(pdfText(printed)).toContain("Fjord Telecom GmbH")
      expect(Buffer.from(yield* renderPdf(withLogo(logo))).equals(Buffer.from(printed))).toBe(true)
      expect(imagesOf(yield* renderPdf(withLogo("https://fjord.example/logo.png")))).toHaveLength(0)
    }))

  it.effect("a customer whose language is German (de-AT too) gets the PDF's words in German; the figures are the same", () =>
    Effect.gen(function* () {
      const document = sampleDocument()
      const text = pdfText(yield* renderPdf({ ...document, customer: { ...document.customer, language: "de-AT" } }))
      for (const expected of [
        "Rechnung INV-2026-000042", "Rechnungsdatum", "Fällig am", "Rechnung an", "USt-IdNr.: DE811907980",
        "Beschreibung", "Einzelpreis", "10 von 30 Tagen", "Stufe 2: 400 Einheiten", "Nettobetrag",
        "Kontoinhaber: Fjord Telecom GmbH", "Verwendungszweck: RF18INV2026000042", "Seite 1 von 1"
      ]) expect(text, expected).toContain(expected)
      expect(text).toMatch(/Summe netto\s+195\.83 EUR/)
      expect(text).toMatch(/Zu zahlen\s+203\.54 EUR/)
      expect(text).not.toContain("Amount due")
      // A language without labels reads in English.
      expect(pdfText(yield* renderPdf({ ...document, customer: { ...document.customer, language: "fi" } }))).toContain("Amount due")
    }))

  it.effect("the same invoice renders byte-identical PDFs, dated by its finalization", () =>
    Effect.gen(function* () {
      const first = yield* renderPdf(sampleDocument())
      const second = yield* renderPdf(sampleDocument())
      expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true)
      expect(pdfInfo(first)["CreationDate"]).toMatch(/Dec\s+1 \d\d:00:00 2026/)
      expect(renderUbl(sampleDocument())).toBe(renderUbl(sampleDocument()))
    }))

  it.effect("a 2,000-line invoice paginates with the table's header on every page and page N of M", () =>
    Effect.gen(function* () {
      const lines = Array.from({ length: 2000 }, (_, i) => ({
        kind: "usage", description: `Call to +49 30 ${String(1000000 + i)}`, subscription_id: null, product_id: null, plan_id: null,
        sku_id: null, period_start: null, period_end: null, quantity: "3", unit_price: "0.05", amount: "0.15", details: {},
        order_item_id: null, credit_note_id: null, tax_rate: "19", tax_category: "telecom"
      }))
      const invoice = sampleInvoice({ lines })
      const started = Date.now()
      const pdf = yield* renderPdf(sampleDocument(invoice))
      const elapsed = Date.now() - started
      const pages = Number(pdfInfo(pdf)["Pages"])
      expect(pages).toBeGreaterThan(30)
      const text = pdfText(pdf)
      const perPage = text.split("\f").filter((page) => page.trim() !== "")
      expect(perPage).toHaveLength(pages)
      perPage.forEach((page, i) => {
        expect(page, `page ${i + 1}`).toMatch(/Description\s+Quantity\s+Unit price\s+Tax\s+Amount \(EUR\)/)
        expect(page, `page ${i + 1}`).toContain(`Page ${i + 1} of ${pages}`)
      })
      expect(text).toContain("Call to +49 30 1000000")
      expect(text).toContain("Call to +49 30 1001999")
      expect(elapsed).toBeLessThan(20_000)
    }), 60_000)

  it.effect("decimals print from their digits, never in an exponent, however long or precise; nothing overprints", () =>
    Effect.gen(function* () {
      const prices = ["0.12345678901234567891", "999999999999.99999999999999999999", "0.00000000000000000001"]
      const lines = [
        ...prices.map((price, i) => oneOff(`Precise ${i + 1}`, "1", price, ["0.12", "1000000000000.00", "0.00"][i]!)),
        oneOff("Many", "10000000000000000", "0.01", "100000000000000.00")
      ]
      const pdf = yield* renderPdf(sampleDocument(sampleInvoice({
        lines,
        tax: [{ category: "standard", rate: "19", taxable_amount: eur("1000000000000.12"), tax_amount: eur("190000000000.02"), exemption_reason: null }],
        tax_total: "190000000000.02"
      })))
      const text = pdfText(pdf)
      prices.forEach((price, i) => expect(text).toMatch(new RegExp(`Precise ${i + 1}\\s+1\\s+${price.replace(".", "\\.")}\\s+19 %`)))
      expect(text).toMatch(/Many\s+10000000000000000\s+0\.01\s+19 %\s+100000000000000\.00/)
      expect(text).not.toMatch(/\de[-+]?\d/)
      expect(overprinted(pdf)).toEqual([])
      // The sample invoice's first line is wider than its column: it wraps, and its row grows.
      expect(overprinted(yield* renderPdf(sampleDocument()))).toEqual([])
    }))

  it.effect("wide figures stay whole on their line (1,000,000 x 999999999999.99999999999999999999): amount, tax, totals", () =>
    Effect.gen(function* () {
      const pdf = yield* renderPdf(sampleDocument(sampleInvoice({
        lines: [oneOff("Wide", "1000000", "999999999999.99999999999999999999", "1000000000000000000.00")],
        tax: [{ category: "standard", rate: "19", taxable_amount: eur("1000000000000000000.00"), tax_amount: eur("190000000000000000.00"), exemption_reason: null }],
        tax_total: "190000000000000000.00"
      })))
      const text = pdfText(pdf)
      expect(text).toMatch(/Wide\s+1000000\s+999999999999\.99999999999999999999\s+19 %\s+1000000000000000000\.00\n/)
      expect(text).toMatch(/standard\s+19 %\s+1000000000000000000\.00 EUR\s+190000000000000000\.00 EUR\n/)
      expect(text).toMatch(/Subtotal\s+1000000000000000000\.00 EUR\n/)
      expect(text).toMatch(/Tax\s+190000000000000000\.00 EUR\n/)
      expect(text).toMatch(/Total\s+1190000000000000000\.00 EUR\n/)
      expect(text).toMatch(/Amount due\s+1190000000000000000\.00 EUR\n/)
      expect(overprinted(pdf)).toEqual([])
    }))

  it.effect("a long name wraps in its party's block and the lines below it follow it, for the customer and the issuer", () =>
    Effect.gen(function* () {
      expect(LONG_NAME).toHaveLength(199)
      const document = sampleDocument()
      // Characters DejaVu lacks print as boxes, as wide as they were measured: the words after them stay in their block.
      const issuerName = `北京分公司東京支店大阪支店 Fjord Telecom Gesellschaft für Kommunikationsdienste mbH ${"VeryLongName".repeat(4)}`
      const pdf = yield* renderPdf({ ...document, issuer: { ...document.issuer, name: issuerName }, customer: { ...document.customer, name: LONG_NAME } })
      const text = pdfText(pdf)
      const customer = lineIndexes(text, ["Königsallee 1", "40212 Düsseldorf", "Tax ID: DE136695976"])
      const issuer = lineIndexes(text, ["Hafenstraße 2", "20457 Hamburg", "VAT ID: DE811907980"])
      for (const found of [customer, issuer]) {
        expect(found.every((index) => index >= 0), text).toBe(true)
        expect([...found].sort((a, b) => a - b)).toEqual(found)
      }
      // The customer's lines end the page's lines they are on: nothing of the name is printed over them.
      for (const line of ["Königsallee 1", "40212 Düsseldorf", "Tax ID: DE136695976"]) expect(text).toMatch(new RegExp(`(^|\\s{2})${line}\\n`, "m"))
      expect(text.indexOf("VeryLongNameVeryLongName")).toBeLessThan(text.indexOf("Königsallee 1"))
      expect(overprinted(pdf)).toEqual([])
      // The parties' words (between "From" and the title) stay in their column: the issuer's left of
      // the customer's (297.64 pt, 10 pt apart), the customer's left of the margin (545.28 pt).
      const words = pdfWords(pdf)
      const top = words.find((w) => w.text === "From")!.yMax
      const bottom = words.find((w) => w.text === "INV-2026-000042")!.yMin
      const parties = words.filter((w) => w.yMin >= top && w.yMax <= bottom)
      expect(parties.length).toBeGreaterThan(20)
      expect(parties.filter((w) => w.xMax > 545.28 + 0.5 || (w.xMin < 297 && w.xMax > 287.64 + 0.5)).map((w) => w.text)).toEqual([])
      expect(text).toContain("Page 1 of 1")
      expect(pdfInfo(pdf)["Pages"]).toBe("1")
    }))

  it("the UBL validates against the OASIS UBL 2.1 schema and its sums add up (EN 16931)", () => {
    const xml = renderUbl(sampleDocument())
    expectValidUbl(xml)
    const doc = expectUblArithmetic(xml)
    expect(doc["cbc:CustomizationID"]).toBe("urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0")
    expect(doc["cbc:ProfileID"]).toBe("urn:fdc:peppol.eu:2017:poacc:billing:01:1.0")
    expect(doc["cbc:ID"]).toBe("INV-2026-000042")
    expect(doc["cbc:IssueDate"]).toBe("2026-12-01")
    expect(doc["cbc:DueDate"]).toBe("2026-12-15")
    const seller = doc["cac:AccountingSupplierParty"]["cac:Party"]
    expect(seller["cbc:EndpointID"]).toEqual({ "@_schemeID": "9930", "#text": "DE811907980" })
    expect(seller["cac:PartyTaxScheme"]["cbc:CompanyID"]).toBe("DE811907980")
    expect(seller["cac:PartyLegalEntity"]["cbc:RegistrationName"]).toBe("Fjord Telecom GmbH")
    const buyer = doc["cac:AccountingCustomerParty"]["cac:Party"]
    expect(buyer["cbc:EndpointID"]).toEqual({ "@_schemeID": "9930", "#text": "DE136695976" })
    expect(buyer["cac:PartyLegalEntity"]["cbc:RegistrationName"]).toBe("Müller & Söhne KG")
    expect(doc["cac:PaymentMeans"]).toMatchObject({
      "cbc:PaymentMeansCode": "58",
      "cbc:PaymentID": "RF18INV2026000042",
      "cac:PayeeFinancialAccount": { "cbc:ID": "DE89370400440532013000", "cac:FinancialInstitutionBranch": { "cbc:ID": "COBADEFFXXX" } }
    })
    const subtotals = doc["cac:TaxTotal"]["cac:TaxSubtotal"]
    expect(subtotals.map((s: any) => [s["cac:TaxCategory"]["cbc:ID"], s["cbc:TaxableAmount"]["#text"], s["cbc:TaxAmount"]["#text"]]))
      .toEqual([["S", "145.83", "27.71"], ["AE", "50.00", "0.00"]])
    expect(subtotals[1]["cac:TaxCategory"]["cbc:TaxExemptionReason"]).toMatch(/^Reverse charge/)
    expect(doc["cac:LegalMonetaryTotal"]).toMatchObject({
      "cbc:LineExtensionAmount": { "#text": "195.83" },
      "cbc:TaxExclusiveAmount": { "#text": "195.83" },
      "cbc:TaxInclusiveAmount": { "#text": "223.54" },
      "cbc:PrepaidAmount": { "#text": "20.00" },
      "cbc:PayableAmount": { "#text": "203.54" }
    })
    // The credit line is prepaid money, not a line; the usage line's price is per its 1500 units.
    expect(doc["cac:InvoiceLine"]).toHaveLength(4)
    expect(doc["cac:InvoiceLine"][2]["cac:Price"]).toMatchObject({ "cbc:PriceAmount": { "#text": "12.50" }, "cbc:BaseQuantity": { "#text": "1500" } })
  })

  it("a party without a VAT id of a listed country is reached by email (EM); an invoice without tax has one zero-rated category", () => {
    const base = sampleDocument(sampleInvoice({
      lines: [{
        kind: "one_off", description: "Setup <fee> & \"more\"", subscription_id: null, product_id: null, plan_id: null, sku_id: null,
        period_start: null, period_end: null, quantity: "1", unit_price: "195.83", amount: "195.83", details: {},
        order_item_id: null, credit_note_id: null, tax_rate: null, tax_category: null
      }],
      tax: [],
      tax_total: "0.00"
    }))
    const document = { ...base, customer: { ...base.customer, tax_id: "123456789", address: null, country: "US" } }
    const xml = renderUbl(document)
    expectValidUbl(xml)
    const doc = expectUblArithmetic(xml)
    expect(doc["cac:AccountingCustomerParty"]["cac:Party"]["cbc:EndpointID"]).toEqual({ "@_schemeID": "EM", "#text": "billing@mueller.example" })
    expect(doc["cac:AccountingCustomerParty"]["cac:Party"]["cac:PartyLegalEntity"]["cbc:CompanyID"]).toBe("123456789")
    expect(doc["cac:TaxTotal"]["cac:TaxSubtotal"].map((s: any) => s["cac:TaxCategory"]["cbc:ID"])).toEqual(["Z"])
    expect(doc["cac:InvoiceLine"][0]["cac:Item"]["cbc:Name"]).toBe("Setup <fee> & \"more\"")
  })
})

