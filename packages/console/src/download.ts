import { apiBase, currentCredentials, currentTenant } from "./session.js"

/**
 * Downloads a document of the API (an invoice's PDF or UBL, an export) with the caller's bearer:
 * a link cannot carry the header, so the file is fetched and handed to the browser as a blob.
 * Answers the error text, if any.
 */
export const download = async (path: string, filename: string): Promise<string | undefined> => {
  const credentials = currentCredentials()
  const headers = new Headers()
  if (credentials) headers.set("Authorization", `Bearer ${credentials.kind === "key" ? credentials.key : credentials.access}`)
  const tenant = currentTenant()
  if (tenant) headers.set("X-Tenant-ID", tenant.id)
  const response = await fetch(`${apiBase()}${path}`, { headers })
  if (!response.ok) {
    const body = await response.json().catch(() => undefined) as { error?: { message?: string } } | undefined
    return body?.error?.message ?? `${response.status} ${response.statusText}`
  }
  const url = URL.createObjectURL(await response.blob())
  const link = document.createElement("a")
  link.href = url
  link.download = filename
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
  return undefined
}
