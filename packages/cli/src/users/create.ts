import type { Role } from "@provisio/core/identity/model"
import { Identity } from "@provisio/core/identity/service"
import { ValidationError } from "@provisio/core/shared/errors"
import { CreateUser } from "@provisio/core/users/model"
import { Users } from "@provisio/core/users/service"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { bootstrap } from "../bootstrap.js"
import { AppLive } from "../database/layers.js"

/** `provisio users create`, as the platform operator. */
export const createUser = (options: {
  readonly account: string
  readonly email: string
  readonly name: string
  readonly role: Role
  readonly password: Option.Option<Redacted.Redacted<string>>
}) =>
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
