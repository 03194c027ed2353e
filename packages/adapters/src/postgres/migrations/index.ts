import { Migrator } from "@effect/sql"
import { Effect } from "effect"
import identity from "./0001_identity"
import customers from "./0002_customers"

/**
 * Every migration, numbered; applied in order at start and by `provisio migrate`, recorded in
 * `provisio_migrations`. Never edit one that has shipped: add the next number.
 */
const loader = Migrator.fromRecord({
  "0001_identity": identity,
  "0002_customers": customers
})

/** Applies the migrations not yet recorded and answers the ones it ran. */
export const migrate = Migrator.make({})({ loader, table: "provisio_migrations" }).pipe(
  Effect.withSpan("migrate")
)
