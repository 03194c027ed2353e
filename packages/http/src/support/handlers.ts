import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Support } from "@provisio/core/support/service"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"
import { asCaller } from "../middleware/authentication.js"
import { listAsCaller } from "../pagination.js"

export const SupportHandlers = HttpApiBuilder.group(ProvisioApi, "support", (handlers) =>
  Effect.map(Support, (support) =>
    handlers
      .handle("listTickets", ({ urlParams }) =>
        listAsCaller(urlParams, (p, page) =>
          support.listTickets(p, { status: urlParams.status, customer_id: urlParams.customer_id }, page)))
      .handle("createTicket", ({ payload }) => asCaller((p) => support.createTicket(p, payload)))
      .handle("getTicket", ({ path }) => asCaller((p) => support.getTicket(p, path.ticketId)))
      .handle("updateTicket", ({ path, payload }) => asCaller((p) => support.updateTicket(p, path.ticketId, payload)))
      .handle("listTicketComments", ({ path, urlParams }) =>
        listAsCaller(urlParams, (p, page) => support.listComments(p, path.ticketId, page)))
      .handle("createTicketComment", ({ path, payload }) =>
        asCaller((p) => support.addComment(p, path.ticketId, payload)))
  ))
