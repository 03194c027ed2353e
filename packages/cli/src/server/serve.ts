import { describeDatabase } from "@provisio/adapters/postgres/index"
import { Workers } from "@provisio/core/workers/service"
import { jsonLines, RequestLog } from "@provisio/http/middleware/request-log"
import { ServerLive } from "@provisio/http/server"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import { bootstrap } from "../bootstrap.js"
import { AppLive } from "../database/layers.js"

/** `provisio serve`: the API, with the scheduler and the delivery workers unless `noWorkers`. */
export const serve = ({ noWorkers, port }: { readonly port: Option.Option<number>; readonly noWorkers: boolean }) =>
  Effect.gen(function* () {
    yield* Effect.logInfo(`database: ${yield* describeDatabase}`)
    yield* bootstrap
    // The scheduler and the delivery workers run beside the API unless --no-workers; they stop with it.
    yield* Layer.launch(noWorkers ? ServerLive : Layer.merge(ServerLive, Workers.layer()))
  }).pipe(
    Effect.provide(AppLive),
    // One JSON object per line: what log collectors parse without configuration. The request
    // lines, one per request, are written as Logger.json writes them, without its per-line cost.
    Effect.provide(Logger.json),
    Effect.provideService(RequestLog, jsonLines((text) => void process.stdout.write(text))),
    // No tracer is wired to read spans: making them (one per request, one per traced call) is
    // wasted work on every request (docs/performance.md).
    Effect.withTracerEnabled(false),
    Effect.locally(HttpMiddleware.currentTracerDisabledWhen, () => true),
    Effect.withConfigProvider(Option.match(port, {
      onNone: () => ConfigProvider.fromEnv(),
      onSome: (value) =>
        ConfigProvider.fromMap(new Map([["PORT", String(value)]])).pipe(ConfigProvider.orElse(ConfigProvider.fromEnv))
    }))
  )
