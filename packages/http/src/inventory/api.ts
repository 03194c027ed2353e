import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import { Connection, InServiceProduct } from "@provisio/core/inventory/model"
import * as Schema from "effect/Schema"
import { Envelope, PageEnvelope } from "../envelope.js"
import { Authentication } from "../middleware/authentication.js"
import { PageQuery } from "../pagination.js"
import { PathParam } from "../path-params.js"
import { CustomerId } from "@provisio/core/customers/model"
import { SubscriptionId } from "@provisio/core/subscriptions/model"
import { ProductId } from "@provisio/core/catalog/model"

const CustomerPath = Schema.Struct({ customerId: PathParam(CustomerId) })
const ConnectionPath = Schema.Struct({ customerId: PathParam(CustomerId), connectionId: PathParam(SubscriptionId) })
const ProductPath = Schema.Struct({ customerId: PathParam(CustomerId), productId: PathParam(ProductId) })

export class InventoryApi extends HttpApiGroup.make("inventory")
  .add(
    HttpApiEndpoint.get("listConnections", "/customers/:customerId/connections")
      .setPath(CustomerPath)
      .setUrlParams(PageQuery)
      .addSuccess(PageEnvelope(Connection))
      .annotate(
        OpenApi.Description,
        "The customer's connections: its active subscriptions of `connection` products (a connection's id is its subscription's)."
      )
  )
  .add(
    HttpApiEndpoint.get("getConnection", "/customers/:customerId/connections/:connectionId")
      .setPath(ConnectionPath)
      .addSuccess(Envelope(Connection))
  )
  .add(
    HttpApiEndpoint.get("listInServiceProducts", "/customers/:customerId/products")
      .setPath(CustomerPath)
      .setUrlParams(PageQuery)
      .addSuccess(PageEnvelope(InServiceProduct))
      .annotate(
        OpenApi.Description,
        "The products the customer has in service: per product its active subscriptions and the numbers assigned " +
          "(or porting) to the customer."
      )
  )
  .add(
    HttpApiEndpoint.get("getInServiceProduct", "/customers/:customerId/products/:productId")
      .setPath(ProductPath)
      .addSuccess(Envelope(InServiceProduct))
  )
  .middleware(Authentication)
  .prefix("/api/v1")
{}
