import { Identity } from "@provisio/core/identity/service"
import { ServerConfig } from "@provisio/http/server"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/** Prints the platform's first admin key, once: on the first start of an empty database. */
export const bootstrap = Effect.gen(function* () {
  const identity = yield* Identity
  const configured = yield* Config.option(Config.string("PROVISIO_BOOTSTRAP_KEY"))
  const generated = yield* identity.bootstrap(configured)
  const { port } = yield* ServerConfig
  if (Option.isSome(generated)) {
    yield* Console.log([
      "",
      "  Provisio created the platform account and its first admin API key.",
      "  It is shown this once; keep it somewhere safe:",
      "",
      `    ${generated.value}`,
      "",
      `  Try: curl -H "Authorization: Bearer ${generated.value}" http://localhost:${port}/api/v1/me`,
      `  or open http://localhost:${port}/console and sign in with it (the API key tab).`,
      ""
    ].join("\n"))
  }
})
