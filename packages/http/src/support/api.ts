import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import {
  CreateTicket,
  CreateTicketComment,
  Ticket,
  TicketComment,
  TicketId,
  TicketStatus,
  UpdateTicket
} from "@provisio/core/support/model"
import * as Schema from "effect/Schema"
import { Envelope, PageEnvelope } from "../envelope.js"
import { InvalidStateError } from "../errors.js"
import { Authentication } from "../middleware/authentication.js"
import { PageQuery } from "../pagination.js"
import { PathParam } from "../path-params.js"
import { CustomerId } from "@provisio/core/customers/model"

const TicketPath = Schema.Struct({ ticketId: PathParam(TicketId) })

export const TicketListQuery = Schema.Struct({
  ...PageQuery.fields,
  status: Schema.optional(TicketStatus),
  customer_id: Schema.optional(CustomerId)
})

const EVENTS =
  "Each change is a domain event (`ticket.created`, `ticket.updated` with `changes`, `ticket.commented`) " +
  "of the customer, written with it; viewers read only."

export class SupportApi extends HttpApiGroup.make("support")
  .add(
    HttpApiEndpoint.get("listTickets", "/tickets")
      .setUrlParams(TicketListQuery)
      .addSuccess(PageEnvelope(Ticket))
      .annotate(OpenApi.Description, "The tickets of the caller's scope (a customer's own), oldest first.")
  )
  .add(
    HttpApiEndpoint.post("createTicket", "/tickets")
      .setPayload(CreateTicket)
      .addSuccess(Envelope(Ticket), { status: 201 })
      .annotate(
        OpenApi.Description,
        `Opens a ticket (\`tkt_\`) for a customer of the caller's scope (a customer names itself). ${EVENTS}`
      )
  )
  .add(
    HttpApiEndpoint.get("getTicket", "/tickets/:ticketId")
      .setPath(TicketPath)
      .addSuccess(Envelope(Ticket))
  )
  .add(
    HttpApiEndpoint.put("updateTicket", "/tickets/:ticketId")
      .setPath(TicketPath)
      .setPayload(UpdateTicket)
      .addSuccess(Envelope(Ticket))
      .addError(InvalidStateError)
      .annotate(
        OpenApi.Description,
        `Changes the fields given. Any status may follow any other, but a closed ticket only reopens (409 invalid_state). ${EVENTS}`
      )
  )
  .add(
    HttpApiEndpoint.get("listTicketComments", "/tickets/:ticketId/comments")
      .setPath(TicketPath)
      .setUrlParams(PageQuery)
      .addSuccess(PageEnvelope(TicketComment))
      .annotate(OpenApi.Description, "The ticket's comments, oldest first; customers do not see internal ones.")
  )
  .add(
    HttpApiEndpoint.post("createTicketComment", "/tickets/:ticketId/comments")
      .setPath(TicketPath)
      .setPayload(CreateTicketComment)
      .addSuccess(Envelope(TicketComment), { status: 201 })
      .annotate(
        OpenApi.Description,
        `Comments on the ticket (\`tcm_\`); \`internal\` comments are written by partners and above only (403 for customers). ${EVENTS}`
      )
  )
  .middleware(Authentication)
  .prefix("/api/v1")
{}
