import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import { BillingRun, BillingRunId, StartBillingRun, UpcomingInvoice } from "@provisio/core/billing/model"
import { Invoice, InvoiceId } from "@provisio/core/invoices/model"
import * as Schema from "effect/Schema"
import { Envelope, NoBody, PageEnvelope } from "../envelope.js"
import { InvalidStateError } from "../errors.js"
import { Authentication } from "../middleware/authentication.js"
import { PageQuery } from "../pagination.js"
import { PathParam } from "../path-params.js"
import { CustomerId } from "@provisio/core/customers/model"

const RunPath = Schema.Struct({ runId: PathParam(BillingRunId) })
const InvoicePath = Schema.Struct({ invoiceId: PathParam(InvoiceId) })
const CustomerPath = Schema.Struct({ customerId: PathParam(CustomerId) })

export class BillingApi extends HttpApiGroup.make("billing")
  .add(
    HttpApiEndpoint.get("listBillingRuns", "/billing/runs")
      .setUrlParams(PageQuery)
      .addSuccess(PageEnvelope(BillingRun))
      .annotate(OpenApi.Summary, "List billing runs")
      .annotate(
        OpenApi.Description,
        "The billing runs started by the caller's account or by accounts below it, newest first, a page at a " +
          "time (`limit`, `cursor`): each with its month, status and progress."
      )
  )
  .add(
    HttpApiEndpoint.post("startBillingRun", "/billing/runs")
      .setPayload(StartBillingRun)
      .addSuccess(Envelope(BillingRun), { status: 202 })
      .annotate(
        OpenApi.Description,
        "Starts a billing run (`brn_`, admins of the platform, a distributor or a partner) for the month `period`: " +
          "for every customer under the caller's account, each subscription period ending in that month (in the " +
          "subscription's time zone) is billed in arrears - recurring fees prorated by the day over its changes, " +
          "installments of committed plans, add-ons, usage rated per SKU - with the one-off purchases not yet " +
          "invoiced, into one draft per customer and currency. Answers at once (202); poll GET /billing/runs/{id}. " +
          "A run still at work for the same month is answered instead of starting another. Every period is billed " +
          "exactly once, whatever runs overlap, fail or are started again. The drafts finalize after `grace_period` " +
          "(e.g. \"2 hours\"; default PROVISIO_BILLING_GRACE_PERIOD, else 0 = at once); late usage meanwhile " +
          "re-rates them. Raises `billing_run.completed`."
      )
  )
  .add(
    HttpApiEndpoint.get("getBillingRun", "/billing/runs/:runId")
      .setPath(RunPath)
      .addSuccess(Envelope(BillingRun))
      .annotate(
        OpenApi.Description,
        "A billing run's progress: status (pending, running, completed, failed with `error`), customers_total and " +
          "customers_processed, subscriptions_billed, invoices_created."
      )
  )
  .add(
    HttpApiEndpoint.post("finalizeInvoice", "/invoices/:invoiceId/finalize")
      .setPath(InvoicePath)
      .setPayload(NoBody)
      .addSuccess(Envelope(Invoice))
      .addError(InvalidStateError)
      .annotate(
        OpenApi.Description,
        "Finalizes a draft now (admins of the issuing channel), without waiting for its grace period: its usage is " +
          "re-rated if late usage arrived, it gets its number (`INV-<year>-<6 digits>`, gapless per issuer), the " +
          "customer's credit applies and it is posted to the customer's balance. Anything but a draft is 409 " +
          "invalid_state. Raises `invoice.finalized`."
      )
  )
  .add(
    HttpApiEndpoint.get("getUpcomingInvoice", "/customers/:customerId/upcoming-invoice")
      .setPath(CustomerPath)
      .setUrlParams(PageQuery)
      .addSuccess(PageEnvelope(UpcomingInvoice))
      .annotate(
        OpenApi.Description,
        "The customer's next invoices as they would be now, one per month and currency (by month, then " +
          "currency), paged like every list: the current period of each subscription with its changes and usage " +
          "so far, one-off purchases not yet invoiced, and the credit that would apply. Writes nothing."
      )
  )
  .middleware(Authentication)
  .prefix("/api/v1")
{}
