import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { Role } from "@provisio/core/identity/model"
import { lazily } from "../lazy.js"

const account = Options.text("account").pipe(
  Options.withDescription("The account or customer id the key acts as (acc_..., cus_...); the platform when omitted"),
  Options.optional
)
const role = Options.choice("role", Role.literals).pipe(Options.withDescription("admin, manager or viewer"))
const name = Options.text("name").pipe(Options.withDescription("A label to tell keys apart"), Options.optional)

const create = Command.make("create", { account, role, name }, lazily(() => import("../api-keys/create.js"), (m) => m.createApiKey))
  .pipe(Command.withDescription("Create an API key; its secret is printed once"))

export const apiKeys = Command.make("api-keys").pipe(
  Command.withDescription("Manage API keys"),
  Command.withSubcommands([create])
)
