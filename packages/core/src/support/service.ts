import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { CustomerRepo } from "../customers/ports.js"
import { EventLog } from "../events/ports.js"
import { newEvent } from "../events/service.js"
import type { EventType } from "../events/model.js"
import type { Principal } from "../identity/model.js"
import { reachableBy, requireWrite } from "../identity/policy.js"
import { Forbidden, InvalidState, orNotFound, ValidationError } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import type { PageRequest } from "../shared/pagination.js"
import { Transactor } from "../shared/transactor.js"
import {
  type CreateTicket,
  type CreateTicketComment,
  type StoredTicket,
  Ticket,
  TicketAuthor,
  TicketComment,
  type TicketCommentId,
  type TicketId,
  type TicketListFilter,
  type UpdateTicket
} from "./model.js"
import { TicketRepo } from "./ports.js"
import { now } from "../shared/time.js"
import { changedReadOnlyField } from "../shared/read-only.js"

const encodeTicket = Schema.encode(Ticket)
const encodeComment = Schema.encode(TicketComment)


/** A ticket's fields a PUT does not change, each with why (shared/read-only.ts). */
const READ_ONLY_TICKET_FIELDS = {
  customer_id: "cannot be changed: a ticket stays with the customer it was opened for; open one for the other customer",
  created_by: "cannot be changed",
  id: "cannot be changed",
  created_at: "cannot be changed",
  updated_at: "cannot be changed"
} as const
export const make = Effect.gen(function* () {
  const repo = yield* TicketRepo
  const customers = yield* CustomerRepo
  const log = yield* EventLog
  const transactor = yield* Transactor

  const isCustomer = (principal: Principal) => principal.account_kind === "customer"

  const findCustomer = (principal: Principal, id: string) =>
    customers.findById(id).pipe(
      reachableBy(principal, "customer", id)
    )

  /** A ticket the caller may see; out of scope reads as missing. */
  const findTicket = (principal: Principal, id: string) =>
    repo.findById(id).pipe(
      reachableBy(principal, "ticket", id)
    )

  const lockTicket = (id: string) =>
    repo.lock(id).pipe(
      orNotFound("ticket", id)
    )

  /**
   * A `ticket.*` event in the customer's lineage, or, for what only the channel may read (an
   * internal comment), in its partner's: the customer then finds it in no list, webhook or
   * delivery of its own, while the channel still filters it by `customer_id`.
   */
  const ticketEvent = (
    type: EventType,
    stored: StoredTicket,
    extra: Record<string, unknown> = {},
    audience: "customer" | "channel" = "customer"
  ) =>
    Effect.gen(function* () {
      const ticket = yield* Effect.orDie(encodeTicket(stored.ticket))
      const customerId = stored.ticket.customer_id
      const lineage = audience === "customer" ? stored.lineage : stored.lineage.filter((id) => id !== customerId)
      return yield* newEvent(type, { customer_id: customerId, lineage }, { ticket, ...extra })
    })

  const listTickets = (principal: Principal, filter: TicketListFilter, page: PageRequest) =>
    Effect.gen(function* () {
      if (filter.customer_id !== undefined) yield* findCustomer(principal, filter.customer_id)
      return yield* repo.list(principal.account_id, filter, page)
    })

  const getTicket = (principal: Principal, id: string) => Effect.map(findTicket(principal, id), (s) => s.ticket)

  const createTicket = (principal: Principal, input: CreateTicket) =>
    Effect.gen(function* () {
      const customerId = input.customer_id ?? (principal.account_kind === "customer" ? principal.account_id : undefined)
      if (customerId === undefined) return yield* ValidationError.of("customer_id", "is missing: name the customer the ticket is for")
      const customer = yield* findCustomer(principal, customerId).pipe(
        Effect.catchTag("NotFound", () =>
          Effect.fail(ValidationError.of("customer_id", `customer ${customerId} does not exist`)))
      )
      yield* requireWrite(principal)
      const at = yield* now
      const stored: StoredTicket = {
        ticket: new Ticket({
          id: (yield* makeId("tkt")) as TicketId,
          customer_id: customer.customer.id,
          subject: input.subject,
          description: input.description,
          priority: input.priority ?? "normal",
          status: "open",
          category: input.category ?? null,
          created_by: principal.user_id ?? principal.api_key_id ?? null,
          created_at: at,
          updated_at: at
        }),
        lineage: customer.lineage
      }
      yield* transactor.withTransaction(Effect.gen(function* () {
        yield* repo.insert(stored)
        yield* log.append([yield* ticketEvent("ticket.created", stored)])
      }))
      return stored.ticket
    })

  const updateTicket = (principal: Principal, id: string, input: UpdateTicket) =>
    Effect.gen(function* () {
      yield* findTicket(principal, id)
      yield* requireWrite(principal)
      return yield* transactor.withTransaction(Effect.gen(function* () {
        const current = yield* lockTicket(id)
        const before = current.ticket
        const readOnly = changedReadOnlyField(input, READ_ONLY_TICKET_FIELDS, () => Schema.encodeSync(Ticket)(before) as unknown as Record<string, unknown>)
        if (readOnly !== undefined) return yield* readOnly
        if (input.status !== undefined && before.status === "closed" && input.status !== "closed" && input.status !== "open") {
          return yield* new InvalidState({
            message: `ticket ${id} is closed: it can only be reopened (status open)`
          })
        }
        const ticket = new Ticket({
          ...before,
          subject: input.subject ?? before.subject,
          description: input.description ?? before.description,
          priority: input.priority ?? before.priority,
          status: input.status ?? before.status,
          category: input.category === undefined ? before.category : input.category,
          updated_at: yield* now
        })
        const changes: Record<string, { from: unknown; to: unknown }> = {}
        for (const field of ["subject", "description", "priority", "status", "category"] as const) {
          if (ticket[field] !== before[field]) changes[field] = { from: before[field], to: ticket[field] }
        }
        if (Object.keys(changes).length === 0) return before
        yield* repo.update(ticket)
        yield* log.append([yield* ticketEvent("ticket.updated", { ...current, ticket }, { changes })])
        return ticket
      }))
    })

  const listComments = (principal: Principal, ticketId: string, page: PageRequest) =>
    Effect.gen(function* () {
      yield* findTicket(principal, ticketId)
      return yield* repo.listComments(ticketId, !isCustomer(principal), page)
    })

  const addComment = (principal: Principal, ticketId: string, input: CreateTicketComment) =>
    Effect.gen(function* () {
      yield* findTicket(principal, ticketId)
      yield* requireWrite(principal)
      const internal = input.internal ?? false
      if (internal && isCustomer(principal)) {
        return yield* new Forbidden({ message: "a customer may not write internal comments" })
      }
      return yield* transactor.withTransaction(Effect.gen(function* () {
        const stored = yield* lockTicket(ticketId)
        const comment = new TicketComment({
          id: (yield* makeId("tcm")) as TicketCommentId,
          ticket_id: stored.ticket.id,
          body: input.body,
          author: new TicketAuthor({
            user_id: principal.user_id ?? null,
            api_key_id: principal.api_key_id ?? null,
            account_id: principal.account_id,
            account_kind: principal.account_kind
          }),
          internal,
          created_at: yield* now
        })
        yield* repo.insertComment(comment)
        const encoded = yield* Effect.orDie(encodeComment(comment))
        yield* log.append([
          yield* ticketEvent("ticket.commented", stored, { comment: encoded, internal }, internal ? "channel" : "customer")
        ])
        return comment
      }))
    })

  return { listTickets, getTicket, createTicket, updateTicket, listComments, addComment } as const
})

export class Support extends Context.Tag("@provisio/core/Support")<Support, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(Support, make)
}
