import type * as SqlClient from "@effect/sql/SqlClient"
import type { StoredDelivery } from "@provisio/core/deliveries/model"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import { column, pgArray, unnestRows } from "../arrays.js"
import { orPersistenceError } from "../persistence.js"

/**
 * A dispatch batch's deliveries in one statement, one array per column (not a parameter per
 * value), in the order given: that order is the order within an ordering key (`seq`).
 */
export const insertDeliveries = (sql: SqlClient.SqlClient, deliveries: ReadonlyArray<StoredDelivery>) => {
  if (deliveries.length === 0) return Effect.void
  const rows = {
    id: column<string>("text"),
    event_id: column<string>("text"),
    event_type: column<string>("text"),
    kind: column<string>("text"),
    target: column<string>("text"),
    url: column<string>("text"),
    method: column<string>("text"),
    body: column<string>("text"),
    timeout_ms: column<number>("int4"),
    ordering_key: column<string | null>("text"),
    status: column<string>("text"),
    attempts: column<number>("int4"),
    next_attempt_at: column<string>("timestamptz"),
    last_error: column<string | null>("text"),
    quantity_request_id: column<string | null>("text"),
    subscription_id: column<string | null>("text"),
    customer_id: column<string | null>("text"),
    lineage: column<string>("text"),
    created_at: column<string>("timestamptz"),
    updated_at: column<string>("timestamptz")
  }
  for (const { body, customer_id, delivery: d, lineage, timeout_ms } of deliveries) {
    rows.id.values.push(d.id)
    rows.event_id.values.push(d.event_id)
    rows.event_type.values.push(d.event_type)
    rows.kind.values.push(d.kind)
    rows.target.values.push(d.target)
    rows.url.values.push(d.url)
    rows.method.values.push(d.method)
    rows.body.values.push(body)
    rows.timeout_ms.values.push(timeout_ms)
    rows.ordering_key.values.push(d.ordering_key)
    rows.status.values.push(d.status)
    rows.attempts.values.push(d.attempts)
    rows.next_attempt_at.values.push(DateTime.formatIso(d.next_attempt_at))
    rows.last_error.values.push(d.last_error)
    rows.quantity_request_id.values.push(d.quantity_request_id)
    rows.subscription_id.values.push(d.subscription_id)
    rows.customer_id.values.push(customer_id)
    // Arrays do not nest in an unnest: each lineage travels as its array literal, cast back below.
    rows.lineage.values.push(pgArray(lineage))
    rows.created_at.values.push(DateTime.formatIso(d.created_at))
    rows.updated_at.values.push(DateTime.formatIso(d.updated_at))
  }
  const names = Object.keys(rows).join(", ")
  return orPersistenceError(sql`
    insert into deliveries (${sql.literal(names)})
    select ${sql.literal(Object.keys(rows).map((name) => (name === "lineage" ? "r.lineage::text[]" : `r.${name}`)).join(", "))}
      from ${unnestRows(sql, rows, { ordinality: "n" })}
     order by r.n`).pipe(Effect.asVoid)
}
