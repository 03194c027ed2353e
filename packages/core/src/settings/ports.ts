import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { PersistenceError } from "../shared/errors.js"
import type { ProviderIdTaken } from "./errors.js"
import type { Branding, ChannelSettings, IdentityProvider, Licensing, Settings, BillingSettings, Legal } from "./model.js"

/** The sections a write replaces; an absent one keeps what is stored (or its default). */
export interface SettingsChanges {
  readonly branding?: Branding | undefined
  readonly licensing?: Licensing | undefined
  readonly billing?: BillingSettings | undefined
  readonly legal?: Legal | undefined
  readonly channel?: ChannelSettings | undefined
  readonly identity_providers?: ReadonlyArray<IdentityProvider> | undefined
}

/** A provider with the account (or customer) that configured it and where that account sits. */
export interface StoredProvider {
  readonly account_id: string
  readonly lineage: ReadonlyArray<string>
  readonly provider: IdentityProvider
}

export class SettingsRepo extends Context.Tag("@provisio/core/SettingsRepo")<SettingsRepo, {
  /** The account's settings, none while it has the defaults. */
  readonly find: (accountId: string) => Effect.Effect<Option.Option<Settings>, PersistenceError>
  /**
   * Writes the given sections atomically (creating the settings with defaults for the others)
   * and answers the whole settings. Fails with `ProviderIdTaken`, writing nothing, when another
   * account holds one of the provider ids.
   */
  readonly save: (
    accountId: string,
    changes: SettingsChanges,
    at: DateTime.Utc
  ) => Effect.Effect<Settings, ProviderIdTaken | PersistenceError>
  /** A provider by its platform-wide id, enabled or not; none when its account no longer exists. */
  readonly findProvider: (id: string) => Effect.Effect<Option.Option<StoredProvider>, PersistenceError>
}>() {}
