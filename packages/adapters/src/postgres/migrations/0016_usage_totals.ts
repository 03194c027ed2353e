import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * Ingestion keeps the running total of every SKU, not only of those with thresholds: the
 * statement that stores a batch adds what it stored to each (subscription, SKU, period) total,
 * so billing reads one row per total instead of summing every record again. The totals of the
 * records already stored are summed here once. Records are then read by subscription and time
 * only (`GET /usage`): their billing index gives way to one on those columns.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    insert into usage_totals (subscription_id, sku_id, period_start, quantity)
    select subscription_id, sku_id, period_start, sum(quantity) from usage_records
     group by subscription_id, sku_id, period_start
    on conflict (subscription_id, sku_id, period_start) do update set quantity = excluded.quantity`
  yield* sql`create index usage_records_subscription on usage_records (subscription_id, occurred_at)`
  yield* sql`drop index usage_records_billing`
})
