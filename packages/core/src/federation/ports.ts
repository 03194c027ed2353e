import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { IdentityProvider } from "../settings/model.js"
import type { PersistenceError } from "../shared/errors.js"
import type { IdTokenRejected } from "./errors.js"
import type { FederatedIdentity, VerifiedClaims } from "./model.js"

/**
 * Checks an OpenID Connect ID token against a provider's configuration: its signature by one of
 * the provider's keys (RS256 or ES256), its issuer, its audience, and its lifetime at `now`
 * within the provider's clock skew.
 */
export class IdTokenVerifier extends Context.Tag("@provisio/core/IdTokenVerifier")<IdTokenVerifier, {
  readonly verify: (
    provider: IdentityProvider,
    idToken: string,
    now: DateTime.Utc
  ) => Effect.Effect<VerifiedClaims, IdTokenRejected>
}>() {}

export class FederatedIdentityRepo extends Context.Tag("@provisio/core/FederatedIdentityRepo")<FederatedIdentityRepo, {
  readonly find: (providerId: string, subject: string) => Effect.Effect<Option.Option<FederatedIdentity>, PersistenceError>
  /** Records the link, replacing any earlier one for the same provider and subject. */
  readonly link: (identity: FederatedIdentity, at: DateTime.Utc) => Effect.Effect<void, PersistenceError>
}>() {}
