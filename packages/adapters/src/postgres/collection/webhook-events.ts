import * as SqlClient from "@effect/sql/SqlClient"
import { GatewayEventLog } from "@provisio/core/collection/gateways"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { orPersistenceError } from "../persistence.js"

/**
 * The gateway events processed (`gateway_webhook_events`): the primary key makes an event
 * processed once, also when the gateway sends it twice at once (the second insert waits for the
 * first transaction, then finds the row).
 */
export const GatewayEventLogLive = Layer.effect(
  GatewayEventLog,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return GatewayEventLog.of({
      record: (gateway, eventId, type, at) =>
        orPersistenceError(Effect.map(
          sql`
            insert into gateway_webhook_events (gateway, event_id, type, processed_at)
            values (${gateway}, ${eventId}, ${type}, ${DateTime.formatIso(at)})
            on conflict (gateway, event_id) do nothing
            returning event_id`,
          (rows) => rows.length === 1
        ))
    })
  })
)
