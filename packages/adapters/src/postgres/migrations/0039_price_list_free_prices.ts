import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * A free price stays free under `ninety_nine`: 0.00 (a fixed 0, a 100 % discount) was rounded up
 * to 0.99 (0 to 99 in a currency without decimals). The same function as 0028's but for zero
 * (core/pricing/rules.ts roundUpToNinetyNine); still one expression, so Postgres inlines it.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    create or replace function price_list_round(p numeric, rounding text, minor integer) returns numeric language sql immutable as $$
      select case when rounding = 'ninety_nine' and p <> 0 then
               round(case when minor = 0 then ceil((p - 99) / 100) * 100 + 99 else ceil(p - 0.99) + 0.99 end, minor)
             else p end
    $$`
})
