import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { Principal } from "../identity/model.js"
import { requireAdmin } from "../identity/policy.js"
import { ValidationError } from "../shared/errors.js"
import { Branding, EffectiveBranding, Licensing, Settings, type UpdateSettings } from "./model.js"
import { SettingsRepo, type SettingsChanges } from "./ports.js"
import { resolveProviders, uniqueFeatures } from "./providers.js"
import { now } from "../shared/time.js"
import { changedReadOnlyField } from "../shared/read-only.js"

/**
 * The settings of the caller's account: its own, or the `X-Tenant-ID` target's (the principal
 * is already narrowed to it), so there is never another account's id to reach for.
 */

const READ_ONLY_SETTINGS_FIELDS = {
  account_id: "cannot be changed: these are the settings of the caller's account; to change another account's, send X-Tenant-ID with its id"
} as const
export const make = Effect.gen(function* () {
  const repo = yield* SettingsRepo

  const getSettings = Effect.fn("Settings.getSettings")(function* (principal: Principal) {
    const stored = yield* repo.find(principal.account_id)
    return Option.getOrElse(stored, () => Settings.defaults(principal.account_id))
  })

  /** Admins only. Each section given replaces the stored one; providers are completed by their presets. */
  const updateSettings = Effect.fn("Settings.updateSettings")(function* (principal: Principal, input: UpdateSettings) {
    yield* requireAdmin(principal)
    // Another account's id would otherwise change the caller's own settings while naming the other's.
    const readOnly = changedReadOnlyField(input, READ_ONLY_SETTINGS_FIELDS, () => ({ account_id: principal.account_id }))
    if (readOnly !== undefined) return yield* readOnly
    // Only a seller with accounts below it invoices up the channel: on anyone else it would do nothing.
    if (input.channel?.upstream_invoicing === true && principal.account_kind !== "platform" && principal.account_kind !== "distributor") {
      return yield* ValidationError.of(
        "channel.upstream_invoicing",
        "only the platform (invoicing its distributors) or a distributor (invoicing its reseller partners) invoices up the channel"
      )
    }
    const providers = input.identity_providers === undefined
      ? undefined
      : yield* resolveProviders(input.identity_providers)
    const changes: SettingsChanges = {
      branding: input.branding,
      licensing: input.licensing === undefined
        ? undefined
        : new Licensing({ ...input.licensing, features: uniqueFeatures(input.licensing.features) }),
      billing: input.billing,
      legal: input.legal,
      channel: input.channel,
      identity_providers: providers
    }
    return yield* repo.save(principal.account_id, changes, yield* now).pipe(
      Effect.catchTag("ProviderIdTaken", (taken) =>
        ValidationError.of(
          `identity_providers[${(providers ?? []).findIndex((p) => p.id === taken.provider_id)}].id`,
          `provider id "${taken.provider_id}" is already taken; ids are unique across the platform`
        ))
    )
  })

  /** The caller's own branding, else the nearest one set up its lineage (`EffectiveBranding`). */
  const getBranding = Effect.fn("Settings.getBranding")(function* (principal: Principal) {
    const nearestFirst = [principal.account_id, ...[...principal.lineage].reverse().filter((id) => id !== principal.account_id)]
    for (const id of nearestFirst) {
      const stored = yield* repo.find(id)
      if (Option.isSome(stored) && Object.values(stored.value.branding).some((value) => value !== null)) {
        return new EffectiveBranding({ account_id: id, branding: stored.value.branding })
      }
    }
    return new EffectiveBranding({
      account_id: null,
      branding: new Branding({ display_name: null, logo_url: null, primary_color: null, support_email: null })
    })
  })

  return { getSettings, updateSettings, getBranding } as const
})

export class SettingsService extends Context.Tag("@provisio/core/SettingsService")<SettingsService, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(SettingsService, make)
}
