import { DocumentRenderer } from "@provisio/core/documents/ports"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { renderCreditNotePdf } from "./pdf-credit-note.js"
import { renderPdf } from "./pdf.js"
import { renderCreditNoteUbl } from "./ubl-credit-note.js"
import { renderUbl } from "./ubl.js"

/** The shipped renderer: PDFs with pdfkit, UBL with fast-xml-parser's builder. */
export const DocumentRendererLive = Layer.succeed(DocumentRenderer, DocumentRenderer.of({
  pdf: renderPdf,
  ubl: (document) => Effect.sync(() => renderUbl(document)),
  creditNotePdf: renderCreditNotePdf,
  creditNoteUbl: (document) => Effect.sync(() => renderCreditNoteUbl(document))
}))
