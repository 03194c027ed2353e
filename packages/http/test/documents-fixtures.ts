import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type { InvoiceDocument } from "@provisio/core/documents/model"
import { Invoice } from "@provisio/core/invoices/model"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { XMLParser } from "fast-xml-parser"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { expect } from "vitest"
import { ADMIN_KEY } from "./harness"
import { nonConformance } from "./conformance"

/**
 * Reading documents back: PDFs through poppler's `pdftotext`/`pdfinfo`, UBL through `xmllint`
 * against the OASIS UBL 2.1 schemas copied into fixtures/ubl-2.1 (Debian: poppler-utils,
 * libxml2-utils; .ci/run installs both).
 */

const XSD = path.join(import.meta.dirname, "fixtures", "ubl-2.1", "xsd", "maindoc")

const withTempFile = <A>(name: string, content: Uint8Array | string, use: (file: string) => A): A => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provisio-doc-"))
  try {
    const file = path.join(dir, name)
    fs.writeFileSync(file, content)
    return use(file)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** The PDF's text, laid out as on the page (pdftotext fails on a PDF that does not open). */
export const pdfText = (pdf: Uint8Array): string =>
  withTempFile("doc.pdf", pdf, (file) => execFileSync("pdftotext", ["-layout", "-enc", "UTF-8", file, "-"], { encoding: "utf8" }))

/** A word as pdftotext -bbox reads it: its page (from 1) and its box, in points from the top left. */
export interface PdfWord {
  readonly page: number
  readonly text: string
  readonly xMin: number
  readonly yMin: number
  readonly xMax: number
  readonly yMax: number
}

/** Every word of the PDF with its box. */
export const pdfWords = (pdf: Uint8Array): ReadonlyArray<PdfWord> =>
  withTempFile("doc.pdf", pdf, (file) => {
    const html = execFileSync("pdftotext", ["-bbox", "-enc", "UTF-8", file, "-"], { encoding: "utf8" })
    const words: Array<PdfWord> = []
    let page = 0
    for (const m of html.matchAll(/<page |<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)) {
      if (m[0] === "<page ") page++
      else words.push({ page, text: m[5]!, xMin: Number(m[1]), yMin: Number(m[2]), xMax: Number(m[3]), yMax: Number(m[4]) })
    }
    return words
  })

/** The words printed over one another (their boxes overlap by more than a hair), as `a / b`: none on a readable page. */
export const overprinted = (pdf: Uint8Array): ReadonlyArray<string> => {
  const words = pdfWords(pdf)
  const overlap = (a0: number, a1: number, b0: number, b1: number) => Math.min(a1, b1) - Math.max(a0, b0) > 0.5
  return words.flatMap((a, i) => words.slice(i + 1)
    .filter((b) => a.page === b.page && overlap(a.xMin, a.xMax, b.xMin, b.xMax) && overlap(a.yMin, a.yMax, b.yMin, b.yMax))
    .map((b) => `${a.text} (${a.xMin.toFixed(0)},${a.yMin.toFixed(0)}) / ${b.text} (${b.xMin.toFixed(0)},${b.yMin.toFixed(0)})`))
}

/** A customer's name of 199 characters: Latin, emoji, Arabic, Hebrew, CJK, and a run with nowhere to break. */
export const LONG_NAME = ("VeryLongName 😀 مرحبا بالعالم 🎉 שלום עולם 漢字テスト株式会社 ".repeat(3) + "VeryLongName".repeat(12)).slice(0, 199)

/** The lines of the PDF's `-layout` text holding each of `texts`, by index: -1 for one not found. */
export const lineIndexes = (text: string, texts: ReadonlyArray<string>): ReadonlyArray<number> => {
  const lines = text.split("\n")
  return texts.map((t) => lines.findIndex((line) => line.includes(t)))
}

/** pdfinfo's fields (Pages, CreationDate, ...). */
export const pdfInfo = (pdf: Uint8Array): Record<string, string> =>
  withTempFile("doc.pdf", pdf, (file) =>
    Object.fromEntries(execFileSync("pdfinfo", [file], { encoding: "utf8" }).split("\n")
      .map((line) => line.split(/:\s+/, 2) as [string, string]).filter(([k, v]) => k && v !== undefined)))

/** Validates a UBL document against the OASIS XSD; fails the test with xmllint's words otherwise. */
export const expectValidUbl = (xml: string, root: "Invoice" | "CreditNote" = "Invoice") =>
  withTempFile("doc.xml", xml, (file) => {
    try {
      execFileSync("xmllint", ["--noout", "--nonet", "--schema", path.join(XSD, `UBL-${root}-2.1.xsd`), file], { encoding: "utf8", stdio: "pipe" })
    } catch (error) {
      expect.fail(`the UBL does not validate: ${String((error as { stderr?: string }).stderr ?? error)}\n${xml.slice(0, 3000)}`)
    }
  })

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@_", parseTagValue: false, isArray: (name) => ["cac:InvoiceLine", "cac:TaxSubtotal", "cac:CreditNoteLine"].includes(name) })
const textOf = (node: any): string => typeof node === "object" ? node["#text"] : node
const cents = (node: any) => Math.round(Number(textOf(node)) * 100)

/** The UBL as a tree, with the EN 16931 sums it must satisfy checked (in cents). */
export const expectUblArithmetic = (xml: string, root: "Invoice" | "CreditNote" = "Invoice") => {
  const doc = parser.parse(xml)[root]
  const lines = doc[root === "Invoice" ? "cac:InvoiceLine" : "cac:CreditNoteLine"] ?? []
  const totals = doc["cac:LegalMonetaryTotal"]
  const tax = doc["cac:TaxTotal"]
  // BR-CO-10: the sum of the lines' net amounts is the line extension amount.
  expect(lines.reduce((sum: number, line: any) => sum + cents(line["cbc:LineExtensionAmount"]), 0)).toBe(cents(totals["cbc:LineExtensionAmount"]))
  // BR-CO-15: tax exclusive + tax = tax inclusive.
  expect(cents(totals["cbc:TaxExclusiveAmount"]) + cents(tax["cbc:TaxAmount"])).toBe(cents(totals["cbc:TaxInclusiveAmount"]))
  // BR-CO-16: payable = inclusive - prepaid.
  expect(cents(totals["cbc:TaxInclusiveAmount"]) - cents(totals["cbc:PrepaidAmount"] ?? "0")).toBe(cents(totals["cbc:PayableAmount"]))
  // BR-CO-14, BR-S-09: the tax total is the sum per category, each the rounded taxable amount x rate.
  const subtotals = tax["cac:TaxSubtotal"]
  expect(subtotals.reduce((sum: number, s: any) => sum + cents(s["cbc:TaxAmount"]), 0)).toBe(cents(tax["cbc:TaxAmount"]))
  for (const s of subtotals) {
    const rate = Number(s["cac:TaxCategory"]["cbc:Percent"])
    expect(cents(s["cbc:TaxAmount"])).toBe(Math.round(cents(s["cbc:TaxableAmount"]) * rate / 100))
  }
  // BR-CO-18/BR-S-08: each category's taxable amount is the sum of its lines.
  for (const s of subtotals) {
    const id = s["cac:TaxCategory"]["cbc:ID"]
    const percent = Number(s["cac:TaxCategory"]["cbc:Percent"])
    const ofLines = lines.filter((l: any) => l["cac:Item"]["cac:ClassifiedTaxCategory"]["cbc:ID"] === id &&
      Number(l["cac:Item"]["cac:ClassifiedTaxCategory"]["cbc:Percent"]) === percent)
    expect(ofLines.reduce((sum: number, l: any) => sum + cents(l["cbc:LineExtensionAmount"]), 0)).toBe(cents(s["cbc:TaxableAmount"]))
  }
  // Each line: quantity x price / base quantity = its net amount.
  for (const line of lines) {
    const quantity = Number(textOf(line["cbc:InvoicedQuantity"] ?? line["cbc:CreditedQuantity"]))
    const price = Number(textOf(line["cac:Price"]["cbc:PriceAmount"]))
    const base = Number(textOf(line["cac:Price"]["cbc:BaseQuantity"] ?? "1"))
    expect(Math.round(quantity * price / base * 100)).toBe(cents(line["cbc:LineExtensionAmount"]))
  }
  return doc
}

/** A GET whose answer is bytes (a document), held to the served OpenAPI document like `call`'s. */
export const fetchDocument = (urlPath: string, key: string = ADMIN_KEY) =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(HttpClientRequest.get(urlPath).pipe(HttpClientRequest.bearerToken(key)))
    const bytes = new Uint8Array(yield* response.arrayBuffer)
    const contentType = response.headers["content-type"]
    const text = new TextDecoder().decode(bytes)
    const body = (contentType ?? "").includes("json") ? JSON.parse(text) : undefined
    const differs = nonConformance({ method: "GET", path: urlPath, status: response.status, contentType, body })
    if (differs !== undefined) expect.fail(differs)
    return { status: response.status, contentType, bytes, text, body }
  }).pipe(Effect.scoped, Effect.orDie)

// ---- a document without a database: every field the layout prints ----------------------------------

const line = (fields: Record<string, unknown>) => ({
  subscription_id: null, product_id: null, plan_id: null, sku_id: null, period_start: null, period_end: null,
  quantity: null, unit_price: null, details: {}, order_item_id: null, credit_note_id: null, tax_rate: "19", tax_category: "standard",
  ...fields
})

const money = (amount: string) => ({ amount, currency: "EUR" })

/**
 * A German partner's invoice to a German business: a recurring fee, a prorated seat, graduated
 * usage in three tiers, and a reverse-charge line, with 20.00 of credit applied.
 * Lines: 100.00 + 33.33 + 12.50 at 19 % (taxable 145.83, tax 27.71) and 50.00 reverse charge.
 */
export const sampleInvoice = (overrides: {
  readonly lines?: ReadonlyArray<unknown>
  /** The breakdown and its total, e.g. none (`[]`, `"0.00"`) as an invoice had before tax. */
  readonly tax?: ReadonlyArray<unknown>
  readonly tax_total?: string
} = {}) => {
  const lines = overrides.lines ?? [
    line({ kind: "recurring", description: "Cloud PBX Business – Größe M", quantity: "10", unit_price: "10", amount: "100.00", plan_id: "pln_1",
      period_start: "2026-11-01T00:00:00Z", period_end: "2026-12-01T00:00:00Z" }),
    line({ kind: "proration", description: "Cloud PBX Business, one more seat", quantity: "1", unit_price: "100", amount: "33.33",
      details: { days: 10, period_days: 30 } }),
    line({ kind: "usage", description: "Voice minutes", quantity: "1500", unit_price: null, amount: "12.50", sku_id: "sku_1",
      details: { model: "graduated", tiers: [
        { tier: 0, units: "1000", quantity: "1000", unit_price: "0", flat_fee: "0", amount: "0" },
        { tier: 1, units: "400", quantity: "400", unit_price: "0.025", flat_fee: "0", amount: "10" },
        { tier: 2, units: "100", quantity: "100", unit_price: "0.025", flat_fee: "0", amount: "2.5" }
      ] } }),
    line({ kind: "one_off", description: "Consulting (reverse charge)", quantity: "2", unit_price: "25", amount: "50.00",
      tax_rate: "0", tax_category: "zero" }),
    line({ kind: "credit", description: "Credit applied", amount: "-20.00", tax_rate: null, tax_category: null, credit_note_id: "crn_1" })
  ]
  return Schema.decodeUnknownSync(Invoice)({
    id: "inv_01m8docsample00000000000000", number: "INV-2026-000042", customer_id: "cus_1", issuer_account_id: "acc_1", bill_to_account_id: null,
    status: "finalized", currency: "EUR", period: "2026-11", billing_run_id: null, lines,
    subtotal: money("195.83"),
    tax: overrides.tax ?? [
      { category: "standard", rate: "19", taxable_amount: money("145.83"), tax_amount: money("27.71"), exemption_reason: null },
      { category: "zero", rate: "0", taxable_amount: money("50.00"), tax_amount: money("0.00"),
        exemption_reason: "Reverse charge: the recipient is liable for VAT (Art. 196 Directive 2006/112/EC)" }
    ],
    tax_total: money(overrides.tax_total ?? "27.71"), total: money("203.54"), amount_paid: money("20.00"), amount_due: money("203.54"),
    finalizes_at: null, finalized_at: "2026-12-01T06:00:00Z", paid_at: null, voided_at: null,
    due_at: "2026-12-15T06:00:00Z", due_date: "2026-12-15", payment_reference: "RF18INV2026000042",
    collection_method: "send_invoice", disputed: false, payment_attempts: [],
    created_at: "2026-12-01T00:00:00Z", updated_at: "2026-12-01T06:00:00Z"
  })
}

export const sampleDocument = (invoice: Invoice = sampleInvoice()): InvoiceDocument => ({
  invoice,
  issuer: {
    name: "Fjord Telecom GmbH",
    display_name: "Fjord Telecom",
    address: { line1: "Hafenstraße 2", line2: null, city: "Hamburg", state: null, postal_code: "20457", country: "DE" },
    country: "DE",
    tax_id: "DE811907980",
    email: "support@fjord.example",
    primary_color: "#0a7cff",
    logo_url: null,
    iban: "DE89370400440532013000",
    bic: "COBADEFFXXX",
    payment_instructions: "Please pay by bank transfer within 14 days, quoting the reference."
  },
  customer: {
    id: "cus_1",
    name: "Müller & Söhne KG",
    address: { line1: "Königsallee 1", line2: null, city: "Düsseldorf", state: null, postal_code: "40212", country: "DE" },
    country: "DE",
    tax_id: "DE136695976",
    tax_exempt: "none",
    email: "billing@mueller.example",
    language: "en"
  }
})
