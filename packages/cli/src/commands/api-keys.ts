import { Command, Options } from "@effect/cli"
import { Identity } from "@provisio/core/identity/service"
import { CreateApiKey, Role } from "@provisio/core/identity/model"
import { Console, Effect, Option } from "effect"
import { AppLive } from "../database.js"
import { bootstrap } from "../bootstrap.js"

const account = Options.text("account").pipe(
  Options.withDescription("The account or customer id the key acts as (acc_..., cus_...); the platform when omitted"),
  Options.optional
)
const role = Options.choice("role", Role.literals).pipe(Options.withDescription("admin, manager or viewer"))
const name = Options.text("name").pipe(Options.withDescription("A label to tell keys apart"), Options.optional)

const create = Command.make("create", { account, role, name }, (options) =>
  Effect.gen(function* () {
    yield* bootstrap
    const identity = yield* Identity
    const operator = yield* identity.platformOperator
    const key = yield* identity.createApiKey(operator, new CreateApiKey({
      account_id: Option.getOrUndefined(options.account),
      role: options.role,
      name: Option.getOrUndefined(options.name)
    }))
    yield* Console.log(`${key.id} (${key.role} on ${key.account_id})\n\n  ${key.secret}\n\nThe secret is shown this once.`)
  }).pipe(Effect.provide(AppLive))
).pipe(Command.withDescription("Create an API key; its secret is printed once"))

export const apiKeys = Command.make("api-keys").pipe(
  Command.withDescription("Manage API keys"),
  Command.withSubcommands([create])
)
