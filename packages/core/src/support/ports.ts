import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { PersistenceError } from "../shared/errors.js"
import type { Page, PageRequest } from "../shared/pagination.js"
import type { StoredTicket, Ticket, TicketComment, TicketListFilter } from "./model.js"

export class TicketRepo extends Context.Tag("@provisio/core/TicketRepo")<TicketRepo, {
  readonly insert: (stored: StoredTicket) => Effect.Effect<void, PersistenceError>
  /** Writes every field but `id`, `customer_id`, `created_by` and `created_at`. */
  readonly update: (ticket: Ticket) => Effect.Effect<void, PersistenceError>
  readonly findById: (id: string) => Effect.Effect<Option.Option<StoredTicket>, PersistenceError>
  /** The same, locked for the transaction. */
  readonly lock: (id: string) => Effect.Effect<Option.Option<StoredTicket>, PersistenceError>
  /** Tickets whose lineage contains `within`, by id. */
  readonly list: (within: string, filter: TicketListFilter, page: PageRequest) => Effect.Effect<Page<Ticket>, PersistenceError>
  readonly insertComment: (comment: TicketComment) => Effect.Effect<void, PersistenceError>
  /** A ticket's comments by id, without the internal ones unless `withInternal`. */
  readonly listComments: (
    ticketId: string,
    withInternal: boolean,
    page: PageRequest
  ) => Effect.Effect<Page<TicketComment>, PersistenceError>
}>() {}
