import { amountText, documentFigures, isoDate, plainDecimal } from "@provisio/core/documents/figures"
import type { InvoiceDocument } from "@provisio/core/documents/model"
import type { InvoiceTax } from "@provisio/core/invoices/model"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import PDFDocument from "pdfkit"
import { documentLabels, type DocumentLabels } from "@provisio/core/documents/labels"
import { inlineLogo } from "@provisio/core/settings/model"
import { addressLines, lineRows, paymentLines, type TableRow } from "./pdf-text.js"

/**
 * An invoice as a PDF with pdfkit, in DejaVu Sans (the `dejavu-fonts-ttf` package, embedded and
 * subset: any script the font covers prints). Deterministic: the document's dates are the
 * invoice's finalization, and pdfkit derives the file id and the font subset tags from them, so
 * the same invoice renders the same bytes. The brand's logo prints when it is kept inline (a
 * `data:image/png|jpeg` URL); a web address is not fetched: the PDF would depend on the network
 * and change with the file. Then the brand's name stands alone.
 */

const require = createRequire(import.meta.url)
let fonts: { regular: Buffer; bold: Buffer } | undefined
const loadFonts = () =>
  fonts ??= {
    regular: fs.readFileSync(require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf")),
    bold: fs.readFileSync(require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf"))
  }

const MARGIN = 50
const PAGE_WIDTH = 595.28
const PAGE_HEIGHT = 841.89
const CONTENT = PAGE_WIDTH - 2 * MARGIN
const ROW = 14
const BOTTOM = PAGE_HEIGHT - MARGIN - 30
const DEFAULT_COLOR = "#1f2937"

/** The table's columns: x offset and width. */
const COLUMNS = {
  description: { x: MARGIN, width: 235, align: "left" as const },
  quantity: { x: MARGIN + 240, width: 55, align: "right" as const },
  unit_price: { x: MARGIN + 300, width: 70, align: "right" as const },
  tax_rate: { x: MARGIN + 375, width: 45, align: "right" as const },
  amount: { x: MARGIN + 425, width: 70, align: "right" as const }
}

/** The box a logo is fitted into, top right: it never pushes the head down. */
const LOGO_BOX: [number, number] = [140, 26]

/** Draws the logo fitted into its box; an image pdfkit cannot read is left out (the name stands alone). */
const placeLogo = (doc: PDFKit.PDFDocument, image: Buffer): boolean => {
  try {
    doc.image(image, MARGIN + CONTENT - LOGO_BOX[0], MARGIN, { fit: LOGO_BOX, align: "right" })
    return true
  } catch {
    return false
  }
}

/** What a printed document shows, placed by `renderPrinted`: an invoice or a credit note. */
export interface Printed {
  /** `Invoice INV-2026-000042`, `Credit note crn_...`. */
  readonly title: string
  readonly issuer: InvoiceDocument["issuer"]
  readonly customer: InvoiceDocument["customer"]
  /** Its date: the PDF's creation date, so the bytes never change. */
  readonly at: Date
  readonly currency: string
  readonly meta: ReadonlyArray<readonly [string, string | null]>
  readonly rows: ReadonlyArray<TableRow>
  readonly tax: ReadonlyArray<InvoiceTax>
  readonly totals: ReadonlyArray<readonly [string, string, boolean]>
  readonly payment: ReadonlyArray<string>
  /** The customer's language's words. */
  readonly labels: DocumentLabels
}

export const renderPdf = (document: InvoiceDocument): Effect.Effect<Uint8Array> => {
  const { invoice } = document
  const figures = documentFigures(invoice)
  const labels = documentLabels(document.customer.language)
  return renderPrinted({
    labels,
    title: `${labels.invoice} ${invoice.number ?? invoice.id}`,
    issuer: document.issuer,
    customer: document.customer,
    at: new Date((invoice.finalized_at ?? invoice.created_at).epochMillis),
    currency: invoice.currency,
    meta: [
      [labels.issueDate, isoDate(invoice.finalized_at)],
      [labels.dueDate, invoice.due_date],
      [labels.period, invoice.period],
      [labels.currency, invoice.currency],
      [labels.paymentReference, invoice.payment_reference]
    ],
    rows: figures.lines.flatMap((line) => lineRows(line, invoice.currency, labels)),
    tax: figures.tax,
    totals: [
      [labels.subtotal, figures.tax_exclusive, false],
      [labels.tax, figures.tax_total, false],
      [labels.total, figures.tax_inclusive, true],
      [labels.paidCredit, figures.prepaid, false],
      [labels.amountDue, figures.payable, true]
    ],
    payment: paymentLines(document, labels)
  })
}

/** Lays out and renders a printed document: head, the table (paginated), tax, totals, payment, footers. */
export const renderPrinted = (printed: Printed): Effect.Effect<Uint8Array> =>
  Effect.async<Uint8Array>((resume) => {
    const { customer, issuer, labels } = printed
    const at = printed.at
    const doc = new PDFDocument({
      size: "A4",
      margin: MARGIN,
      bufferPages: true,
      autoFirstPage: true,
      info: {
        Title: printed.title,
        Author: issuer.name,
        Subject: `${printed.title} to ${customer.name}`,
        Producer: "Provisio",
        Creator: "Provisio",
        CreationDate: at,
        ModDate: at
      }
    })
    const chunks: Array<Buffer> = []
    doc.on("data", (chunk: Buffer) => chunks.push(chunk))
    doc.on("end", () => {
      const all = Buffer.concat(chunks)
      resume(Effect.succeed(new Uint8Array(all.buffer, all.byteOffset, all.byteLength)))
    })
    doc.on("error", (error: unknown) => resume(Effect.die(error)))
    const { regular, bold } = loadFonts()
    doc.registerFont("regular", regular)
    doc.registerFont("bold", bold)
    const color = issuer.primary_color ?? DEFAULT_COLOR
    const currency = printed.currency

    const text = (value: string, x: number, y: number, options: PDFKit.Mixins.TextOptions = {}) =>
      doc.text(value, x, y, { lineBreak: false, ellipsis: true, ...options })

    // The head: the brand (its logo on the right), the parties, the number and dates.
    const logo = issuer.logo_url === null ? null : inlineLogo(issuer.logo_url)
    const logoPlaced = logo !== null && placeLogo(doc, Buffer.from(logo.base64, "base64"))
    doc.font("bold").fontSize(20).fillColor(color)
    text(issuer.display_name, MARGIN, MARGIN, { width: logoPlaced ? CONTENT - LOGO_BOX[0] - 10 : CONTENT })
    doc.rect(MARGIN, MARGIN + 28, CONTENT, 2).fill(color)
    doc.fillColor("black").font("bold").fontSize(9)
    text(labels.from, MARGIN, MARGIN + 42)
    text(labels.billTo, MARGIN + CONTENT / 2, MARGIN + 42)
    doc.font("regular")
    const from = [issuer.name, ...addressLines(issuer.address, issuer.country), issuer.tax_id === null ? null : `${labels.vatId}: ${issuer.tax_id}`]
    const to = [customer.name, ...addressLines(customer.address, customer.country), customer.tax_id === null ? null : `${labels.taxId}: ${customer.tax_id}`]
    let y = MARGIN + 56
    from.filter((l): l is string => l !== null).forEach((line, i) => text(line, MARGIN, y + i * 12, { width: CONTENT / 2 - 10 }))
    to.filter((l): l is string => l !== null).forEach((line, i) => text(line, MARGIN + CONTENT / 2, y + i * 12, { width: CONTENT / 2 }))
    y += Math.max(from.length, to.length) * 12 + 14
    doc.font("bold").fontSize(16).fillColor(color)
    text(printed.title, MARGIN, y, { width: CONTENT })
    doc.fillColor("black").font("regular").fontSize(9)
    y += 24
    for (const [label, value] of printed.meta) {
      if (value === null) continue
      doc.font("bold"); text(label, MARGIN, y, { width: 110 })
      doc.font("regular"); text(value, MARGIN + 110, y, { width: CONTENT - 110 })
      y += 12
    }
    y += 12

    // The lines, with the table's header on every page.
    const header = (top: number) => {
      doc.rect(MARGIN, top - 3, CONTENT, ROW + 2).fill(color)
      doc.fillColor("white").font("bold").fontSize(8.5)
      text(labels.description, COLUMNS.description.x + 3, top, { width: COLUMNS.description.width })
      text(labels.quantity, COLUMNS.quantity.x, top, { width: COLUMNS.quantity.width, align: "right" })
      text(labels.unitPrice, COLUMNS.unit_price.x, top, { width: COLUMNS.unit_price.width, align: "right" })
      text(labels.tax, COLUMNS.tax_rate.x, top, { width: COLUMNS.tax_rate.width, align: "right" })
      text(`${labels.amount} (${currency})`, COLUMNS.amount.x - 3, top, { width: COLUMNS.amount.width, align: "right" })
      doc.fillColor("black").font("regular")
      return top + ROW + 4
    }
    const ensure = (needed: number) => {
      if (y + needed <= BOTTOM) return false
      doc.addPage()
      y = MARGIN
      return true
    }
    const row = (r: TableRow) => {
      if (ensure(ROW)) y = header(y)
      doc.font("regular").fontSize(r.detail ? 7.5 : 8.5).fillColor(r.detail ? "#555555" : "black")
      const indent = r.detail ? 12 : 0
      text(r.description, COLUMNS.description.x + 3 + indent, y, { width: COLUMNS.description.width - indent })
      for (const key of ["quantity", "unit_price", "tax_rate", "amount"] as const) {
        text(r[key], COLUMNS[key].x - (key === "amount" ? 3 : 0), y, { width: COLUMNS[key].width, align: "right" })
      }
      doc.fillColor("black")
      y += r.detail ? ROW - 3 : ROW
    }
    y = header(y)
    for (const r of printed.rows) row(r)

    // The tax breakdown with its legal mentions, then the totals.
    y += 8
    ensure(ROW * (3 + 2 * printed.tax.length))
    doc.font("bold").fontSize(9)
    text(labels.tax, MARGIN, y); y += ROW
    doc.fontSize(8.5)
    text(labels.category, MARGIN, y, { width: 120 })
    text(labels.rate, MARGIN + 120, y, { width: 60, align: "right" })
    text(labels.taxableAmount, MARGIN + 185, y, { width: 100, align: "right" })
    text(labels.tax, MARGIN + 290, y, { width: 90, align: "right" })
    y += ROW
    doc.font("regular")
    for (const t of printed.tax) {
      ensure(ROW * 2)
      text(t.category, MARGIN, y, { width: 120 })
      text(`${plainDecimal(t.rate)} %`, MARGIN + 120, y, { width: 60, align: "right" })
      text(`${amountText(t.taxable_amount.amount, currency)} ${currency}`, MARGIN + 185, y, { width: 100, align: "right" })
      text(`${amountText(t.tax_amount.amount, currency)} ${currency}`, MARGIN + 290, y, { width: 90, align: "right" })
      y += ROW
      if (t.exemption_reason !== null) {
        doc.fontSize(7.5); text(t.exemption_reason, MARGIN + 10, y, { width: CONTENT - 10 }); doc.fontSize(8.5)
        y += ROW - 2
      }
    }
    if (printed.tax.length === 0) { text(labels.noTax, MARGIN, y); y += ROW }

    y += 6
    const totals = printed.totals
    ensure(ROW * totals.length)
    for (const [label, value, strong] of totals) {
      doc.font(strong ? "bold" : "regular").fontSize(strong ? 10 : 9)
      text(label, MARGIN + CONTENT - 260, y, { width: 150, align: "right" })
      text(`${value} ${currency}`, MARGIN + CONTENT - 105, y, { width: 105, align: "right" })
      y += ROW + 1
    }

    // How to pay.
    const payment = printed.payment
    if (payment.length > 0) {
      y += 10
      ensure(ROW * (payment.length + 1))
      doc.font("bold").fontSize(9).fillColor(color); text(labels.payment, MARGIN, y); y += ROW
      doc.font("regular").fillColor("black")
      for (const line of payment) {
        const height = doc.heightOfString(line, { width: CONTENT })
        ensure(height)
        doc.text(line, MARGIN, y, { width: CONTENT })
        y += height + 2
      }
    }

    // Every page's footer: who, which invoice, page N of M.
    const range = doc.bufferedPageRange()
    for (let i = 0; i < range.count; i++) {
      doc.switchToPage(range.start + i)
      doc.font("regular").fontSize(7.5).fillColor("#555555")
      const footer = `${issuer.name} · ${printed.title} · ${labels.page(i + 1, range.count)}`
      doc.text(footer, MARGIN, PAGE_HEIGHT - MARGIN - 10, { width: CONTENT, align: "center", lineBreak: false })
    }
    doc.end()
  })
