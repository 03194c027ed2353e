import * as Prompt from "@effect/cli/Prompt"
import * as HttpApiClient from "@effect/platform/HttpApiClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Login, Refresh, type TokenPair } from "@provisio/core/auth/model"
import { ProvisioApi } from "@provisio/http/api"
import * as Console from "effect/Console"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { Credentials, loadCredentials, NotSignedIn, saveCredentials, serverUrl } from "./credentials.js"

const stored = (baseUrl: string, email: string, tokens: TokenPair) =>
  new Credentials({
    url: baseUrl,
    email,
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token,
    expires_at: DateTime.formatIso(tokens.expires_at)
  })

/** The typed client of the server at `baseUrl`, sending `token` as the bearer when given. */
const client = (baseUrl: string, token?: string) =>
  HttpApiClient.make(ProvisioApi, {
    baseUrl,
    transformClient: token === undefined ? undefined : HttpClient.mapRequest(HttpClientRequest.bearerToken(token))
  })

/** `provisio login`: signs in and keeps the tokens for the remote commands. */
export const login = (options: {
  readonly url: Option.Option<string>
  readonly email: string
  readonly password: Option.Option<Redacted.Redacted<string>>
}) =>
  Effect.gen(function* () {
    const baseUrl = yield* serverUrl(options.url, "http://localhost:8080")
    if (Option.isNone(options.password) && process.stdin.isTTY !== true) {
      // A prompt on a closed or piped input waits forever.
      return yield* new NotSignedIn({ message: "no terminal to ask for the password on: pass --password (or run it in a terminal)" })
    }
    const password = Option.isSome(options.password)
      ? options.password.value
      : yield* Prompt.password({ message: `Password for ${options.email}` })
    const api = yield* client(baseUrl)
    const tokens = yield* api.auth.login({ payload: new Login({ email: options.email, password }) })
    const file = yield* saveCredentials(stored(baseUrl, options.email, tokens))
    yield* Console.log(`Signed in to ${baseUrl} as ${options.email}; the tokens are in ${file}.`)
  }).pipe(Effect.provide(NodeHttpClient.layerUndici))

/** `provisio whoami`: who the stored login acts as, asking the server. */
export const whoami = (options: { readonly url: Option.Option<string> }) =>
  Effect.gen(function* () {
    const credentials = yield* loadCredentials
    const baseUrl = yield* serverUrl(options.url, credentials.url)
    const me = (token: string) => Effect.flatMap(client(baseUrl, token), (api) => api.identity.me())
    const answer = yield* me(credentials.access_token).pipe(
      // An expired access token: exchange the refresh token once, keep the new pair, ask again.
      Effect.catchTag("Unauthorized", () =>
        Effect.gen(function* () {
          const api = yield* client(baseUrl)
          const tokens = yield* api.auth.refresh({
            payload: new Refresh({ refresh_token: Redacted.make(credentials.refresh_token) })
          })
          yield* saveCredentials(stored(baseUrl, credentials.email, tokens))
          return yield* me(tokens.access_token)
        }))
    )
    const who = answer.user_id !== undefined ? `user ${answer.user_id}` : `API key ${answer.api_key_id}`
    yield* Console.log(`${who} (${answer.role}) on ${answer.account_kind} ${answer.account_id}, at ${baseUrl}`)
  }).pipe(Effect.provide(NodeHttpClient.layerUndici))
