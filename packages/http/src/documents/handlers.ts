import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Documents } from "@provisio/core/documents/service"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"
import { asCaller } from "../middleware/authentication.js"

export const DocumentsHandlers = HttpApiBuilder.group(ProvisioApi, "documents", (handlers) =>
  Effect.map(Documents, (documents) =>
    handlers
      .handle("getInvoicePdf", ({ path }) => asCaller((p) => documents.invoicePdf(p, path.invoiceId)))
      .handle("getInvoiceUbl", ({ path }) => asCaller((p) => documents.invoiceUbl(p, path.invoiceId)))
      .handle("getCreditNotePdf", ({ path }) => asCaller((p) => documents.creditNotePdf(p, path.creditNoteId)))
      .handle("getCreditNoteUbl", ({ path }) => asCaller((p) => documents.creditNoteUbl(p, path.creditNoteId)))
  ))
