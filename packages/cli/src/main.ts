import { Command } from "@effect/cli"
import { apiKeys } from "./commands/api-keys"
import { catalog } from "./commands/catalog"
import { deliveries } from "./commands/deliveries"
import { login, whoami } from "./commands/login"
import { migrate } from "./commands/migrate"
import { numbers } from "./commands/numbers"
import { orders } from "./commands/ordering"
import { serve } from "./commands/serve"
import { subscriptions } from "./commands/subscriptions"
import { scheduler, worker } from "./commands/workers"
import { users } from "./commands/users"
import { usage } from "./commands/usage"
import { billing } from "./commands/billing"

export const provisio = Command.make("provisio").pipe(
  Command.withDescription("Subscriptions, provisioning and billing for channel sellers"),
  Command.withSubcommands([serve, migrate, apiKeys, users, login, whoami, catalog, numbers, orders, subscriptions, scheduler, deliveries, worker, usage, billing])
)

export const cli = Command.run(provisio, { name: "provisio", version: "0.1.0" })
