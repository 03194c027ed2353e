import { CreateApiKey, type Role } from "@provisio/core/identity/model"
import { Identity } from "@provisio/core/identity/service"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { bootstrap } from "../bootstrap.js"
import { AppLive } from "../database/layers.js"

/** `provisio api-keys create`: the key's secret is printed once. */
export const createApiKey = (options: {
  readonly account: Option.Option<string>
  readonly role: Role
  readonly name: Option.Option<string>
}) =>
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
