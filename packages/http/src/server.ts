import { HttpApiBuilder, HttpApiSwagger, type HttpApp, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Config, Effect, Layer } from "effect"
import { ProvisioApi } from "./api"
import { createApiServer } from "./node-server"
import { AuthHandlers } from "./auth/handlers"
import { CatalogHandlers } from "./catalog/handlers"
import { CustomersHandlers } from "./customers/handlers"
import { EventsHandlers } from "./events/handlers"
import { DeliveriesHandlers } from "./deliveries/handlers"
import { FederatedHandlers } from "./federated/handlers"
import { IdentityHandlers } from "./identity/handlers"
import { idempotency } from "./middleware/idempotency"
import { ErrorMappingLive } from "./middleware/error-mapping"
import { inputBoundary } from "./middleware/input-boundary"
import { RateLimitedAuthenticationLive } from "./middleware/rate-limit"
import { requestLog } from "./middleware/request-log"
import { NumbersHandlers } from "./numbers/handlers"
import { OpsHandlers } from "./ops/handlers"
import { OrderingHandlers } from "./ordering/handlers"
import { ProvisioningHandlers } from "./provisioning/handlers"
import { WebhooksHandlers } from "./webhooks/handlers"
import { SubscriptionsHandlers } from "./subscriptions/handlers"
import { ActivationsHandlers } from "./activations/handlers"
import { SupportHandlers } from "./support/handlers"
import { InvoicesHandlers } from "./invoices/handlers"
import { UsageHandlers } from "./usage/handlers"
import { PaymentsHandlers } from "./payments/handlers"
import { CommissionsHandlers } from "./commissions/handlers"
import { BillingHandlers } from "./billing/handlers"
import { InventoryHandlers } from "./inventory/handlers"
import { NumberOrdersHandlers } from "./number-orders/handlers"
import { SettingsHandlers } from "./settings/handlers"
import { UsersHandlers } from "./users/handlers"

/** The API implemented: needs the core's services (and `SqlClient` for the readiness probe). */
export const ApiLive = HttpApiBuilder.api(ProvisioApi).pipe(
  Layer.provide([OpsHandlers, IdentityHandlers, CustomersHandlers, CatalogHandlers, NumbersHandlers, SettingsHandlers, FederatedHandlers, UsersHandlers, AuthHandlers, OrderingHandlers, SubscriptionsHandlers, ActivationsHandlers, SupportHandlers, InvoicesHandlers, UsageHandlers, PaymentsHandlers, CommissionsHandlers, BillingHandlers, InventoryHandlers, NumberOrdersHandlers, EventsHandlers, ProvisioningHandlers, WebhooksHandlers, DeliveriesHandlers, ErrorMappingLive]),
  // Authentication, then the caller's rate limit.
  Layer.provide(RateLimitedAuthenticationLive)
)

/**
 * What wraps the API wherever it is served (`HttpAppLive`, or a host's `toWebHandler`): the
 * request id and log line, the input boundary, then idempotency keys.
 */
export const apiMiddleware = <E, R>(app: HttpApp.Default<E, R>) => requestLog(inputBoundary(idempotency(app)))

/** The routes of the API plus `/openapi.json` and `/swagger`, on whatever `HttpServer` is provided. */
export const HttpAppLive = HttpApiBuilder.serve(apiMiddleware).pipe(
  Layer.provide(HttpApiSwagger.layer({ path: "/swagger" })),
  Layer.provide(HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" })),
  Layer.provide(ApiLive)
)

export const ServerConfig = Config.all({
  port: Config.port("PORT").pipe(Config.withDefault(8080)),
  host: Config.string("HOST").pipe(Config.withDefault("0.0.0.0"))
})

/** `HttpAppLive` served by Node on `PORT` (default 8080). */
export const ServerLive = HttpAppLive.pipe(
  HttpServer.withLogAddress,
  Layer.provide(Layer.unwrapEffect(
    Effect.map(ServerConfig, ({ host, port }) => NodeHttpServer.layer(createApiServer, { port, host }))
  ))
)
