import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { Principal } from "../identity/model.js"
import { ValidationError } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import type { PageRequest } from "../shared/pagination.js"
import { DomainEvent, type EventData, type EventId, type EventScope, type EventType, type StoredEvent } from "./model.js"
import { EventLog, type EventFilter } from "./ports.js"
import { now } from "../shared/time.js"

const TYPE_FILTER = /^[a-z_]+(\.[a-z_]+)*(\.\*)?$|^[a-z_]+\*$/

/**
 * A new event at the clock's current time, ready for `EventLog.append`. Use cases build their
 * events with this and append them in the transaction of their change.
 */
export const newEvent = (type: EventType, scope: EventScope, data: EventData) =>
  Effect.gen(function* () {
    const id = (yield* makeId("evt")) as EventId
    const occurred_at = yield* now
    return {
      event: new DomainEvent({ id, type, occurred_at, customer_id: scope.customer_id, data }),
      lineage: scope.lineage
    } satisfies StoredEvent
  })

export const make = Effect.gen(function* () {
  const log = yield* EventLog

  /** The events of the caller's scope: its own account's and everything below it. */
  const listEvents = Effect.fn("Events.listEvents")(function* (
    principal: Principal,
    filter: EventFilter,
    page: PageRequest
  ) {
    if (filter.type !== undefined && !TYPE_FILTER.test(filter.type)) {
      return yield* ValidationError.of(
        "type",
        "must be an event type such as \"subscription.renewed\", or a prefix ending in \"*\" such as \"subscription.*\""
      )
    }
    return yield* log.list(principal.account_id, filter, page)
  })

  return { listEvents } as const
})

export class Events extends Context.Tag("@provisio/core/Events")<Events, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(Events, make)
}
