import * as PgClient from "@effect/sql-pg/PgClient"
import { DEFAULT_LIMITS, DeliveryLimits, EMBEDDED_LIMITS } from "@provisio/core/deliveries/limits"
import { DeliverySignals, type WorkNotice } from "@provisio/core/deliveries/signals"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { embeddedDatabaseOf } from "../embedded/pglite.js"

/**
 * The delivery workers' wake-ups from PostgreSQL: migration 0018's triggers NOTIFY channel
 * `provisio_work` when an insert into `events` or `deliveries` commits. One LISTEN per process
 * (a connection of its own on a server; PGlite's own listener when embedded), shared by every
 * worker of the process. A lost connection is listened to again; meanwhile workers poll.
 */
export const WORK_CHANNEL = "provisio_work"

const asNotice = (payload: string): WorkNotice => (payload === "events" ? "events" : "deliveries")

export const DeliverySignalsLive = Layer.scoped(
  DeliverySignals,
  Effect.gen(function* () {
    const client = yield* Effect.serviceOption(PgClient.PgClient)
    if (Option.isNone(client)) return DeliverySignals.of({ notices: Stream.never, listening: false })
    const embedded = embeddedDatabaseOf(client.value.config.applicationName)
    const source: Stream.Stream<string, unknown> = embedded === undefined
      ? client.value.listen(WORK_CHANNEL)
      : Stream.asyncScoped<string>((emit) =>
        Effect.acquireRelease(
          Effect.promise(() => embedded.listen(WORK_CHANNEL, (payload) => void emit.single(payload))),
          (unlisten) => Effect.promise(() => unlisten()).pipe(Effect.ignore)
        ))
    const hub = yield* PubSub.sliding<WorkNotice>(1024)
    yield* source.pipe(
      Stream.runForEach((payload) => PubSub.publish(hub, asNotice(payload))),
      Effect.catchAllCause((cause) => Effect.logWarning("delivery wake-ups lost; listening again", cause)),
      Effect.repeat(Schedule.spaced("1 second")),
      Effect.forkScoped
    )
    return DeliverySignals.of({ notices: Stream.fromPubSub(hub), listening: true })
  })
)

/** The engine's limits for the database it runs on: fewer calls in flight beside an embedded one (limits.ts). */
export const DeliveryLimitsLive = Layer.effect(
  DeliveryLimits,
  Effect.map(Effect.serviceOption(PgClient.PgClient), (client) =>
    Option.isSome(client) && embeddedDatabaseOf(client.value.config.applicationName) !== undefined
      ? EMBEDDED_LIMITS
      : DEFAULT_LIMITS)
)
