import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import { InvoiceId } from "@provisio/core/invoices/model"
import { CreditNoteId } from "@provisio/core/payments/model"
import * as Schema from "effect/Schema"
import { InvalidStateError } from "../errors.js"
import { Authentication } from "../middleware/authentication.js"
import { PathParam } from "../path-params.js"

const InvoicePath = Schema.Struct({ invoiceId: PathParam(InvoiceId) })
const CreditNotePath = Schema.Struct({ creditNoteId: PathParam(CreditNoteId) })

/** A PDF is bytes, not the JSON envelope: the answer's media type says what it is. */
export const PdfBody = HttpApiSchema.Uint8Array({ contentType: "application/pdf" })
export const XmlBody = HttpApiSchema.Text({ contentType: "application/xml" })

const SAME = "Whoever may read the invoice may read its documents. A draft has none (409 invalid_state). " +
  "A document never changes: the same invoice renders the same bytes (docs/documents.md)."

/** An invoice's documents: the PDF for people, the UBL 2.1 e-invoice for machines. */
export class DocumentsApi extends HttpApiGroup.make("documents")
  .add(
    HttpApiEndpoint.get("getInvoicePdf", "/invoices/:invoiceId/pdf")
      .setPath(InvoicePath)
      .addSuccess(PdfBody)
      .addError(InvalidStateError)
      .annotate(
        OpenApi.Description,
        "The invoice as a PDF (`application/pdf`): the issuer's brand and legal details, the customer's, number and " +
          "dates, the lines with their tiers and proration days, the tax breakdown with its legal mentions, the " +
          `totals, and how to pay (IBAN, BIC, the RF creditor reference). ${SAME}`
      )
  )
  .add(
    HttpApiEndpoint.get("getInvoiceUbl", "/invoices/:invoiceId/ubl")
      .setPath(InvoicePath)
      .addSuccess(XmlBody)
      .addError(InvalidStateError)
      .annotate(
        OpenApi.Description,
        "The invoice as a UBL 2.1 Invoice (`application/xml`) following Peppol BIS Billing 3.0 / EN 16931: parties " +
          "with endpoint ids, the tax breakdown by category, payment means with the IBAN and the RF reference; " +
          `PayableAmount is the amount due at finalization. ${SAME}`
      )
  )
  .add(
    HttpApiEndpoint.get("getCreditNotePdf", "/credit-notes/:creditNoteId/pdf")
      .setPath(CreditNotePath)
      .addSuccess(PdfBody)
      .annotate(
        OpenApi.Description,
        "The credit note as a PDF (`application/pdf`): its parties (the seller is its invoice's issuer, else the " +
          "customer's partner), the invoice it credits, one line per rate it credits at, the tax it reverses and the " +
          "total credited. Whoever may read the credit note may read it; the same bytes every time."
      )
  )
  .add(
    HttpApiEndpoint.get("getCreditNoteUbl", "/credit-notes/:creditNoteId/ubl")
      .setPath(CreditNotePath)
      .addSuccess(XmlBody)
      .annotate(
        OpenApi.Description,
        "The credit note as a UBL 2.1 CreditNote (`application/xml`, Peppol BIS Billing 3.0, type 381) with a " +
          "BillingReference to the invoice it credits (none for balance credit); PayableAmount is its gross. Whoever " +
          "may read the credit note may read it."
      )
  )
  .middleware(Authentication)
  .prefix("/api/v1")
{}
