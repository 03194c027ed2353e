import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import { ChannelMargins, UpstreamInvoice } from "@provisio/core/channel/model"
import { AccountId } from "@provisio/core/identity/model"
import { BillingMonth, InvoiceId } from "@provisio/core/invoices/model"
import * as Schema from "effect/Schema"
import { Envelope, PageEnvelope } from "../envelope.js"
import { Authentication } from "../middleware/authentication.js"
import { PageQuery } from "../pagination.js"
import { PathParam } from "../path-params.js"

export const MarginsParams = Schema.Struct({
  period: BillingMonth,
  partner_id: Schema.optional(AccountId),
  distributor_id: Schema.optional(AccountId)
})

const UpstreamInvoicesParams = Schema.Struct({ ...PageQuery.fields, period: Schema.optional(BillingMonth) })

const CHANNEL_ONLY = "Platform, distributor and partner accounts only (a customer: 403); an account outside the " +
  "caller's scope, above or beside it, is 404."

export class ChannelApi extends HttpApiGroup.make("channel")
  .add(
    HttpApiEndpoint.get("getMargins", "/channel/margins")
      .setUrlParams(MarginsParams)
      .addSuccess(Envelope(ChannelMargins))
      .annotate(
        OpenApi.Description,
        "A partner's or distributor's margins for the month `period` (`partner_id` or `distributor_id`, one of them), " +
          "net of tax, per plan or SKU: `revenue` (the lines of the finalized and paid invoices it issued, and the " +
          "channel costs of the accounts it sells to), `cost` (its own channel costs: what it buys the lines at), " +
          "`margin` = revenue - cost, and their `totals` (null when nothing, or several currencies). An agency " +
          `partner's revenue is its commission for the month and its cost zero (no rows). ${CHANNEL_ONLY}`
      )
  )
  .add(
    HttpApiEndpoint.get("listUpstreamInvoices", "/channel/upstream-invoices")
      .setUrlParams(UpstreamInvoicesParams)
      .addSuccess(PageEnvelope(UpstreamInvoice))
      .annotate(
        OpenApi.Description,
        "Invoices up the channel (`customer_id` null, `bill_to_account_id` the account billed), newest first: a " +
          "distributor's to its reseller partners and the platform's to its distributors, made by the billing run " +
          "of their month when the issuer's settings.channel.upstream_invoicing is on. The caller sees those it " +
          "issued, those billed to it, and those of the accounts below it. A view of GET /invoices, which answers " +
          "them in the same shape among the customers' invoices (oldest first there)."
      )
  )
  .add(
    HttpApiEndpoint.get("getUpstreamInvoice", "/channel/upstream-invoices/:invoiceId")
      .setPath(Schema.Struct({ invoiceId: PathParam(InvoiceId) }))
      .addSuccess(Envelope(UpstreamInvoice))
  )
  .middleware(Authentication)
  .prefix("/api/v1")
{}
