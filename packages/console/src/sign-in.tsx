import { useState } from "preact/hooks"
import { Form } from "./ui/form.js"
import { signInWithFederated, signInWithKey, signInWithPassword } from "./session.js"

/**
 * Email and password (`POST /auth/login`), an API key (what `npm start` prints for the platform
 * admin), or federated sign-in: an identity provider's ID token, returned to this page in the URL
 * fragment (`#provider=<id>&id_token=...`), is exchanged at `POST /auth/federated`.
 */
export const SignIn = () => {
  const [mode, setMode] = useState<"password" | "key">("password")
  const [federated, setFederated] = useState<string | undefined>()
  const fragment = new URLSearchParams(location.hash.slice(1))
  const provider = fragment.get("provider")
  const idToken = fragment.get("id_token")
  if (provider && idToken && federated === undefined) {
    setFederated("Signing in…")
    history.replaceState(null, "", location.pathname)
    void signInWithFederated(provider, idToken).then((error) => setFederated(error ? `Federated sign-in refused: ${(error as { error?: { message?: string } }).error?.message ?? "unknown"}` : ""))
  }
  return (
    <main id="main" class="sign-in">
      <h1>Sign in to Provisio</h1>
      {federated && <p role="status">{federated}</p>}
      <div class="tabs" role="group" aria-label="How to sign in">
        <button type="button" aria-pressed={mode === "password"} onClick={() => setMode("password")}>Email and password</button>
        <button type="button" aria-pressed={mode === "key"} onClick={() => setMode("key")}>API key</button>
      </div>
      {mode === "password" ? (
        <Form
          id="sign-in"
          fields={[
            { name: "email", label: "Email", type: "email", required: true, autoComplete: "username" },
            { name: "password", label: "Password", type: "password", required: true, autoComplete: "current-password" }
          ]}
          submitLabel="Sign in"
          submit={async (v) => ({ error: await signInWithPassword(v["email"] ?? "", v["password"] ?? "") })}
        />
      ) : (
        <Form
          id="sign-in-key"
          fields={[{ name: "key", label: "API key", type: "password", required: true, hint: "pvo_…, as `npm start` prints it on first start", autoComplete: "off" }]}
          submitLabel="Sign in"
          submit={async (v) => ({ error: await signInWithKey((v["key"] ?? "").trim()) })}
        />
      )}
      <p class="hint">Accounts with a federated identity provider sign in through it: the provider returns here with an ID token.</p>
    </main>
  )
}
