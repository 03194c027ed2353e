import { BillingGraceSeconds, BillingWorkers } from "@provisio/core/billing/config"
import { GRACE_PERIOD_LIMIT, MAX_GRACE_SECONDS } from "@provisio/core/billing/model"
import { GRACE_MESSAGE, parseGracePeriod } from "@provisio/core/billing/runs"
import { ReservationTtlMinutes } from "@provisio/core/numbers/config"
import { MAX_RESERVATION_MINUTES } from "@provisio/core/numbers/model"
import { RetryPolicyOption, SecretRotationOverlap } from "@provisio/core/provisioning/config"
import { DEFAULT_RETRY_POLICY, parseRetrySchedule } from "@provisio/core/provisioning/retry"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

/**
 * The core's configuration, read from the environment (`PROVISIO_*`) once, here at the edge: the
 * core reads none itself, and each of these is a reference with its default there. A value that
 * does not parse stops the start with the variable named.
 */

const reservationTtl = Config.integer("PROVISIO_RESERVATION_TTL_MINUTES").pipe(
  Config.withDefault(30),
  Config.validate({
    message: `must be a whole number of minutes from 1 to ${MAX_RESERVATION_MINUTES}`,
    validation: (minutes) => minutes >= 1 && minutes <= MAX_RESERVATION_MINUTES
  })
)

/** `PROVISIO_PUSH_RETRY_SCHEDULE` (see `parseRetrySchedule`), else the default schedule. */
const retryPolicy = Config.string("PROVISIO_PUSH_RETRY_SCHEDULE").pipe(
  Config.mapOrFail((text) => Either.mapLeft(parseRetrySchedule(text), (message) => ConfigError.InvalidData([], message))),
  Config.withDefault(DEFAULT_RETRY_POLICY)
)

const rotationOverlap = Config.duration("PROVISIO_SECRET_ROTATION_OVERLAP").pipe(
  Config.withDefault(Duration.hours(24)),
  Config.validate({
    message: "must be a duration from 0 seconds to 30 days, e.g. \"24 hours\"",
    validation: (d) => Duration.toMillis(d) >= 0 && Duration.lessThanOrEqualTo(d, Duration.days(30))
  })
)

const billingWorkers = Config.integer("PROVISIO_BILLING_WORKERS").pipe(
  Config.withDefault(4),
  Config.validate({ message: "must be a whole number of at least 1", validation: (n) => n >= 1 })
)

const billingGrace = Config.string("PROVISIO_BILLING_GRACE_PERIOD").pipe(
  Config.withDefault("0"),
  Config.mapOrFail((text) =>
    Option.match(parseGracePeriod(text), {
      onNone: () => Either.left(ConfigError.InvalidData([], GRACE_MESSAGE)),
      onSome: (seconds) => seconds <= MAX_GRACE_SECONDS ? Either.right(seconds) : Either.left(ConfigError.InvalidData([], GRACE_PERIOD_LIMIT))
    })
  )
)

/** The core's references set from the environment: provide it to the services (`ServicesLive`). */
export const CoreConfigLive = Layer.mergeAll(
  Layer.effect(ReservationTtlMinutes, reservationTtl),
  Layer.effect(RetryPolicyOption, retryPolicy),
  Layer.effect(SecretRotationOverlap, rotationOverlap),
  Layer.effect(BillingWorkers, billingWorkers),
  Layer.effect(BillingGraceSeconds, billingGrace)
)
