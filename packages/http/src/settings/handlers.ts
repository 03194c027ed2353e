import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { SettingsService } from "@provisio/core/settings/service"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"
import { asCaller } from "../middleware/authentication.js"

export const SettingsHandlers = HttpApiBuilder.group(ProvisioApi, "settings", (handlers) =>
  Effect.map(SettingsService, (settings) =>
    handlers
      .handle("getSettings", () => asCaller(settings.getSettings))
      .handle("updateSettings", ({ payload }) => asCaller((p) => settings.updateSettings(p, payload)))
      .handle("getBranding", () => asCaller(settings.getBranding))
  ))
