import * as Context from "effect/Context"

/**
 * How long a reservation holds its numbers when the request does not say, in minutes. The edge
 * sets it (PROVISIO_RESERVATION_TTL_MINUTES); unset, 30.
 */
export class ReservationTtlMinutes extends Context.Reference<ReservationTtlMinutes>()(
  "@provisio/core/ReservationTtlMinutes",
  { defaultValue: () => 30 }
) {}
