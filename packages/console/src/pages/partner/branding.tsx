import { api, type Me } from "../../session.js"
import { Form, opt } from "../../ui/form.js"
import { Busy, Page, ok, useLoad } from "../../ui/kit.js"

/** The account's branding: shown in its console and in its customers' portal. */
export const BrandingPage = (_: { me: Me }) => {
  const settings = useLoad(() => ok(api.GET("/api/v1/settings")), [])
  if (!settings.value) return <Page title="Branding"><Busy /></Page>
  const b = settings.value.branding
  return (
    <Page title="Branding">
      <p>Your customers see this name, colour and logo in their portal.</p>
      <Form id="branding" submitLabel="Save branding"
        fields={[
          { name: "display_name", label: "Display name" },
          { name: "primary_color", label: "Primary colour", hint: "#rrggbb; dark enough for white text" },
          { name: "logo_url", label: "Logo URL", type: "url" },
          { name: "support_email", label: "Support email", type: "email" }
        ]}
        initial={{ display_name: b.display_name ?? "", primary_color: b.primary_color ?? "", logo_url: b.logo_url ?? "", support_email: b.support_email ?? "" }}
        onDone={() => location.reload()}
        submit={(v) => api.PUT("/api/v1/settings", {
          body: {
            branding: {
              display_name: opt(v["display_name"]) ?? null,
              primary_color: opt(v["primary_color"]) ?? null,
              logo_url: opt(v["logo_url"]) ?? null,
              support_email: opt(v["support_email"]) ?? null
            }
          }
        })} />
    </Page>
  )
}
