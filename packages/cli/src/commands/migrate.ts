import { Command } from "@effect/cli"
import { DatabaseLive, describeDatabase, migrate as runMigrations } from "@provisio/adapters/postgres/index"
import { Console, Effect } from "effect"

export const migrate = Command.make("migrate", {}, () =>
  Effect.gen(function* () {
    const applied = yield* runMigrations
    const where = yield* describeDatabase
    yield* Console.log(
      applied.length === 0
        ? `${where}: already up to date`
        : applied.map(([id, name]) => `${where}: applied ${String(id).padStart(4, "0")} ${name}`).join("\n")
    )
  }).pipe(Effect.provide(DatabaseLive))
).pipe(Command.withDescription("Apply the database migrations not yet applied"))
