import { creditNoteFigures, isoDate, plainDecimal } from "@provisio/core/documents/figures"
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
  return renderPrinted({
    title: `Credit note ${note.id}`,
    issuer: document.issuer,
    customer: document.customer,
    at: new Date(note.created_at.epochMillis),
    currency,
    meta: [
      ["Issue date", isoDate(note.created_at)],
      ["Credits invoice", invoice === null ? null : `${invoice.number ?? invoice.id} of ${isoDate(invoice.finalized_at)}`],
      ["Reason", note.reason],
      ["Currency", currency]
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
      ["Subtotal", figures.line_extension, false],
      ["Tax", figures.tax_total, false],
      ["Total credited", figures.tax_inclusive, true]
    ],
    payment: []
  })
}
