import { HttpApiBuilder } from "@effect/platform"
import { SettingsService } from "@provisio/core/settings/service"
import { Effect } from "effect"
import { ProvisioApi } from "../api.js"
import { asCaller } from "../middleware/authentication.js"

export const SettingsHandlers = HttpApiBuilder.group(ProvisioApi, "settings", (handlers) =>
  Effect.map(SettingsService, (settings) =>
    handlers
      .handle("getSettings", () => asCaller(settings.getSettings))
      .handle("updateSettings", ({ payload }) => asCaller((p) => settings.updateSettings(p, payload)))
  ))
