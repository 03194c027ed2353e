import { creditNoteFigures, isoDate, plainDecimal } from "@provisio/core/documents/figures"
import { documentLabels } from "@provisio/core/documents/labels"
import type { CreditNoteDocument } from "@provisio/core/documents/model"
import type * as Effect from "effect/Effect"
import { renderPrinted } from "./pdf.js"

/**
 * A credit note as a PDF: the same layout as an invoice's (pdf.ts), dated by the note's creation
 * so its bytes never change, naming the invoice it credits, one line per rate it credits at.
 */
export const renderCreditNotePdf = (document: CreditNoteDocument): Effect.Effect<Uint8Array> => {
  const { credit_note: note, invoice } = document
  const currency = note.amount.currency
  const figures = creditNoteFigures(note)
  const labels = documentLabels(document.customer.language)
  return renderPrinted({
    labels,
    title: `${labels.creditNote} ${note.id}`,
    issuer: document.issuer,
    customer: document.customer,
    at: new Date(note.created_at.epochMillis),
    currency,
    meta: [
      [labels.issueDate, isoDate(note.created_at)],
      [labels.creditedInvoice, invoice === null ? null : labels.creditsInvoice(invoice.number ?? invoice.id, isoDate(invoice.finalized_at) ?? "")],
      [labels.reason, note.reason],
      [labels.currency, currency]
    ],
    rows: figures.lines.map((line) => ({
      description: line.description,
      quantity: "1",
      unit_price: line.amount,
      tax_rate: `${plainDecimal(line.rate)} %`,
      amount: line.amount,
      detail: false
    })),
    tax: figures.tax,
    totals: [
      [labels.subtotal, figures.line_extension, false],
      [labels.tax, figures.tax_total, false],
      [labels.totalCredited, figures.tax_inclusive, true]
    ],
    payment: []
  })
}
