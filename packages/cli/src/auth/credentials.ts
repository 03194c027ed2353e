import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as os from "node:os"

/** What `provisio login` keeps for the remote commands: where, as whom, and the tokens. */
export class Credentials extends Schema.Class<Credentials>("Credentials")({
  url: Schema.String,
  email: Schema.String,
  access_token: Schema.String,
  refresh_token: Schema.String,
  expires_at: Schema.String
}) {}

/** `$PROVISIO_CONFIG_DIR`, else `~/.config/provisio`. */
export const configDir = Config.string("PROVISIO_CONFIG_DIR").pipe(
  Config.withDefault(`${os.homedir()}/.config/provisio`)
)

const credentialsFile = Effect.gen(function* () {
  const path = yield* Path.Path
  return path.join(yield* configDir, "credentials.json")
})

/** Written readable by its owner only (0600), in a folder only the owner may enter (0700). */
export const saveCredentials = (credentials: Credentials) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const file = yield* credentialsFile
    yield* fs.makeDirectory(path.dirname(file), { recursive: true, mode: 0o700 })
    const json = JSON.stringify(yield* Schema.encode(Credentials)(credentials), null, 2)
    yield* fs.writeFileString(file, `${json}\n`, { mode: 0o600 })
    // `mode` applies only when the file is created: an older file keeps its own without this.
    yield* fs.chmod(file, 0o600)
    return file
  })

export class NotSignedIn extends Schema.TaggedError<NotSignedIn>()("NotSignedIn", {
  message: Schema.String
}) {}

export const loadCredentials = Effect.gen(function* () {
  const fs = yield* FileSystem.FileSystem
  const file = yield* credentialsFile
  if (!(yield* fs.exists(file))) {
    return yield* new NotSignedIn({ message: `no stored login in ${file}; run: provisio login --url <server> --email <email>` })
  }
  const text = yield* fs.readFileString(file)
  return yield* Schema.decodeUnknown(Schema.parseJson(Credentials))(text).pipe(
    Effect.mapError(() => new NotSignedIn({ message: `${file} is not a login this CLI stored; run provisio login again` }))
  )
})

/** `--url`, else `PROVISIO_URL`, else what the stored login or the default names. */
export const serverUrl = (option: Option.Option<string>, fallback: string) =>
  Option.match(option, {
    onSome: Effect.succeed,
    onNone: () => Config.string("PROVISIO_URL").pipe(Config.withDefault(fallback))
  })
