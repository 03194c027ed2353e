import { Command, Options } from "@effect/cli"
import { describeDatabase } from "@provisio/adapters/postgres/index"
import { ServerConfig, ServerLive } from "@provisio/http/server"
import { Identity } from "@provisio/core/identity/service"
import { Config, ConfigProvider, Console, Effect, Layer, Logger, Option } from "effect"
import { AppLive } from "../database"
import { schedulerLoop } from "./subscriptions"
import { deliveryLoop } from "./deliveries"

const port = Options.integer("port").pipe(
  Options.withDescription("The port to listen on (default: PORT, else 8080)"),
  Options.optional
)

/** Prints the platform's first admin key, once: on the first start of an empty database. */
export const bootstrap = Effect.gen(function* () {
  const identity = yield* Identity
  const configured = yield* Config.option(Config.string("PROVISIO_BOOTSTRAP_KEY"))
  const generated = yield* identity.bootstrap(configured)
  const { port } = yield* ServerConfig
  if (Option.isSome(generated)) {
    yield* Console.log([
      "",
      "  Provisio created the platform account and its first admin API key.",
      "  It is shown this once; keep it somewhere safe:",
      "",
      `    ${generated.value}`,
      "",
      `  Try: curl -H "Authorization: Bearer ${generated.value}" http://localhost:${port}/api/v1/me`,
      ""
    ].join("\n"))
  }
})

const noWorkers = Options.boolean("no-workers").pipe(
  Options.withDescription("Serve the API only: leave the scheduler (renewals, expiries) and the delivery workers to `provisio worker` processes")
)

export const serve = Command.make("serve", { port, noWorkers }, ({ noWorkers, port }) =>
  Effect.gen(function* () {
    yield* Effect.logInfo(`database: ${yield* describeDatabase}`)
    yield* bootstrap
    // The scheduler runs beside the API (every 30 s) unless --no-workers; it ends with the server.
    if (!noWorkers) yield* Effect.fork(schedulerLoop())
    // The delivery workers too (provisioning pushes, webhooks).
    if (!noWorkers) yield* Effect.fork(deliveryLoop())
    yield* Layer.launch(ServerLive)
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
