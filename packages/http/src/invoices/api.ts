import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import { AnyInvoice, BillingMonth, Invoice, InvoiceId, InvoiceStatus, UpdateInvoice } from "@provisio/core/invoices/model"
import { BillingSummary } from "@provisio/core/invoices/views"
import * as Schema from "effect/Schema"
import { Envelope, NoBody, PageEnvelope } from "../envelope.js"
import { InvalidStateError } from "../errors.js"
import { Authentication } from "../middleware/authentication.js"
import { PageQuery } from "../pagination.js"
import { PathParam } from "../path-params.js"
import { CustomerId } from "@provisio/core/customers/model"
import { SubscriptionId } from "@provisio/core/subscriptions/model"

const InvoicePath = Schema.Struct({ invoiceId: PathParam(InvoiceId) })
const CustomerPath = Schema.Struct({ customerId: PathParam(CustomerId) })
const CustomerInvoicePath = Schema.Struct({ customerId: PathParam(CustomerId), invoiceId: PathParam(InvoiceId) })

const InvoiceFilters = {
  /** `overdue` lists finalized invoices past their `due_at` that still owe money. */
  status: Schema.optional(Schema.Union(InvoiceStatus, Schema.Literal("overdue"))),
  period: Schema.optional(BillingMonth)
}

export const InvoiceListQuery = Schema.Struct({
  ...PageQuery.fields,
  ...InvoiceFilters,
  customer_id: Schema.optional(CustomerId)
})

export const CustomerInvoiceListQuery = Schema.Struct({ ...PageQuery.fields, ...InvoiceFilters })

export const BillingSummaryQuery = Schema.Struct({
  period: BillingMonth,
  customer_id: Schema.optional(CustomerId),
  subscription_id: Schema.optional(SubscriptionId)
})

const AMOUNTS =
  "subtotal = every line but credits; total = subtotal + credit lines (negative); amount_due = total - amount_paid. " +
  "A finalized invoice never changes but for its status and what was paid on it."

export class InvoicesApi extends HttpApiGroup.make("invoices")
  .add(
    HttpApiEndpoint.get("listInvoices", "/invoices")
      .setUrlParams(InvoiceListQuery)
      .addSuccess(PageEnvelope(AnyInvoice))
      .annotate(
        OpenApi.Description,
        `The invoices (\`inv_\`) of the caller's scope (a customer's own), oldest first, by customer, status or month. ${AMOUNTS} ` +
          "Upstream invoices (`customer_id` null, `bill_to_account_id` the account billed; a customer's invoice has " +
          "`bill_to_account_id` null) are among them for the account that issued them, the account billed and the " +
          "accounts above: never for a customer, never for a partner when its distributor is billed."
      )
  )
  .add(
    HttpApiEndpoint.get("getInvoice", "/invoices/:invoiceId")
      .setPath(InvoicePath)
      .addSuccess(Envelope(AnyInvoice))
  )
  .add(
    HttpApiEndpoint.put("updateInvoice", "/invoices/:invoiceId")
      .setPath(InvoicePath)
      .setPayload(UpdateInvoice)
      .addSuccess(Envelope(Invoice))
      .addError(InvalidStateError)
      .annotate(
        OpenApi.Description,
        "Marks a finalized or paid invoice `disputed` (or settles the dispute with false): writers of the issuing " +
          "channel. A disputed invoice is left out of dunning. A draft or void invoice is 409 invalid_state. " +
          "Raises `invoice.updated` with `changes`."
      )
  )
  .add(
    HttpApiEndpoint.post("voidInvoice", "/invoices/:invoiceId/void")
      .setPath(InvoicePath)
      .setPayload(NoBody)
      .addSuccess(Envelope(AnyInvoice))
      .addError(InvalidStateError)
      .annotate(
        OpenApi.Description,
        "Voids the invoice (admins of the issuing channel). A finalized or paid invoice is taken off the " +
          "customer's balance, the credit it used is given back and what was paid on it becomes a credit note " +
          "(source `void`). Voiding a void invoice is 409 invalid_state, and so is voiding one with a credit note of " +
          "kind `invoice` or `refund` (the money would be given twice): credit what is left of it instead " +
          "(POST /invoices/{id}/credit-notes). Raises `invoice.voided`. An upstream invoice is " +
          "voided by its issuer's admins (the account billed: 403) when nothing was paid on it (else 409); its channel " +
          "costs are released, so the month's next billing run invoices them afresh."
      )
  )
  .add(
    HttpApiEndpoint.get("listCustomerInvoices", "/customers/:customerId/invoices")
      .setPath(CustomerPath)
      .setUrlParams(CustomerInvoiceListQuery)
      .addSuccess(PageEnvelope(Invoice))
      .annotate(OpenApi.Description, `The customer's invoices, oldest first. ${AMOUNTS}`)
  )
  .add(
    HttpApiEndpoint.get("getCustomerInvoice", "/customers/:customerId/invoices/:invoiceId")
      .setPath(CustomerInvoicePath)
      .addSuccess(Envelope(Invoice))
  )
  .add(
    HttpApiEndpoint.get("billingSummary", "/billing/summary")
      .setUrlParams(BillingSummaryQuery)
      .addSuccess(Envelope(BillingSummary))
      .annotate(
        OpenApi.Description,
        "What the month's invoices (all but void ones) bill, per subscription (by line kind) and per customer " +
          "and currency (subtotal, credits, total, amount paid and due, invoice count). Filter by customer_id " +
          "or subscription_id, not both (422)."
      )
  )
  .middleware(Authentication)
  .prefix("/api/v1")
{}
