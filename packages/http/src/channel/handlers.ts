import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Channel } from "@provisio/core/channel/service"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"
import { asCaller } from "../middleware/authentication.js"
import { listAsCaller } from "../pagination.js"

export const ChannelHandlers = HttpApiBuilder.group(ProvisioApi, "channel", (handlers) =>
  Effect.map(Channel, (channel) =>
    handlers
      .handle("getMargins", ({ urlParams }) => asCaller((p) => channel.getMargins(p, urlParams)))
      .handle("listUpstreamInvoices", ({ urlParams }) =>
        listAsCaller(urlParams, (p, page) => channel.listUpstreamInvoices(p, { period: urlParams.period }, page)))
      .handle("getUpstreamInvoice", ({ path }) => asCaller((p) => channel.getUpstreamInvoice(p, path.invoiceId)))
  ))
