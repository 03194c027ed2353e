import { DatabaseLive, describeDatabase, migrate as runMigrations } from "@provisio/adapters/postgres/index"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

/** `provisio migrate`: the migrations not yet applied, one line each. */
export const migrate = () =>
  Effect.gen(function* () {
    const applied = yield* runMigrations
    const where = yield* describeDatabase
    yield* Console.log(
      applied.length === 0
        ? `${where}: already up to date`
        : applied.map(([id, name]) => `${where}: applied ${String(id).padStart(4, "0")} ${name}`).join("\n")
    )
  }).pipe(Effect.provide(DatabaseLive))
