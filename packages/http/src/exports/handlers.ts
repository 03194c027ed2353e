import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Exports } from "@provisio/core/exports/service"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { ProvisioApi } from "../api.js"
import { asCaller } from "../middleware/authentication.js"

export const ExportsHandlers = HttpApiBuilder.group(ProvisioApi, "exports", (handlers) =>
  Effect.map(Exports, (exports) =>
    handlers.handle("getExport", ({ path, urlParams }) =>
      asCaller((principal) =>
        Effect.map(
          exports.download(principal, { kind: path.kind, period: urlParams.period, format: urlParams.format ?? "csv" }),
          (download) =>
            // The body is pulled batch by batch as the client reads: each batch one short query.
            HttpServerResponse.stream(Stream.encodeText(download.text), {
              contentType: download.contentType,
              headers: {
                "content-disposition": `attachment; filename="${download.filename}"`,
                "cache-control": "no-store"
              }
            })
        )
      ))
  ))
