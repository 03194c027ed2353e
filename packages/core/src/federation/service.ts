import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { Auth } from "../auth/service.js"
import { SettingsRepo, type StoredProvider } from "../settings/ports.js"
import { Unauthorized } from "../shared/errors.js"
import { UserRepo } from "../users/ports.js"
import { FederatedIdentity, type FederatedSignIn, type VerifiedClaims } from "./model.js"
import { FederatedIdentityRepo, IdTokenVerifier } from "./ports.js"
import { now } from "../shared/time.js"

/**
 * The one answer for an unknown or disabled provider and for any token the provider's keys and
 * settings do not accept: telling them apart would let anyone probe which provider ids exist.
 * The server's log has the reason.
 */
export const TOKEN_NOT_ACCEPTED =
  "the ID token was not accepted: it must be current, issued by the named provider for its client id " +
  "(audience), and signed with one of the provider's keys"

/** A JWT in compact form; checked before the provider is looked up, so it tells nothing about providers. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

export const make = Effect.gen(function* () {
  const settings = yield* SettingsRepo
  const verifier = yield* IdTokenVerifier
  const identities = yield* FederatedIdentityRepo
  const users = yield* UserRepo
  const auth = yield* Auth

  const refuse = (provider: string, reason: string, detail: string) =>
    Effect.logInfo("federated sign-in refused").pipe(
      Effect.annotateLogs({ provider, reason, detail }),
      Effect.zipRight(Effect.fail(new Unauthorized({ message: TOKEN_NOT_ACCEPTED })))
    )

  /** The user, when it belongs to the provider's account or an account or customer below it. */
  const userInScope = (stored: StoredProvider, userId: string) =>
    Effect.map(users.findById(userId), Option.filter((scoped) => scoped.scope.lineage.includes(stored.account_id)))

  /**
   * Who the token's holder is: the user linked to its subject at this provider, or else the
   * user of the provider's account (or below it) with the token's email, when the provider
   * vouches for that email. A first match by email links the subject, so the user keeps
   * signing in when the email changes at the provider.
   */
  const resolveUser = Effect.fn("Federation.resolveUser")(function* (stored: StoredProvider, claims: VerifiedClaims) {
    const { provider } = stored
    const link = Option.filter(
      yield* identities.find(provider.id, claims.subject),
      (l) => l.issuer === provider.issuer && l.account_id === stored.account_id
    )
    const linked = Option.isSome(link) ? yield* userInScope(stored, link.value.user_id) : Option.none()
    if (Option.isSome(linked)) return linked.value.user

    if (claims.email === undefined) {
      return yield* new Unauthorized({
        message: "no user is linked to this identity, and the ID token carries no email address to match one by"
      })
    }
    if (claims.email_verified !== true) {
      return yield* new Unauthorized({
        message: "no user is linked to this identity, and the provider does not vouch for the token's email " +
          "address (email_verified is not true)"
      })
    }
    const byEmail = yield* users.findByEmail(claims.email.trim().toLowerCase())
    const matched = Option.isSome(byEmail) ? yield* userInScope(stored, byEmail.value.user.id) : Option.none()
    if (Option.isNone(matched)) {
      return yield* new Unauthorized({ message: "no user of the provider's account has the ID token's email address" })
    }
    const user = matched.value.user
    yield* identities.link(
      new FederatedIdentity({
        provider_id: provider.id,
        subject: claims.subject,
        issuer: provider.issuer,
        account_id: stored.account_id,
        user_id: user.id
      }),
      yield* now
    )
    return user
  })

  /**
   * `POST /auth/federated`: an ID token from a provider configured in some account's settings,
   * exchanged for our tokens (the same as a password sign-in answers) for the user it names.
   */
  const signIn = Effect.fn("Federation.signIn")(function* (input: FederatedSignIn) {
    if (!JWT_SHAPE.test(input.id_token)) {
      return yield* new Unauthorized({
        field: "id_token",
        message: "must be a JWT in compact form: three base64url parts separated by dots"
      })
    }
    const found = yield* settings.findProvider(input.provider)
    if (Option.isNone(found) || !found.value.provider.enabled) {
      return yield* refuse(input.provider, "unknown_provider", "no enabled provider has this id")
    }
    const stored = found.value
    const claims = yield* verifier.verify(stored.provider, input.id_token, yield* now).pipe(
      Effect.catchTag("IdTokenRejected", (rejected) => refuse(input.provider, rejected.reason, rejected.message))
    )
    const user = yield* resolveUser(stored, claims)
    if (user.status !== "active") {
      return yield* new Unauthorized({ message: "this user is disabled; an admin of its account can enable it" })
    }
    return yield* auth.issueTokens(user)
  })

  return { signIn } as const
})

export class Federation extends Context.Tag("@provisio/core/Federation")<Federation, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(Federation, make)
}
