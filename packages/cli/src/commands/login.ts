import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { lazily } from "../lazy.js"

const load = () => import("../auth/login.js")

const url = Options.text("url").pipe(
  Options.withDescription("The server, e.g. http://localhost:8080 (default: PROVISIO_URL, else the stored login's)"),
  Options.optional
)

export const login = Command.make(
  "login",
  {
    url,
    email: Options.text("email").pipe(Options.withDescription("The user's email")),
    password: Options.redacted("password").pipe(
      Options.withDescription("The password (prompted for when left out, which keeps it out of the shell's history)"),
      Options.optional
    )
  },
  lazily(load, (m) => m.login)
).pipe(Command.withDescription("Sign in to a running server and keep the tokens for the remote commands"))

export const whoami = Command.make("whoami", { url }, lazily(load, (m) => m.whoami))
  .pipe(Command.withDescription("Show who the stored login acts as, asking the server (GET /api/v1/me)"))
