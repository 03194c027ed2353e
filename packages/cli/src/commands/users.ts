import { Command, Options } from "@effect/cli"
import { Role } from "@provisio/core/identity/model"
import { Identity } from "@provisio/core/identity/service"
import { CreateUser } from "@provisio/core/users/model"
import { Users } from "@provisio/core/users/service"
import { ValidationError } from "@provisio/core/shared/errors"
import { Console, Effect, Option, ParseResult, Redacted, Schema } from "effect"
import { AppLive } from "../database.js"
import { bootstrap } from "../bootstrap.js"

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

const create = Command.make("create", { account, email, name, role, password }, (options) =>
  Effect.gen(function* () {
    yield* bootstrap
    const identity = yield* Identity
    const users = yield* Users
    const operator = yield* identity.platformOperator
    // Decoded like the API's body, so the same rules (and messages) apply.
    const input = yield* Schema.decodeUnknown(CreateUser)({
      account_id: options.account,
      email: options.email,
      name: options.name,
      role: options.role,
      ...Option.match(options.password, { onNone: () => ({}), onSome: (p) => ({ password: Redacted.value(p) }) })
    }).pipe(
      // One line naming the option, as the API's 422 names the field.
      Effect.mapError((error) => {
        const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
        return new ValidationError({ field: issue?.path.map(String).join("."), message: issue?.message ?? error.message })
      })
    )
    const user = yield* users.createUser(operator, input)
    yield* Console.log(`${user.id} ${user.email} (${user.role} on ${user.account_id})`)
  }).pipe(Effect.provide(AppLive))
).pipe(Command.withDescription("Create a user on the database, as the platform operator"))

export const users = Command.make("users").pipe(
  Command.withDescription("Manage users"),
  Command.withSubcommands([create])
)
