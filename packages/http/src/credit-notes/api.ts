import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import { CreateInvoiceCreditNote } from "@provisio/core/credit-notes/model"
import { InvoiceId } from "@provisio/core/invoices/model"
import { CreditNote, CreditNoteId } from "@provisio/core/payments/model"
import * as Schema from "effect/Schema"
import { Envelope, PageEnvelope } from "../envelope.js"
import { InvalidStateError } from "../errors.js"
import { Authentication } from "../middleware/authentication.js"
import { CreditListQuery } from "../payments/api.js"
import { PathParam } from "../path-params.js"

const NotePath = Schema.Struct({ creditNoteId: PathParam(CreditNoteId) })
const InvoicePath = Schema.Struct({ invoiceId: PathParam(InvoiceId) })

export class CreditNotesApi extends HttpApiGroup.make("creditNotes")
  .add(
    HttpApiEndpoint.get("listCreditNotes", "/credit-notes")
      .setUrlParams(CreditListQuery)
      .addSuccess(PageEnvelope(CreditNote))
      .annotate(
        OpenApi.Description,
        "Every credit note of the caller's scope (a customer's own), oldest first: `kind` `balance` (spendable " +
          "credit: POST /credits, over-payments, a voided invoice's payments), `invoice` (POST " +
          "/invoices/{id}/credit-notes) or `refund`, with `invoice_id`, `subtotal`, `tax`, `tax_total` and `total` " +
          "(gross, the same as `amount`). Filters: `customer_id`, `invoice_id` (the notes of one invoice)."
      )
  )
  .add(
    HttpApiEndpoint.get("getCreditNote", "/credit-notes/:creditNoteId")
      .setPath(NotePath)
      .addSuccess(Envelope(CreditNote))
  )
  .add(
    HttpApiEndpoint.post("createInvoiceCreditNote", "/invoices/:invoiceId/credit-notes")
      .setPath(InvoicePath)
      .setPayload(CreateInvoiceCreditNote)
      .addSuccess(Envelope(CreditNote), { status: 201 })
      .addError(InvalidStateError)
      .annotate(
        OpenApi.Description,
        "Credits a finalized or paid invoice (a draft or void one is 409 invalid_state) by a gross `amount`, whose " +
          "tax is the invoice's reversed in proportion, or by `lines` [{`line_id` (the line's place in the invoice's " +
          "`lines`, from \"1\"), `amount` (net) | `quantity`}], taxed at their lines' rates on the sum per rate. At " +
          "most what the invoice has left to credit (its gross less earlier invoice and refund credit notes; more is " +
          "422), and a line at most what is left of it (its net, or quantity, less what earlier notes credited of it, " +
          "a gross or refund note counting against each line in proportion to its net; more is 422 on " +
          "`lines[i].amount` or `lines[i].quantity`). The credit lowers what the invoice still owes (all of it owed: " +
          "the invoice is paid); the rest, on a settled invoice, becomes the customer's credit (`remaining`). Event `credit_note.created`. Admins of the " +
          "platform, a distributor or a partner only."
      )
  )
  .middleware(Authentication)
  .prefix("/api/v1")
{}
