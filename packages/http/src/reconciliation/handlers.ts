import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Statement } from "@provisio/core/reconciliation/model"
import { Reconciliation } from "@provisio/core/reconciliation/service"
import { ValidationError } from "@provisio/core/shared/errors"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { ProvisioApi } from "../api.js"
import { Envelope } from "../envelope.js"
import { asCaller } from "../middleware/authentication.js"
import { listAsCaller } from "../pagination.js"

const encodeReplay = Schema.encode(Envelope(Statement))

/** XML arrives as bytes: UTF-8, as ISO 20022 messages are. */
const decodeUtf8 = (bytes: Uint8Array) =>
  Effect.try({
    try: () => new TextDecoder("utf-8", { fatal: true }).decode(bytes),
    catch: () => ValidationError.of("body", "the statement is not valid UTF-8")
  })

export const ReconciliationHandlers = HttpApiBuilder.group(ProvisioApi, "reconciliation", (handlers) =>
  Effect.map(Reconciliation, (reconciliation) =>
    handlers
      .handle("importStatement", ({ payload }) =>
        Effect.gen(function* () {
          const input = typeof payload === "string"
            ? { format: "csv" as const, content: payload }
            : { format: "camt053" as const, content: yield* decodeUtf8(payload) }
          const { created, statement } = yield* asCaller((p) => reconciliation.importStatement(p, input))
          if (created) return statement
          // The same statement again: the first import, as 200.
          return HttpServerResponse.unsafeJson(yield* Effect.orDie(encodeReplay(statement)), { status: 200 })
        }))
      .handle("listStatements", ({ urlParams }) => listAsCaller(urlParams, reconciliation.listStatements))
      .handle("getStatement", ({ path }) => asCaller((p) => reconciliation.getStatement(p, path.statementId)))
      .handle("assignLine", ({ path, payload }) => asCaller((p) => reconciliation.assignLine(p, path.lineId, payload)))
  ))
