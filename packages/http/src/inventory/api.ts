import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Connection, InServiceProduct } from "@provisio/core/inventory/model"
import { Schema } from "effect"
import { Envelope, PageEnvelope } from "../envelope"
import { Authentication } from "../middleware/authentication"
import { PageQuery } from "../pagination"

const CustomerPath = Schema.Struct({ customerId: Schema.String })
const ConnectionPath = Schema.Struct({ customerId: Schema.String, connectionId: Schema.String })
const ProductPath = Schema.Struct({ customerId: Schema.String, productId: Schema.String })

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
