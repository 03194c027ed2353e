import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { Role } from "@provisio/core/identity/model"
import { lazily } from "../lazy.js"

const account = Options.text("account").pipe(
  Options.withDescription("The account or customer id the user acts for (acc_..., cus_...)")
)
const email = Options.text("email").pipe(Options.withDescription("The user's email, unique whatever its case"))
const name = Options.text("name").pipe(Options.withDescription("The user's name"))
const role = Options.choice("role", Role.literals).pipe(Options.withDescription("admin, manager or viewer"))
const password = Options.redacted("password").pipe(
  Options.withDescription("8 to 256 characters; without one, the user signs in only through a federated provider"),
  Options.optional
)

const create = Command.make("create", { account, email, name, role, password }, lazily(() => import("../users/create.js"), (m) => m.createUser))
  .pipe(Command.withDescription("Create a user on the database, as the platform operator"))

export const users = Command.make("users").pipe(
  Command.withDescription("Manage users"),
  Command.withSubcommands([create])
)
