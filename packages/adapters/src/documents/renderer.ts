import { DocumentRenderer } from "@provisio/core/documents/ports"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { renderPdf } from "./pdf.js"
import { renderUbl } from "./ubl.js"

/** The shipped renderer: PDFs with pdfkit, UBL with fast-xml-parser's builder. */
export const DocumentRendererLive = Layer.succeed(DocumentRenderer, DocumentRenderer.of({
  pdf: renderPdf,
  ubl: (document) => Effect.sync(() => renderUbl(document))
}))
