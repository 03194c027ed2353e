import createClient, { type Client, type ClientOptions } from "openapi-fetch"
import type { components, operations, paths } from "../generated/schema.js"

/**
 * A typed client of the Provisio API for backends that do not use Effect: `openapi-fetch` over
 * the types openapi-typescript generates from the committed document (`npm run build`, or
 * `npm run client` alone, writes `generated/schema.d.ts`; it is never edited or committed).
 * Paths, parameters, bodies and answers are checked by
 * the compiler; the answer is the envelope the server sends:
 *
 *   const provisio = provisioClient({ baseUrl: "http://localhost:8080", apiKey })
 *   const { data, error } = await provisio.POST("/api/v1/customers", { body: { partner_id, name } })
 *   if (error) console.log(error.error.code)      // "duplicate_customer", "validation_error", ...
 *   else console.log(data.data.id)                 // cus_...
 *
 * Effect programs use `HttpApiClient.make(ProvisioApi)` from `@provisio/http` instead.
 */
export type { components, operations, paths }

/** A resource as the API shows it, by its name in the document: `Schema<"Customer">`. */
export type Schema<Name extends keyof components["schemas"]> = components["schemas"][Name]

export interface ProvisioClientOptions extends Omit<ClientOptions, "baseUrl"> {
  /** The server, e.g. `http://localhost:8080` (the paths carry `/api/v1`). */
  readonly baseUrl: string
  /** An API key (`pvo_...`) or an access token, sent as the bearer. */
  readonly apiKey?: string
}

export type ProvisioClient = Client<paths>

export const provisioClient = ({ apiKey, baseUrl, headers, ...options }: ProvisioClientOptions): ProvisioClient =>
  createClient<paths>({
    ...options,
    baseUrl,
    headers: apiKey === undefined ? headers : { ...(headers as Record<string, string> | undefined), Authorization: `Bearer ${apiKey}` }
  })

/**
 * The payload of a successful answer, or a thrown `ProvisioError` carrying the error envelope:
 * `const customer = await payload(provisio.GET("/api/v1/customers/{customerId}", ...))`.
 */
export const payload = async <Data extends { readonly data: unknown }, Failure>(
  answer: Promise<{ data?: Data; error?: Failure; response: Response }>
): Promise<Data["data"]> => {
  const { data, error, response } = await answer
  if (data !== undefined) return data.data
  throw new ProvisioError(response.status, error)
}

/** A refusal of the API: the status and the error envelope (`body.error.code`, `.message`, `.field`). */
export class ProvisioError extends Error {
  constructor(readonly status: number, readonly body: unknown) {
    const error = (body as { readonly error?: { readonly code?: string; readonly message?: string } } | undefined)?.error
    super(`${status} ${error?.code ?? "error"}: ${error?.message ?? "no message"}`)
    this.name = "ProvisioError"
  }

  /** The error's code (`not_found`, `invalid_state`, ...). */
  get code(): string | undefined {
    return (this.body as { readonly error?: { readonly code?: string } } | undefined)?.error?.code
  }
}
