import { Customers } from "@provisio/core/customers/service"
import { Identity } from "@provisio/core/identity/service"
import { Layer } from "effect"
import { SecretsLive } from "./crypto/secrets"
import { PostgresLive } from "./postgres"

/**
 * The core's use cases on the Postgres adapters: what the server, the CLI and the tests run.
 * Needs only a `SqlClient` (a server's, or the embedded database's).
 */
export const ServicesLive = Layer.mergeAll(Identity.layer, Customers.layer).pipe(
  Layer.provide(Layer.mergeAll(PostgresLive, SecretsLive))
)
