import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Effect from "effect/Effect"
import { createRequire } from "node:module"
import * as path from "node:path"
import { pathToFileURL } from "node:url"

/**
 * `/openapi.json` and `/swagger`, each made on its first request rather than when the server
 * starts: the document takes a tenth of a second to make and Swagger UI's bundle is 2 MB of
 * JavaScript, time a start should not spend on pages most servers never serve.
 */

/** The document the server implements (`OpenApi.fromApi`, finished by document.ts), made once. */
export const OpenApiRouteLive = HttpApiBuilder.Router.use((router) =>
  Effect.gen(function* () {
    const { api } = yield* HttpApi.Api
    const document = yield* Effect.cached(Effect.sync(() => OpenApi.fromApi(api)))
    yield* router.get("/openapi.json", Effect.flatMap(document, (spec) => Effect.orDie(HttpServerResponse.json(spec))))
  })
)

/** Swagger UI's script and style, as `@effect/platform` bundles them for `HttpApiSwagger`. */
const swaggerAssets = Effect.promise(async () => {
  const swagger = createRequire(import.meta.url).resolve("@effect/platform/HttpApiSwagger")
  const assets = path.join(path.dirname(swagger), "internal", "httpApiSwagger.js")
  const module = await import(pathToFileURL(assets).href)
  return { css: String(module.css), javascript: String(module.javascript) }
})

/** Swagger UI reading `/openapi.json`. */
export const SwaggerRouteLive = HttpApiBuilder.Router.use((router) =>
  Effect.gen(function* () {
    const page = yield* Effect.cached(Effect.map(swaggerAssets, ({ css, javascript }) =>
      HttpServerResponse.html(`<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>Provisio API Documentation</title>
  <style>${css}</style>
</head>
<body>
  <div id="swagger-ui"></div>
  <script>
    ${javascript}
    window.onload = () => {
      window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui" });
    };
  </script>
</body>
</html>`)
    ))
    yield* router.get("/swagger", page)
  })
)
