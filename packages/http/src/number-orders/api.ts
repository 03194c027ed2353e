import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import {
  ChangeNumbers,
  DeleteNumbers,
  MoveNumbers,
  OrderAnyNumbers,
  OrderNumberRange,
  OrderReservedNumbers,
  PortNumbers,
  PortOutcome
} from "@provisio/core/number-orders/model"
import { Order } from "@provisio/core/ordering/model"
import * as Schema from "effect/Schema"
import { Envelope, NoBody } from "../envelope.js"
import { EditionForbiddenError, InvalidStateError, NumberUnavailableError } from "../errors.js"
import { Authentication } from "../middleware/authentication.js"
import { PathParam } from "../path-params.js"
import { CustomerId } from "@provisio/core/customers/model"
import { ProductId } from "@provisio/core/catalog/model"
import { E164 } from "@provisio/core/numbers/model"

const Path = Schema.Struct({ customerId: PathParam(CustomerId), productId: PathParam(ProductId) })
const NumberPath = Schema.Struct({ number: PathParam(E164) })

/** Deleting every number takes no fields: the body may be empty (or `{}`). */

const COMMON =
  "Answers the completed order (one item per number, listed with the customer's orders), or fails whole. " +
  "The product must be a phone_number product (422 product_id). Free-edition partners and their customers may " +
  "not order (403 edition_forbidden); viewers read only."

const endpoint = <const Name extends string, const Kind extends string, P extends Schema.Schema.Any>(
  name: Name,
  kind: Kind,
  payload: P,
  description: string
) =>
  HttpApiEndpoint.post(name, `/customers/:customerId/orders/:productId/numbers/${kind}`)
    .setPath(Path)
    .setPayload(payload)
    .addSuccess(Envelope(Order), { status: 201 })
    .addError(NumberUnavailableError)
    .addError(InvalidStateError)
    .addError(EditionForbiddenError)
    .annotate(OpenApi.Description, `${description} ${COMMON}`)

export class NumberOrdersApi extends HttpApiGroup.make("numberOrders")
  .add(endpoint(
    "orderAnyNumbers",
    "any",
    OrderAnyNumbers,
    "`quantity` available numbers of the product in `country` (and `city`, containing `contains`), assigned to the " +
      "customer. Fewer available is 409 number_unavailable."
  ))
  .add(endpoint(
    "orderReservedNumbers",
    "reserve",
    OrderReservedNumbers,
    "The numbers of one of the customer's reservations, assigned to it; the reservation is used up. A released or " +
      "expired reservation is 409 invalid_state."
  ))
  .add(endpoint(
    "orderNumberRange",
    "range",
    OrderNumberRange,
    "A contiguous block `from`..`to` (at most 1000), every number available; 409 number_unavailable names the others."
  ))
  .add(endpoint(
    "portNumbers",
    "port",
    PortNumbers,
    "Numbers from another carrier (`losing_carrier`), added to the customer as `porting`. Completing the port " +
      "(porting -> assigned) is `POST /numbers/{number}/port/complete`, a failed port `.../port/cancel`. Numbers already in the inventory are 409 number_unavailable."
  ))
  .add(endpoint(
    "moveNumbers",
    "move",
    MoveNumbers,
    "Moves the customer's assigned numbers to another of its product locations (`location_id`)."
  ))
  .add(endpoint(
    "changeNumbers",
    "change",
    ChangeNumbers,
    "Sets the `characteristics` of the customer's numbers."
  ))
  .add(endpoint(
    "deleteNumbers",
    "delete",
    DeleteNumbers,
    "Releases the customer's numbers: they go to quarantine."
  ))
  .add(
    HttpApiEndpoint.post("deleteAllNumbers", "/customers/:customerId/orders/:productId/delete")
      .setPath(Path)
      .setPayload(NoBody)
      .addSuccess(Envelope(Order), { status: 201 })
      .addError(InvalidStateError)
      .addError(EditionForbiddenError)
      .annotate(
        OpenApi.Description,
        `Releases every number of the product the customer has (to quarantine); none is 409 invalid_state. ${COMMON}`
      )
  )
  .add(
    HttpApiEndpoint.post("completePort", "/numbers/:number/port/complete")
      .setPath(NumberPath)
      .setPayload(NoBody)
      .addSuccess(Envelope(PortOutcome))
      .addError(InvalidStateError)
      .annotate(
        OpenApi.Description,
        "Platform admins only (403 for everyone else): the losing carrier confirmed the port of a `porting` number; " +
          "it becomes `assigned` to the customer that ordered the port, with event `number.ported`. A number not " +
          "porting is 409 invalid_state; one not in the inventory 404."
      )
  )
  .add(
    HttpApiEndpoint.post("cancelPort", "/numbers/:number/port/cancel")
      .setPath(NumberPath)
      .setPayload(NoBody)
      .addSuccess(Envelope(PortOutcome))
      .addError(InvalidStateError)
      .annotate(
        OpenApi.Description,
        "Platform admins only (403 for everyone else): the port of a `porting` number failed. The number was never " +
          "the platform's, so it leaves the inventory (status `removed`; not quarantined), with event " +
          "`number.port_failed`; the customer may order its port again. A number not porting is 409 invalid_state; " +
          "one not in the inventory 404."
      )
  )
  .middleware(Authentication)
  .prefix("/api/v1")
{}
