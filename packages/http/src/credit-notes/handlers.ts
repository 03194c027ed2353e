import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { CreditNotes } from "@provisio/core/credit-notes/service"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"
import { asCaller } from "../middleware/authentication.js"
import { listAsCaller } from "../pagination.js"

export const CreditNotesHandlers = HttpApiBuilder.group(ProvisioApi, "creditNotes", (handlers) =>
  Effect.map(CreditNotes, (notes) =>
    handlers
      .handle("listCreditNotes", ({ urlParams }) =>
        listAsCaller(urlParams, (p, page) => notes.list(p, { customer_id: urlParams.customer_id, invoice_id: urlParams.invoice_id }, page)))
      .handle("getCreditNote", ({ path }) => asCaller((p) => notes.get(p, path.creditNoteId)))
      .handle("createInvoiceCreditNote", ({ path, payload }) =>
        asCaller((p) => notes.creditInvoice(p, path.invoiceId, payload)))
  ))
