import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { ProvisioApi } from "./api.js"
import { createApiServer } from "./node-server.js"
import { type DirectReads, type HandOver, makeDirectReads } from "./direct-reads.js"
import { makeDirectWrites } from "./direct-writes.js"
import { AuthHandlers } from "./auth/handlers.js"
import { CatalogHandlers } from "./catalog/handlers.js"
import { CustomersHandlers } from "./customers/handlers.js"
import { EventsHandlers } from "./events/handlers.js"
import { DeliveriesHandlers } from "./deliveries/handlers.js"
import { FederatedHandlers } from "./federated/handlers.js"
import { IdentityHandlers } from "./identity/handlers.js"
import { idempotency } from "./middleware/idempotency.js"
import { ErrorMappingLive } from "./middleware/error-mapping.js"
import { inputBoundary } from "./middleware/input-boundary.js"
import { RateLimitedAuthenticationLive } from "./middleware/rate-limit.js"
import { OpenApiRouteLive, SwaggerRouteLive } from "./openapi/routes.js"
import { ConsoleRouteLive } from "./console/static.js"
import { RequestLog, requestLog } from "./middleware/request-log.js"
import { NumbersHandlers } from "./numbers/handlers.js"
import { OpsHandlers } from "./ops/handlers.js"
import { OrderingHandlers } from "./ordering/handlers.js"
import { ProvisioningHandlers } from "./provisioning/handlers.js"
import { WebhooksHandlers } from "./webhooks/handlers.js"
import { SubscriptionsHandlers } from "./subscriptions/handlers.js"
import { ActivationsHandlers } from "./activations/handlers.js"
import { SupportHandlers } from "./support/handlers.js"
import { InvoicesHandlers } from "./invoices/handlers.js"
import { DocumentsHandlers } from "./documents/handlers.js"
import { UsageHandlers } from "./usage/handlers.js"
import { PaymentsHandlers } from "./payments/handlers.js"
import { ReconciliationHandlers } from "./reconciliation/handlers.js"
import { CommissionsHandlers } from "./commissions/handlers.js"
import { TaxHandlers } from "./tax/handlers.js"
import { PricingHandlers } from "./pricing/handlers.js"
import { CreditNotesHandlers } from "./credit-notes/handlers.js"
import { BillingHandlers } from "./billing/handlers.js"
import { InventoryHandlers } from "./inventory/handlers.js"
import { NumberOrdersHandlers } from "./number-orders/handlers.js"
import { SettingsHandlers } from "./settings/handlers.js"
import { CollectionHandlers } from "./collection/handlers.js"
import { GatewaysHandlers } from "./gateways/handlers.js"
import { UsersHandlers } from "./users/handlers.js"
import { ExportsHandlers } from "./exports/handlers.js"
import { ChannelHandlers } from "./channel/handlers.js"

/** The API implemented: needs the core's services (and `SqlClient` for the readiness probe). */
export const ApiLive = HttpApiBuilder.api(ProvisioApi).pipe(
  Layer.provide([OpsHandlers, IdentityHandlers, CustomersHandlers, CatalogHandlers, NumbersHandlers, SettingsHandlers, FederatedHandlers, UsersHandlers, AuthHandlers, OrderingHandlers, SubscriptionsHandlers, ActivationsHandlers, SupportHandlers, InvoicesHandlers, DocumentsHandlers, UsageHandlers, PaymentsHandlers, CommissionsHandlers, TaxHandlers, PricingHandlers, CreditNotesHandlers, BillingHandlers, InventoryHandlers, NumberOrdersHandlers, EventsHandlers, ProvisioningHandlers, WebhooksHandlers, DeliveriesHandlers, CollectionHandlers, ErrorMappingLive]),
  Layer.provide(ReconciliationHandlers),
  Layer.provide(GatewaysHandlers),
  Layer.provide(ExportsHandlers),
  Layer.provide(ChannelHandlers),
  // Authentication, then the caller's rate limit.
  Layer.provide(RateLimitedAuthenticationLive)
)

/**
 * What wraps the API wherever it is served (`HttpAppLive`, or a host's `toWebHandler`): the
 * request id and log line, the input boundary, then idempotency keys. Each is one `flatMap` for a
 * request it has nothing to do with (a bodiless `GET` passes the last two at once).
 */
export const apiMiddleware = <E, R>(app: HttpApp.Default<E, R>) => requestLog(inputBoundary(idempotency(app)))

/** The routes of the API plus `/openapi.json` and `/swagger`, on whatever `HttpServer` is provided. */
export const HttpAppLive = HttpApiBuilder.serve(apiMiddleware).pipe(
  Layer.provide(ConsoleRouteLive),
  Layer.provide(SwaggerRouteLive),
  Layer.provide(OpenApiRouteLive),
  Layer.provide(ApiLive)
)

export const ServerConfig = Config.all({
  port: Config.port("PORT").pipe(Config.withDefault(8080)),
  host: Config.string("HOST").pipe(Config.withDefault("0.0.0.0"))
})

/**
 * `HttpAppLive` served by Node on `port` and `host`: `/healthz` by Node itself when the server
 * writes its log lines, the requests `direct` takes (direct-reads.ts, direct-writes.ts), the rest by the app.
 */
export const serveApiWith = <E, R>(
  address: { readonly port: number; readonly host?: string },
  direct: Effect.Effect<(handOver: HandOver) => DirectReads, E, R>
) =>
  HttpAppLive.pipe(
    Layer.provideMerge(Layer.unwrapEffect(
      Effect.map(
        Effect.zip(RequestLog, direct),
        ([log, direct]) => NodeHttpServer.layer(() => createApiServer({ log, direct }), address)
      )
    ))
  )

/** The direct reads and writes together: a request either takes is not offered to the other. */
export const makeDirectRoutes = Effect.map(Effect.zip(makeDirectReads, makeDirectWrites), ([reads, writes]) =>
  (handOver: HandOver): DirectReads => {
    const read = reads(handOver)
    const write = writes(handOver)
    return (request, response) => read(request, response) || write(request, response)
  })

/** `serveApiWith` the direct reads and writes (`makeDirectRoutes`). */
export const serveApi = (address: { readonly port: number; readonly host?: string }) =>
  serveApiWith(address, makeDirectRoutes)

/** `serveApi` on `PORT` (default 8080) and `HOST`. */
export const ServerLive = Layer.unwrapEffect(Effect.map(ServerConfig, serveApi)).pipe(HttpServer.withLogAddress)
