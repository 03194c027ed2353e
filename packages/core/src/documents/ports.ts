import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { CreditNoteDocument, InvoiceDocument } from "./model.js"

/**
 * Renders documents (pdfkit and an XML builder in the shipped adapters). Rendering is pure: the
 * same document gives the same bytes, which is what lets Provisio render on every request rather
 * than store files. A renderer that fails has a bug: it dies.
 */
export class DocumentRenderer extends Context.Tag("@provisio/core/DocumentRenderer")<DocumentRenderer, {
  readonly pdf: (document: InvoiceDocument) => Effect.Effect<Uint8Array>
  /** A UBL 2.1 Invoice (Peppol BIS Billing 3.0), as UTF-8 XML text. */
  readonly ubl: (document: InvoiceDocument) => Effect.Effect<string>
  readonly creditNotePdf: (document: CreditNoteDocument) => Effect.Effect<Uint8Array>
  /** A UBL 2.1 CreditNote with a BillingReference to its invoice. */
  readonly creditNoteUbl: (document: CreditNoteDocument) => Effect.Effect<string>
}>() {}
