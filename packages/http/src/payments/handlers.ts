import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type { UpstreamPayment } from "@provisio/core/channel/model"
import { Channel } from "@provisio/core/channel/service"
import type { Payment } from "@provisio/core/payments/model"
import { Payments } from "@provisio/core/payments/service"
import { Refunds } from "@provisio/core/payments/refunds"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"
import { asCaller } from "../middleware/authentication.js"
import { listAsCaller } from "../pagination.js"

export const PaymentsHandlers = HttpApiBuilder.group(ProvisioApi, "payments", (handlers) =>
  Effect.map(Effect.all([Payments, Refunds, Channel]), ([payments, refunds, channel]) =>
    handlers
      .handle("listPayments", ({ urlParams }) =>
        listAsCaller(urlParams, (p, page) =>
          payments.list(p, { customer_id: urlParams.customer_id, invoice_id: urlParams.invoice_id }, page)))
      .handle("recordPayment", ({ payload }) =>
        asCaller((p) =>
          // An upstream invoice (issue 23) is paid on its own rows: no gateway, no customer ledger.
          Effect.flatMap(channel.isUpstreamInvoice(payload.invoice_id), (upstream) =>
            upstream
              ? Effect.map(channel.recordUpstreamPayment(p, payload), (paid): Payment | UpstreamPayment => paid)
              : payments.record(p, payload))))
      .handle("getPayment", ({ path }) => asCaller((p) => payments.get(p, path.paymentId)))
      .handle("refundPayment", ({ path, payload }) => asCaller((p) => refunds.refund(p, path.paymentId, payload)))
      .handle("listCredits", ({ urlParams }) =>
        listAsCaller(urlParams, (p, page) => payments.listCredits(p, { customer_id: urlParams.customer_id, invoice_id: urlParams.invoice_id }, page)))
      .handle("grantCredit", ({ payload }) => asCaller((p) => payments.grantCredit(p, payload)))
      .handle("getCustomerBalance", ({ path }) => asCaller((p) => payments.balance(p, path.customerId)))
  ))
