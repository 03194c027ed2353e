import { Migrator } from "@effect/sql"
import { Effect } from "effect"
import identity from "./0001_identity"
import customers from "./0002_customers"
import users from "./0003_users"
import settings from "./0004_settings"
import requestGuards from "./0005_request_guards"
import catalog from "./0006_catalog"
import numbers from "./0007_numbers"
import ordersSubscriptions from "./0008_orders_subscriptions"
import push from "./0009_push"
import deliveries from "./0010_deliveries"
import activationsNumberOrders from "./0011_activations_number_orders"
import support from "./0012_support"
import billing from "./0013_billing"
import billingChunks from "./0014_billing_chunks"
import eventsJson from "./0015_events_json"
import usageTotals from "./0016_usage_totals"

/**
 * Every migration, numbered; applied in order at start and by `provisio migrate`, recorded in
 * `provisio_migrations`. Never edit one that has shipped: add the next number.
 */
export const migrations = {
  "0001_identity": identity,
  "0002_customers": customers,
  "0003_users": users,
  "0004_settings": settings,
  "0005_request_guards": requestGuards,
  "0006_catalog": catalog,
  "0007_numbers": numbers,
  "0008_orders_subscriptions": ordersSubscriptions,
  "0009_push": push,
  "0010_deliveries": deliveries,
  "0011_activations_number_orders": activationsNumberOrders,
  "0012_support": support,
  "0013_billing": billing,
  "0014_billing_chunks": billingChunks,
  "0015_events_json": eventsJson,
  "0016_usage_totals": usageTotals
}

const loader = Migrator.fromRecord(migrations)

/** Applies the migrations not yet recorded and answers the ones it ran. */
export const migrate = Migrator.make({})({ loader, table: "provisio_migrations" }).pipe(
  Effect.withSpan("migrate")
)
