import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import type { Principal } from "../identity/model.js"
import { requireAdmin, requireKind } from "../identity/policy.js"
import { Reservation, type StoredReservation } from "./model.js"
import { type Placement } from "./ports.js"

/** Adding numbers to the inventory is for the platform's admins. */
export const requireNumberAdmin = (principal: Principal) =>
  Effect.zipRight(requireKind(principal, ["platform"], "add numbers to the inventory"), requireAdmin(principal))

/** A number cursor: the last number seen, digits only (ids elsewhere; numbers are their own key). */
export const NUMBER_CURSOR = /^num_(\d{8,15})$/
export const DIGITS = /^\d{1,15}$/
export const PREFIX = /^\+?\d{1,15}$/

/** A reservation's status at `now`: `expired` once `expires_at` is behind us (the numbers are free then). */
export const reservationStatus = (stored: StoredReservation, now: DateTime.Utc): Reservation["status"] =>
  stored.released_at !== null ? "released" : DateTime.lessThan(stored.expires_at, now) ? "expired" : "active"

export const toReservation = (stored: StoredReservation, now: DateTime.Utc) =>
  new Reservation({ ...stored, status: reservationStatus(stored, now) })

/** Where a row of numbers goes, or the field to blame. */
export type Resolved = { readonly placement: Placement } | { readonly field: string; readonly reason: string }
