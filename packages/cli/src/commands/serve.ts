import { Command, Options } from "@effect/cli"
import { describeDatabase } from "@provisio/adapters/postgres/index"
import { Workers } from "@provisio/core/workers/service"
import { ServerLive } from "@provisio/http/server"
import { ConfigProvider, Effect, Layer, Logger, Option } from "effect"
import { AppLive } from "../database.js"
import { bootstrap } from "../bootstrap.js"

const port = Options.integer("port").pipe(
  Options.withDescription("The port to listen on (default: PORT, else 8080)"),
  Options.optional
)

const noWorkers = Options.boolean("no-workers").pipe(
  Options.withDescription("Serve the API only: leave the scheduler (renewals, expiries) and the delivery workers to `provisio worker` processes")
)

export const serve = Command.make("serve", { port, noWorkers }, ({ noWorkers, port }) =>
  Effect.gen(function* () {
    yield* Effect.logInfo(`database: ${yield* describeDatabase}`)
    yield* bootstrap
    // The scheduler and the delivery workers run beside the API unless --no-workers; they stop with it.
    yield* Layer.launch(noWorkers ? ServerLive : Layer.merge(ServerLive, Workers.layer()))
  }).pipe(
    Effect.provide(AppLive),
    // One JSON object per line: what log collectors parse without configuration.
    Effect.provide(Logger.json),
    Effect.withConfigProvider(Option.match(port, {
      onNone: () => ConfigProvider.fromEnv(),
      onSome: (value) =>
        ConfigProvider.fromMap(new Map([["PORT", String(value)]])).pipe(ConfigProvider.orElse(ConfigProvider.fromEnv))
    }))
  )
).pipe(Command.withDescription("Run the HTTP API (on the embedded database unless DATABASE_URL is set)"))
