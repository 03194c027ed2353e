import { Command } from "@effect/cli"
import { apiKeys } from "./commands/api-keys"
import { migrate } from "./commands/migrate"
import { serve } from "./commands/serve"

export const provisio = Command.make("provisio").pipe(
  Command.withDescription("Subscriptions, provisioning and billing for channel sellers"),
  Command.withSubcommands([serve, migrate, apiKeys])
)

export const cli = Command.run(provisio, { name: "provisio", version: "0.1.0" })
