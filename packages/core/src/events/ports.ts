import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { PersistenceError } from "../shared/errors.js"
import type { Page, PageRequest } from "../shared/pagination.js"
import type { DomainEvent, StoredEvent } from "./model.js"

export interface EventFilter {
  /** An exact type (`subscription.renewed`) or a prefix ending in `*` (`subscription.*`). */
  readonly type?: string | undefined
  readonly customer_id?: string | undefined
}

/**
 * The outbox. `append` must run in the transaction of the change the events describe (the
 * callers wrap both in `Transactor.withTransaction`): the events are stored exactly when the
 * change is. Each stored event also gets a place in the delivery order and an undelivered mark,
 * which the delivery workers (next issue) advance.
 */
export class EventLog extends Context.Tag("@provisio/core/EventLog")<EventLog, {
  readonly append: (events: ReadonlyArray<StoredEvent>) => Effect.Effect<void, PersistenceError>
  /** Events whose lineage contains `within`, by id. */
  readonly list: (
    within: string,
    filter: EventFilter,
    page: PageRequest
  ) => Effect.Effect<Page<DomainEvent>, PersistenceError>
}>() {}
