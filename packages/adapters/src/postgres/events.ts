import * as SqlClient from "@effect/sql/SqlClient"
import { DomainEvent } from "@provisio/core/events/model"
import { EventLog } from "@provisio/core/events/ports"
import { toPage } from "@provisio/core/shared/pagination"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { pageClause } from "./pagination.js"
import { orPersistenceError } from "./persistence.js"

const decodeAll = Schema.decodeUnknown(Schema.Array(DomainEvent))

/**
 * The outbox. `append` runs on the caller's connection, so inside the caller's transaction the
 * events commit or roll back with the change they describe.
 */
export const EventLogLive = Layer.effect(
  EventLog,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    return EventLog.of({
      append: (events) =>
        events.length === 0
          ? Effect.void
          : orPersistenceError(
            sql`insert into events ${
              sql.insert(events.map(({ event, lineage }) => ({
                id: event.id,
                type: event.type,
                occurred_at: DateTime.formatIso(event.occurred_at),
                customer_id: event.customer_id,
                lineage: [...lineage],
                data: JSON.stringify(event.data)
              })))
            }`
          ).pipe(Effect.asVoid),
      list: (within, filter, page) => {
        const type = filter.type === undefined
          ? sql``
          : filter.type.endsWith("*")
          ? sql`and starts_with(type, ${filter.type.slice(0, -1)})`
          : sql`and type = ${filter.type}`
        const customer = filter.customer_id === undefined ? sql`` : sql`and customer_id = ${filter.customer_id}`
        return orPersistenceError(
          Effect.flatMap(
            sql`select id, type, occurred_at, customer_id, data from events
                 where lineage @> array[${within}]::text[] ${type} ${customer}
                 ${pageClause(sql, page)}`,
            decodeAll
          )
        ).pipe(Effect.map((rows) => toPage(rows, page)))
      }
    })
  })
)
