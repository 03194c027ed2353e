import { Layer } from "effect"
import { ContactRepoLive, CustomerRepoLive, LocationRepoLive, PaymentMethodRepoLive } from "./customers"
import { AccountRepoLive, ApiKeyRepoLive } from "./identity"
import { TransactorLive } from "./transactor"

export { DatabaseConfig, DatabaseLive, describeDatabase, embeddedClient } from "./database"
export { migrate } from "./migrations"

/** Every repository and the transactor, on whichever `SqlClient` the edge provides. */
export const PostgresLive = Layer.mergeAll(
  AccountRepoLive,
  ApiKeyRepoLive,
  CustomerRepoLive,
  ContactRepoLive,
  PaymentMethodRepoLive,
  LocationRepoLive,
  TransactorLive
)
