import * as SqlClient from "@effect/sql/SqlClient"
import { expect, layer } from "@effect/vitest"
import { pgArray } from "@provisio/adapters/postgres/arrays"
import { TestDatabase } from "@provisio/adapters/testing/database"
import * as Effect from "effect/Effect"

layer(TestDatabase)("array parameters", (it) => {
  it.effect("text reaches the database as it was: quotes, backslashes, commas, braces, blanks, the word NULL, nulls", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const values = ["plain", "Say \"hi\"", "C:\\path\\", "a,b", "{x}", " spaced ", "", "NULL", null, "ünïcode ✓"]
      const rows = yield* sql<{ v: string | null }>`select unnest(${pgArray(values)}::text[]) as v`
      expect(rows.map((r) => r.v)).toEqual(values)
      const plain = yield* sql<{ v: string }>`select unnest(${pgArray(["a", "b"])}::text[]) as v`
      expect(plain.map((r) => r.v)).toEqual(["a", "b"])
      expect(yield* sql`select unnest(${pgArray([])}::text[]) as v`).toEqual([])
    }))

  it.effect("numbers, booleans, decimals and JSON keep their values", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const [row] = yield* sql<{ n: Array<string>; b: Array<boolean>; d: Array<string>; j: Array<unknown> }>`
        select (select array_agg(x::text) from unnest(${pgArray([1793491200000, -1, null])}::int8[]) x) as n,
               ${pgArray([true, false])}::bool[] as b,
               (select array_agg(x::text) from unnest(${pgArray(["0.015", "-12.50", null])}::numeric[]) x) as d,
               (select array_agg(x::text) from unnest(${pgArray([JSON.stringify({ note: "a \"quote\" and \\" }), "{}"])}::jsonb[]) x) as j`
      expect(row!.n).toEqual(["1793491200000", "-1", null])
      expect(row!.b).toEqual([true, false])
      expect(row!.d).toEqual(["0.015", "-12.50", null])
      expect(row!.j.map((x) => JSON.parse(x as string))).toEqual([{ note: "a \"quote\" and \\" }, {}])
    }))
})
