import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import {
  AddedNumbers,
  AddNumbers,
  CreateReservation,
  PhoneNumber,
  Reservation,
  ReservationId
} from "@provisio/core/numbers/model"
import * as Schema from "effect/Schema"
import { Envelope, PageEnvelope } from "../envelope.js"
import { NumberUnavailableError } from "../errors.js"
import { Authentication } from "../middleware/authentication.js"
import { PageQuery } from "../pagination.js"
import { PathParam } from "../path-params.js"
import { CustomerId } from "@provisio/core/customers/model"
import { ProductId } from "@provisio/core/catalog/model"

const CustomerPath = Schema.Struct({ customerId: PathParam(CustomerId) })
const ReservationPath = Schema.Struct({ customerId: PathParam(CustomerId), reservationId: PathParam(ReservationId) })

/** The search criteria, all optional; text, so a wrong value answers 422 naming the parameter. */
export const NumberSearchQuery = Schema.Struct({
  ...PageQuery.fields,
  product_id: Schema.optional(ProductId),
  country: Schema.optional(Schema.String),
  city: Schema.optional(Schema.String),
  contains: Schema.optional(Schema.String),
  starts_with: Schema.optional(Schema.String)
})

export class NumbersApi extends HttpApiGroup.make("numbers")
  .add(
    HttpApiEndpoint.get("searchNumbers", "/numbers")
      .setUrlParams(NumberSearchQuery)
      .addSuccess(PageEnvelope(PhoneNumber))
      .annotate(
        OpenApi.Description,
        "Available numbers, in number order. `product_id`, `country` (ISO 3166-1 alpha-2), `city` (its id, or its " +
          "name together with `country`), `contains` (digits anywhere in the number) and `starts_with` (\"+\" and " +
          "digits) narrow the search; every criterion given must match. A number whose reservation has expired is " +
          "available again."
      )
  )
  .add(
    HttpApiEndpoint.post("addNumbers", "/numbers")
      .setPayload(AddNumbers)
      .addSuccess(Envelope(AddedNumbers), { status: 201 })
      .annotate(
        OpenApi.Description,
        "Platform admins only. Adds `numbers` (E.164) or every number of `range` {from, to} (at most 10,000 a " +
          "call) to the inventory as available, for a `phone_number` product in a `country` of its availability " +
          "and optionally a `city` it names there (id or name). A number already in the inventory (or listed twice) " +
          "is reported in `already_present`, not added again."
      )
  )
  .add(
    HttpApiEndpoint.get("listReservations", "/customers/:customerId/reservations")
      .setPath(CustomerPath)
      .setUrlParams(PageQuery)
      .addSuccess(PageEnvelope(Reservation))
  )
  .add(
    HttpApiEndpoint.post("createReservation", "/customers/:customerId/reservations")
      .setPath(CustomerPath)
      .setPayload(CreateReservation)
      .addSuccess(Envelope(Reservation), { status: 201 })
      .addError(NumberUnavailableError)
      .annotate(
        OpenApi.Description,
        "Holds the numbers for the customer until `expires_at` (`ttl_minutes`, default 30): all of them or none. " +
          "409 number_unavailable names the numbers another customer holds or that are not available; of two " +
          "customers racing for a number, exactly one gets it. A number not in the inventory is 422 naming it. " +
          "After `expires_at` the numbers are available again, with nothing run to free them. Every edition may " +
          "reserve (reservations are not orders); viewers may not."
      )
  )
  .add(
    HttpApiEndpoint.get("getReservation", "/customers/:customerId/reservations/:reservationId")
      .setPath(ReservationPath)
      .addSuccess(Envelope(Reservation))
  )
  .add(
    HttpApiEndpoint.del("deleteReservation", "/customers/:customerId/reservations/:reservationId")
      .setPath(ReservationPath)
      .addSuccess(HttpApiSchema.NoContent)
      .annotate(OpenApi.Description, "Releases the reservation: the numbers it still holds are available at once.")
  )
  .middleware(Authentication)
  .prefix("/api/v1")
{}
