import type { Page } from "@provisio/core/shared/pagination"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as ParseResult from "effect/ParseResult"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"
import { sealCursor } from "./cursor-scope.js"

/**
 * The id of the request being served. The request-log middleware sets it around each request,
 * so the schemas below can put it into every answer without handlers passing it along.
 */
export const CurrentRequestId = FiberRef.unsafeMake("req_unknown")

export const API_VERSION = "v1"

const Meta = Schema.Struct({
  request_id: Schema.String,
  api_version: Schema.Literal(API_VERSION)
})

const PageMeta = Schema.Struct({
  ...Meta.fields,
  page: Schema.Struct({ limit: Schema.Int, next_cursor: Schema.NullOr(Schema.String) })
})

const meta = Effect.map(FiberRef.get(CurrentRequestId), (request_id) => ({ request_id, api_version: API_VERSION }) as const)

/** The name a payload has in the document (a class's, an identified schema's), if any. */
const nameOf = (schema: Schema.Schema.All) => Option.getOrUndefined(AST.getJSONIdentifier(AST.typeAST(schema.ast)))

/**
 * Names an envelope after its payload (`CustomerResponse`, `CustomerPage`). Without a name of
 * its own, an envelope of a class would be documented under the class's name: the payload
 * would stand for the envelope, or the envelope for the payload.
 */
const named = <S extends Schema.Schema.All>(envelope: S, payload: Schema.Schema.All, suffix: string): S => {
  const name = nameOf(payload)
  // A JSON identifier, not an identifier: annotating a schema again (as `addSuccess` does with
  // the status) drops its identifier but keeps this.
  return name === undefined
    ? envelope
    : (envelope.annotations({ [AST.JSONIdentifierAnnotationId]: `${name}${suffix}`, description: name }) as S)
}

/**
 * `{ success: true, data, meta }` on the wire, the bare value in handlers and clients. The
 * encoded side is what OpenAPI documents, so the contract shows the envelope as it is sent.
 */
export const Envelope = <A, I, R>(data: Schema.Schema<A, I, R>) =>
  named(
    Schema.transformOrFail(
      Schema.Struct({ success: Schema.Literal(true), data, meta: Meta }),
      Schema.typeSchema(data),
      {
        strict: true,
        decode: (wire) => ParseResult.succeed(wire.data),
        encode: (value) => Effect.map(meta, (m) => ({ success: true as const, data: value, meta: m }))
      }
    ),
    data,
    "Response"
  )

export const PageOf = <A, I, R>(item: Schema.Schema<A, I, R>) =>
  Schema.Struct({
    items: Schema.Array(Schema.typeSchema(item)),
    limit: Schema.Int,
    next_cursor: Schema.NullOr(Schema.String)
  })

/** A list: the items in `data`, `meta.page` telling the limit and the cursor of the next page. */
export const PageEnvelope = <A, I, R>(item: Schema.Schema<A, I, R>) =>
  named(Schema.transformOrFail(
    Schema.Struct({ success: Schema.Literal(true), data: Schema.Array(item), meta: PageMeta }),
    PageOf(item),
    {
      strict: true,
      decode: (wire) =>
        ParseResult.succeed({ items: wire.data, limit: wire.meta.page.limit, next_cursor: wire.meta.page.next_cursor }),
      encode: (page: Page<A>) =>
        Effect.zipWith(meta, sealCursor(page.next_cursor), (m, next_cursor) => ({
          success: true as const,
          data: page.items,
          meta: { ...m, page: { limit: page.limit, next_cursor } }
        }))
    }
  ), item, "Page")

/** `{ success: false, error: { code, message, field? }, meta }`: the body of every failure. */
export const ErrorBody = <const Code extends string>(code: Code) =>
  Schema.Struct({
    success: Schema.Literal(false),
    error: Schema.Struct({
      code: Schema.Literal(code),
      message: Schema.String,
      field: Schema.optional(Schema.String)
    }),
    meta: Meta
  })

export const errorBody = <const Code extends string>(code: Code, message: string, field?: string) =>
  Effect.map(meta, (m) => ({
    success: false as const,
    error: field === undefined ? { code, message } : { code, message, field },
    meta: m
  }))

/**
 * The body of an action that takes no parameters: none, `null` or `{}`. A field sent anyway is 422
 * naming it ({"amount": ...} to settle, {"reason": ...} to void), never dropped unseen as if the
 * action had taken it.
 */
export const NoBody = Schema.NullOr(
  Schema.Record({ key: Schema.String, value: Schema.Unknown }).pipe(Schema.filter((body) => {
    const field = Object.keys(body)[0]
    return field === undefined || { path: [field], message: "is not taken: this action has no parameters (send no body, or {})" }
  }))
).annotations({
  description: "An action without parameters: send no body, or {}."
})
