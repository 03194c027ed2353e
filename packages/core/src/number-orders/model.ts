import * as Schema from "effect/Schema"
import { E164 } from "../numbers/model.js"
import { Characteristics } from "../subscriptions/model.js"

/**
 * Number orders: `POST /customers/{id}/orders/{productId}/numbers/{kind}`. Each is an order with
 * one item per number, completed in the transaction that places it, or failed whole.
 */

export const NumberOrderKind = Schema.Literal("any", "reserve", "range", "port", "move", "change", "delete")
export type NumberOrderKind = typeof NumberOrderKind.Type

const Numbers = Schema.Array(E164).pipe(
  Schema.minItems(1, { message: () => "must name at least one number" }),
  Schema.maxItems(1000, { message: () => "must name at most 1000 numbers" })
)

const Country = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z]{2}$/, { message: () => "must be an ISO 3166-1 alpha-2 country code" })
)

export class OrderAnyNumbers extends Schema.Class<OrderAnyNumbers>("OrderAnyNumbers")({
  quantity: Schema.Int.pipe(Schema.between(1, 1000, { message: () => "must be a whole number from 1 to 1000" })),
  country: Country,
  /** A city's id or name, in the country. */
  city: Schema.optional(Schema.String),
  /** Digits anywhere in the number. */
  contains: Schema.optional(Schema.String.pipe(Schema.pattern(/^[0-9]{1,15}$/, { message: () => "must be digits" })))
}) {}

export class OrderReservedNumbers extends Schema.Class<OrderReservedNumbers>("OrderReservedNumbers")({
  reservation_id: Schema.String
}) {}

export class OrderNumberRange extends Schema.Class<OrderNumberRange>("OrderNumberRange")({
  from: E164,
  to: E164
}) {}

export class PortNumbers extends Schema.Class<PortNumbers>("PortNumbers")({
  numbers: Numbers,
  /** The country the numbers are in; derived from the calling code (+1 US, +44 GB, ...) when left out. */
  country: Schema.optional(Country),
  losing_carrier: Schema.optional(Schema.String)
}) {}

export class MoveNumbers extends Schema.Class<MoveNumbers>("MoveNumbers")({
  numbers: Numbers,
  /** One of the customer's product locations. */
  location_id: Schema.String
}) {}

export class ChangeNumbers extends Schema.Class<ChangeNumbers>("ChangeNumbers")({
  numbers: Numbers,
  characteristics: Characteristics
}) {}

export class DeleteNumbers extends Schema.Class<DeleteNumbers>("DeleteNumbers")({
  numbers: Numbers
}) {}

/** A number as the number orders read it, locked. */
export interface HeldNumber {
  readonly number: string
  readonly product_id: string
  readonly state: string
  readonly customer_id: string | null
  readonly reservation_id: string | null
  /** Still held by its reservation at the time asked (a reservation past its end holds nothing). */
  readonly held: boolean
}

/**
 * `POST /numbers/{number}/port/complete|cancel`: how a port ended. A completed port leaves the
 * number `assigned` to its customer; a failed (cancelled) port takes it out of the inventory
 * (`removed`): it was never the platform's, so nothing is left to quarantine or sell.
 */
export class PortOutcome extends Schema.Class<PortOutcome>("PortOutcome")({
  number: Schema.String,
  product_id: Schema.String,
  customer_id: Schema.NullOr(Schema.String),
  status: Schema.Literal("assigned", "removed")
}) {}
