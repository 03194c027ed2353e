import { HttpServerRequest, type HttpApp } from "@effect/platform"
import { Effect } from "effect"

/**
 * The API speaks JSON only, so a body is read as JSON whatever its Content-Type claims:
 * `curl -d '{...}'` labels it a form, and a form parsed as one would only report every field
 * missing.
 */
export const jsonBodies = <E, R>(app: HttpApp.Default<E, R>) =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    const contentType = request.headers["content-type"]
    if (contentType === undefined || contentType.includes("application/json")) return app
    const asJson = request.modify({ headers: { ...request.headers, "content-type": "application/json" } })
    // `HttpApp.toWebHandler` answers through a callback it stores on the request object under
    // this symbol; the modified copy must carry it, or an embedded server never answers.
    const resolve = Symbol.for("@effect/platform/HttpApp/resolve")
    if (resolve in request) Object.assign(asJson, { [resolve]: (request as unknown as Record<symbol, unknown>)[resolve] })
    return Effect.provideService(app, HttpServerRequest.HttpServerRequest, asJson)
  })
