import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Invoices } from "@provisio/core/invoices/service"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"
import { asCaller } from "../middleware/authentication.js"
import { listAsCaller } from "../pagination.js"

export const InvoicesHandlers = HttpApiBuilder.group(ProvisioApi, "invoices", (handlers) =>
  Effect.map(Invoices, (invoices) =>
    handlers
      .handle("listInvoices", ({ urlParams }) =>
        listAsCaller(urlParams, (p, page) =>
          invoices.listInvoices(
            p,
            { customer_id: urlParams.customer_id, status: urlParams.status, period: urlParams.period },
            page
          )))
      .handle("getInvoice", ({ path }) => asCaller((p) => invoices.readInvoice(p, path.invoiceId)))
      .handle("updateInvoice", ({ path, payload }) => asCaller((p) => invoices.updateInvoice(p, path.invoiceId, payload)))
      .handle("voidInvoice", ({ path }) => asCaller((p) => invoices.voidInvoice(p, path.invoiceId)))
      .handle("listCustomerInvoices", ({ path, urlParams }) =>
        listAsCaller(urlParams, (p, page) =>
          invoices.listCustomerInvoices(p, path.customerId, { status: urlParams.status, period: urlParams.period }, page)))
      .handle("getCustomerInvoice", ({ path }) =>
        asCaller((p) => invoices.getCustomerInvoice(p, path.customerId, path.invoiceId)))
      .handle("billingSummary", ({ urlParams }) =>
        asCaller((p) =>
          invoices.summary(p, {
            period: urlParams.period,
            customer_id: urlParams.customer_id,
            subscription_id: urlParams.subscription_id
          })))
  ))
