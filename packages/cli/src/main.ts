import * as Command from "@effect/cli/Command"
import { apiKeys } from "./commands/api-keys.js"
import { catalog } from "./commands/catalog.js"
import { deliveries } from "./commands/deliveries.js"
import { login, whoami } from "./commands/login.js"
import { migrate } from "./commands/migrate.js"
import { numbers } from "./commands/numbers.js"
import { orders } from "./commands/ordering.js"
import { serve } from "./commands/serve.js"
import { subscriptions } from "./commands/subscriptions.js"
import { scheduler, worker } from "./commands/workers.js"
import { users } from "./commands/users.js"
import { usage } from "./commands/usage.js"
import { billing } from "./commands/billing.js"
import { reconcile } from "./commands/reconcile.js"
import { invoices } from "./commands/invoices.js"
import { exportCommand } from "./commands/exports.js"

export const provisio = Command.make("provisio").pipe(
  Command.withDescription("Subscriptions, provisioning and billing for channel sellers"),
  Command.withSubcommands([serve, migrate, apiKeys, users, login, whoami, catalog, numbers, orders, subscriptions, scheduler, deliveries, worker, usage, billing, invoices, reconcile, exportCommand])
)

export const cli = Command.run(provisio, { name: "provisio", version: "0.1.0" })
