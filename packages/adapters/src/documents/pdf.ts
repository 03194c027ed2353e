import { amountText, documentFigures, isoDate, plainDecimal } from "@provisio/core/documents/figures"
import type { InvoiceDocument } from "@provisio/core/documents/model"
import type { InvoiceTax } from "@provisio/core/invoices/model"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import PDFDocument from "pdfkit"
import { documentLabels, type DocumentLabels } from "@provisio/core/documents/labels"
import { inlineLogo } from "@provisio/core/settings/model"
import { draw, fit, FIGURE_MIN_SIZE, LINE_HEIGHT, rowHeight, share, truncate, widthAt } from "./pdf-cells.js"
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

/** The table's figures, right-aligned, and their usual widths; the description takes what they leave (at least DESCRIPTION_MIN). */
const FIGURES = ["quantity", "unit_price", "tax_rate", "amount"] as const
const FIGURE_WIDTHS = [55, 70, 45, 70]
const DESCRIPTION_MIN = 120
const GAP = 3
/** The width of the totals' labels; a party's line height. */
const TOTAL_LABEL = 150
const PARTY_LINE = 12

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

/**
 * pdfkit (0.20) writes the width of glyph 0, the box printed for a character the font lacks, in
 * the font's units rather than in thousandths of an em as every other width: a box then prints
 * twice as wide as it was measured (DejaVu: 1229 of 2048 units written as 1229 of 1000), and a
 * name in a script DejaVu lacks runs out of its box into the next. Sets it as it is measured.
 */
const boxWidthAsMeasured = (doc: PDFKit.PDFDocument) => {
  const font = (doc as unknown as { _font?: { widths?: Array<number>; scale?: number; font?: { getGlyph?: (id: number) => { advanceWidth: number } } } })._font
  const glyph = font?.font?.getGlyph?.(0)
  if (font?.widths !== undefined && font.scale !== undefined && glyph !== undefined) font.widths[0] = glyph.advanceWidth * font.scale
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
    for (const font of ["bold", "regular"]) boxWidthAsMeasured(doc.font(font))
    const color = issuer.primary_color ?? DEFAULT_COLOR
    const currency = printed.currency
    const half = CONTENT / 2

    // The head: the brand (its logo on the right; a long name prints smaller), the parties, the number and dates.
    const logo = issuer.logo_url === null ? null : inlineLogo(issuer.logo_url)
    const logoPlaced = logo !== null && placeLogo(doc, Buffer.from(logo.base64, "base64"))
    const brandWidth = logoPlaced ? CONTENT - LOGO_BOX[0] - 10 : CONTENT
    doc.font("bold").fillColor(color)
    const brand = draw(doc, fit(doc, issuer.display_name, brandWidth, 20, { min: 12 }), MARGIN, MARGIN, brandWidth, "left", 20)
    const rule = MARGIN + Math.max(28, brand + 4)
    doc.rect(MARGIN, rule, CONTENT, 2).fill(color)
    doc.fillColor("black").font("bold")
    draw(doc, fit(doc, labels.from, half - 10, 9), MARGIN, rule + 14, half - 10)
    draw(doc, fit(doc, labels.billTo, half, 9), MARGIN + half, rule + 14, half)
    doc.font("regular")
    // Each party a column of blocks, each placed under the one above at its height (a long name wraps).
    const party = (lines: ReadonlyArray<string | null>, x: number, width: number) => {
      let at = rule + 28
      for (const line of lines) {
        if (line === null) continue
        const block = fit(doc, line, width, 9, { leading: PARTY_LINE / 9 })
        draw(doc, block, x, at, width)
        at += block.lines.length * PARTY_LINE
      }
      return at
    }
    const from = [issuer.name, ...addressLines(issuer.address, issuer.country), issuer.tax_id === null ? null : `${labels.vatId}: ${issuer.tax_id}`]
    const to = [customer.name, ...addressLines(customer.address, customer.country), customer.tax_id === null ? null : `${labels.taxId}: ${customer.tax_id}`]
    let y = Math.max(party(from, MARGIN, half - 10), party(to, MARGIN + half, half)) + 14
    doc.font("bold").fillColor(color)
    y += Math.max(24, draw(doc, fit(doc, printed.title, CONTENT, 16), MARGIN, y, CONTENT) + 24 - 16 * LINE_HEIGHT)
    doc.fillColor("black")
    for (const [label, value] of printed.meta) {
      if (value === null) continue
      doc.font("bold")
      const name = fit(doc, label, 105, 9)
      draw(doc, name, MARGIN, y, 105)
      doc.font("regular")
      const text = fit(doc, value, CONTENT - 110, 9)
      draw(doc, text, MARGIN + 110, y, CONTENT - 110)
      y += rowHeight([name, text], 12, 9)
    }
    y += 12

    // The lines, with the table's header on every page; the figures' columns are as wide as their
    // widest figure needs, up to what the description leaves them.
    const headings = [labels.quantity, labels.unitPrice, labels.tax, `${labels.amount} (${currency})`]
    const columns = tableColumns(doc, printed.rows, headings)
    const header = (top: number) => {
      doc.rect(MARGIN, top - 3, CONTENT, ROW + 2).fill(color)
      doc.fillColor("white").font("bold")
      draw(doc, fit(doc, labels.description, columns.description.width, 8.5), columns.description.x, top, columns.description.width)
      FIGURES.forEach((key, i) => {
        const { x, width } = columns[key]
        draw(doc, fit(doc, headings[i]!, width, 8.5, { min: FIGURE_MIN_SIZE }), x, top, width, "right", 8.5)
      })
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
      const size = r.detail ? 7.5 : 8.5
      const indent = r.detail ? 12 : 0
      const base = r.detail ? ROW - 3 : ROW
      doc.font("regular")
      const description = fit(doc, r.description, columns.description.width - indent, size)
      const figures = FIGURES.map((key) => fit(doc, r[key], columns[key].width, size, { min: FIGURE_MIN_SIZE }))
      const height = rowHeight([description, ...figures], base, size)
      if (ensure(height)) y = header(y)
      doc.font("regular").fillColor(r.detail ? "#555555" : "black")
      draw(doc, description, columns.description.x + indent, y, columns.description.width - indent)
      FIGURES.forEach((key, i) => draw(doc, figures[i]!, columns[key].x, y, columns[key].width, "right", size))
      doc.fillColor("black")
      y += height
    }
    y = header(y)
    for (const r of printed.rows) row(r)

    // The tax breakdown with its legal mentions, then the totals.
    y += 8
    ensure(ROW * (3 + 2 * printed.tax.length))
    doc.font("bold")
    draw(doc, fit(doc, labels.tax, CONTENT, 9), MARGIN, y, CONTENT); y += ROW
    const breakdown = printed.tax.map((t) => [
      t.category, `${plainDecimal(t.rate)} %`,
      `${amountText(t.taxable_amount.amount, currency)} ${currency}`, `${amountText(t.tax_amount.amount, currency)} ${currency}`
    ] as const)
    const taxColumns = breakdownColumns(doc, breakdown, [labels.category, labels.rate, labels.taxableAmount, labels.tax])
    const taxRow = (cells: ReadonlyArray<string>, base: number) => {
      const blocks = cells.map((cell, i) => fit(doc, cell, taxColumns[i]!.width, 8.5, i === 0 ? {} : { min: FIGURE_MIN_SIZE }))
      return { blocks, height: rowHeight(blocks, base, 8.5) }
    }
    const drawTaxRow = ({ blocks }: ReturnType<typeof taxRow>) =>
      blocks.forEach((block, i) => draw(doc, block, taxColumns[i]!.x, y, taxColumns[i]!.width, i === 0 ? "left" : "right", 8.5))
    doc.font("bold")
    const heading = taxRow([labels.category, labels.rate, labels.taxableAmount, labels.tax], ROW)
    drawTaxRow(heading); y += heading.height
    doc.font("regular")
    printed.tax.forEach((t, n) => {
      const cells = taxRow(breakdown[n]!, ROW)
      const reason = t.exemption_reason === null ? null : fit(doc, t.exemption_reason, CONTENT - 10, 7.5)
      const reasonHeight = reason === null ? 0 : rowHeight([reason], ROW - 2, 7.5)
      ensure(cells.height + reasonHeight)
      drawTaxRow(cells); y += cells.height
      if (reason !== null) { draw(doc, reason, MARGIN + 10, y, CONTENT - 10); y += reasonHeight }
    })
    if (printed.tax.length === 0) { draw(doc, fit(doc, labels.noTax, CONTENT, 8.5), MARGIN, y, CONTENT); y += ROW }

    // The totals: their figures as wide as the widest needs, the labels to their left.
    y += 6
    const totals = printed.totals.map(([label, value, strong]) => ({ label, value: `${value} ${currency}`, strong, size: strong ? 10 : 9 }))
    const valueWidth = Math.min(CONTENT - TOTAL_LABEL - 5, Math.max(105, ...totals.map((t) => widthAt(doc.font(t.strong ? "bold" : "regular"), t.value, t.size))))
    const labelX = MARGIN + CONTENT - valueWidth - 5 - TOTAL_LABEL
    const totalRows = totals.map((t) => {
      doc.font(t.strong ? "bold" : "regular")
      const blocks = [fit(doc, t.label, TOTAL_LABEL, t.size), fit(doc, t.value, valueWidth, t.size, { min: FIGURE_MIN_SIZE })] as const
      return { ...t, blocks, height: rowHeight(blocks, ROW + 1, t.size) }
    })
    ensure(totalRows.reduce((sum, t) => sum + t.height, 0))
    for (const t of totalRows) {
      doc.font(t.strong ? "bold" : "regular")
      draw(doc, t.blocks[0], labelX, y, TOTAL_LABEL, "right", t.size)
      draw(doc, t.blocks[1], MARGIN + CONTENT - valueWidth, y, valueWidth, "right", t.size)
      y += t.height
    }

    // How to pay.
    const payment = printed.payment
    if (payment.length > 0) {
      y += 10
      ensure(ROW * (payment.length + 1))
      doc.font("bold").fillColor(color)
      draw(doc, fit(doc, labels.payment, CONTENT, 9), MARGIN, y, CONTENT); y += ROW
      doc.font("regular").fillColor("black")
      for (const line of payment) {
        const block = fit(doc, line, CONTENT, 9)
        ensure(block.height)
        y += draw(doc, block, MARGIN, y, CONTENT) + 2
      }
    }

    // Every page's footer: who, which invoice, page N of M (a long name cut short: one line).
    const range = doc.bufferedPageRange()
    for (let i = 0; i < range.count; i++) {
      doc.switchToPage(range.start + i)
      doc.font("regular").fillColor("#555555")
      const rest = ` · ${printed.title} · ${labels.page(i + 1, range.count)}`
      let footer = fit(doc, `${issuer.name}${rest}`, CONTENT, 7.5, { min: FIGURE_MIN_SIZE })
      if (footer.lines.length > 1) {
        doc.fontSize(FIGURE_MIN_SIZE)
        footer = fit(doc, `${truncate(doc, issuer.name, CONTENT - doc.widthOfString(rest))}${rest}`, CONTENT, FIGURE_MIN_SIZE)
      }
      draw(doc, footer, MARGIN, PAGE_HEIGHT - MARGIN - 10, CONTENT, "center", 7.5)
    }
    doc.end()
  })

/** The table's columns: the description on the left, the figures right-aligned; each figure's
 * column as wide as its widest cell or heading needs (at least its usual width), the description
 * keeping at least `DESCRIPTION_MIN`. */
const tableColumns = (doc: PDFKit.PDFDocument, rows: ReadonlyArray<TableRow>, headings: ReadonlyArray<string>) => {
  const left = MARGIN + 3
  const right = MARGIN + CONTENT - 3
  const needs = FIGURES.map((key, i) => {
    let need = widthAt(doc.font("bold"), headings[i]!, 8.5)
    doc.font("regular")
    for (const r of rows) need = Math.max(need, widthAt(doc, r[key], r.detail ? 7.5 : 8.5))
    return need
  })
  const room = right - left - FIGURES.length * GAP
  const widths = share(FIGURE_WIDTHS, needs, room - DESCRIPTION_MIN - FIGURE_WIDTHS.reduce((a, b) => a + b, 0))
  let x = right
  const figures = {} as Record<(typeof FIGURES)[number], { x: number; width: number }>
  for (let i = FIGURES.length - 1; i >= 0; i--) {
    x -= widths[i]!
    figures[FIGURES[i]!] = { x, width: widths[i]! }
    x -= GAP
  }
  return { ...figures, description: { x: left, width: x - left } }
}

/** The tax breakdown's columns: category, rate, taxable amount, tax; the amounts as wide as they need. */
const breakdownColumns = (doc: PDFKit.PDFDocument, rows: ReadonlyArray<ReadonlyArray<string>>, headings: ReadonlyArray<string>) => {
  const needs = [2, 3].map((i) => Math.max(widthAt(doc.font("bold"), headings[i]!, 8.5), ...rows.map((r) => widthAt(doc.font("regular"), r[i]!, 8.5))))
  const [taxable = 100, tax = 90] = share([100, 90], needs, CONTENT - 185 - 5 - 190)
  return [
    { x: MARGIN, width: 115 },
    { x: MARGIN + 120, width: 60 },
    { x: MARGIN + 185, width: taxable },
    { x: MARGIN + 190 + taxable, width: tax }
  ]
}
