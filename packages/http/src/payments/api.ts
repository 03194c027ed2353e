import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import { CreditNote, CustomerBalance, GrantCredit, Payment, PaymentId, RecordPayment } from "@provisio/core/payments/model"
import * as Schema from "effect/Schema"
import { UpstreamPayment } from "@provisio/core/channel/model"
import { Refund, RefundPayment } from "@provisio/core/payments/refunds-model"
import { Envelope, PageEnvelope } from "../envelope.js"
import { InvalidStateError } from "../errors.js"
import { Authentication } from "../middleware/authentication.js"
import { PageQuery } from "../pagination.js"
import { PathParam } from "../path-params.js"
import { CustomerId } from "@provisio/core/customers/model"
import { InvoiceId } from "@provisio/core/invoices/model"

const PaymentPath = Schema.Struct({ paymentId: PathParam(PaymentId) })
const CustomerPath = Schema.Struct({ customerId: PathParam(CustomerId) })

export const PaymentListQuery = Schema.Struct({
  ...PageQuery.fields,
  customer_id: Schema.optional(CustomerId),
  invoice_id: Schema.optional(InvoiceId)
})

/** The refund's body is optional: without one (or with no `amount`), the whole rest of the payment goes back. */
export const RefundBody = Schema.NullOr(RefundPayment).annotations({ identifier: "RefundBody" })

export const CreditListQuery = Schema.Struct({
  ...PageQuery.fields,
  customer_id: Schema.optional(CustomerId),
  /** The notes of one invoice (`invoice` and `refund` notes, and the balance credit its payments or void left). */
  invoice_id: Schema.optional(InvoiceId)
})

const LEDGER =
  "The customer's balance is the sum of its ledger: +subtotal when an invoice is finalized, -amount for a payment " +
  "and for a credit granted, -subtotal when an invoice is voided, +amount for a refund (and -amount for its credit note)."

export class PaymentsApi extends HttpApiGroup.make("payments")
  .add(
    HttpApiEndpoint.get("listPayments", "/payments")
      .setUrlParams(PaymentListQuery)
      .addSuccess(PageEnvelope(Payment))
      .annotate(OpenApi.Description, "The payments of the caller's scope (a customer's own), failed ones too, oldest first.")
  )
  .add(
    HttpApiEndpoint.post("recordPayment", "/payments")
      .setPayload(RecordPayment)
      .addSuccess(Envelope(Schema.Union(Payment, UpstreamPayment)), { status: 201 })
      .addError(InvalidStateError)
      .annotate(
        OpenApi.Description,
        "Records a payment (`pay_`) of a finalized invoice, charged through the payment gateway (the manual one " +
          "records money received by bank transfer or cash). The amount is positive, less than 1000000000000000 (at most " +
          "15 digits before the point), in the invoice's currency, with at most the currency's minor unit digits (else " +
          "422 naming the field). What the invoice still owes is paid " +
          "(when nothing is left, the invoice becomes `paid`, event `invoice.paid`); the rest becomes a credit note of " +
          "source `overpayment` for the next invoices. Event `payment.succeeded`. A draft, void or already paid " +
          "invoice answers 409 invalid_state; so does a payment the gateway declines (kept, with status `failed` and " +
          `the gateway's reason). Admins and managers of the channel, and the customer's own admins. ${LEDGER} ` +
          "On an upstream invoice (one billed to an account) the issuer's admins and managers record money received: at " +
          "most what it owes (more: 422), no payment method; it becomes `paid` when nothing is left. Such a payment " +
          "(`customer_id` null, `bill_to_account_id` the payer) touches no customer ledger."
      )
  )
  .add(
    HttpApiEndpoint.get("getPayment", "/payments/:paymentId")
      .setPath(PaymentPath)
      .addSuccess(Envelope(Payment))
  )
  .add(
    HttpApiEndpoint.post("refundPayment", "/payments/:paymentId/refund")
      .setPath(PaymentPath)
      .setPayload(RefundBody)
      .addSuccess(Envelope(Refund), { status: 201 })
      .addError(InvalidStateError)
      .annotate(OpenApi.Summary, "Refund a payment")
      .annotate(
        OpenApi.Description,
        "Gives money of a succeeded payment back (`ref_`): `amount` (gross, the payment's currency; the whole rest " +
          "of the payment when left out) goes back through the gateway that took it (Stripe's Refunds API for a " +
          "`stripe` payment, at once for `manual`), and a credit note of source `refund` against the payment's " +
          "invoice takes the same amount off it, so the invoice stays settled (what the payment left unspent as " +
          "credit, its overpayment, goes back first, without a note). The note takes at most what is left to credit " +
          "of the invoice (its total less its invoice and refund credit notes); the rest comes out of the customer " +
          "credit the invoice's own credit notes left unspent, so no invoice is credited past its total. More than " +
          "is left of the payment (its earlier refunds counted), or than those can take (less the refunds pending on " +
          "the invoice), is 422 naming `amount`; a failed or fully refunded payment, or a refund the gateway " +
          "refuses (kept with status `failed`), is 409 invalid_state. `status` is `pending` while the gateway has not " +
          "confirmed it: its webhook settles it. Events `payment.refunded` and `credit_note.created`. Admins of the " +
          `platform, a distributor or a partner only. ${LEDGER}`
      )
  )
  .add(
    HttpApiEndpoint.get("listCredits", "/credits")
      .setUrlParams(CreditListQuery)
      .addSuccess(PageEnvelope(CreditNote))
      .annotate(
        OpenApi.Description,
        "The credit notes of the caller's scope (a customer's own), oldest first, with what each has `remaining` " +
          "for the next finalized invoices."
      )
  )
  .add(
    HttpApiEndpoint.post("grantCredit", "/credits")
      .setPayload(GrantCredit)
      .addSuccess(Envelope(CreditNote), { status: 201 })
      .annotate(
        OpenApi.Description,
        "Grants a customer credit: a credit note (`crn_`, source `manual`) that the customer's next finalized " +
          "invoices in that currency consume as credit lines; event `credit_note.created`. The amount is positive and " +
          "less than 1000000000000000 (at most 15 digits before the point), with at most the currency's minor unit " +
          "digits (else 422 naming amount.amount). Admins of the platform, " +
          `a distributor or a partner only. ${LEDGER}`
      )
  )
  .add(
    HttpApiEndpoint.get("getCustomerBalance", "/customers/:customerId/balance")
      .setPath(CustomerPath)
      .addSuccess(Envelope(CustomerBalance))
      .annotate(
        OpenApi.Description,
        "Per currency: `balance` (the sum of the customer's ledger; positive when it owes, negative when in credit), " +
          "`amount_due` (its finalized unpaid invoices) and `credit_available` (its credit notes' remaining amounts); " +
          "balance = amount_due - credit_available. Empty for a customer never billed, paid or credited."
      )
  )
  .middleware(Authentication)
  .prefix("/api/v1")
{}
