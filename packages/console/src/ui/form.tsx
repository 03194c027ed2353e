import type { ComponentChildren } from "preact"
import { useState } from "preact/hooks"
import { type ApiFailure, Notice } from "./kit.js"

export interface FieldSpec {
  readonly name: string
  readonly label: string
  readonly type?: "text" | "email" | "password" | "number" | "select" | "date" | "color" | "textarea" | "url" | "checkbox"
  readonly options?: ReadonlyArray<readonly [value: string, label: string]>
  readonly required?: boolean
  readonly hint?: string
  readonly autoComplete?: string
}

export type Values = Readonly<Record<string, string>>

/**
 * The field an API refusal names (`validation_error` with `field`), matched to a form field by
 * its name or the start of its path: `address.country` and `tiers[0].unit_price` land on the
 * fields named so, or on `tiers`.
 */
const fieldOf = (fields: ReadonlyArray<FieldSpec>, path: string | undefined) => {
  if (path === undefined) return undefined
  const exact = fields.find((f) => f.name === path)
  if (exact) return exact.name
  return fields.find((f) => path.startsWith(`${f.name}.`) || path.startsWith(`${f.name}[`))?.name
}

const idOf = (form: string, name: string) => `${form}-${name.replace(/[^a-z0-9]+/gi, "-")}`

/**
 * A labelled form whose submit answers with the API's error envelope, if any: a field error
 * shows beside its field (and is announced), anything else above the button.
 */
export const Form = ({ id, fields, initial = {}, submit, submitLabel, children, onDone }: {
  id: string
  fields: ReadonlyArray<FieldSpec>
  initial?: Values
  submit: (values: Values) => Promise<{ readonly error?: unknown } | void>
  submitLabel: string
  children?: ComponentChildren
  onDone?: () => void
}) => {
  const [values, setValues] = useState<Values>(initial)
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<Readonly<Record<string, string>>>({})
  const [general, setGeneral] = useState<string | undefined>()
  const [done, setDone] = useState(false)

  const onSubmit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    setErrors({})
    setGeneral(undefined)
    setDone(false)
    try {
      const answer = await submit(values)
      const failure = (answer as { error?: ApiFailure } | undefined)?.error
      if (failure !== undefined) {
        const error = failure.error
        const field = fieldOf(fields, error?.field)
        const message = error?.message ?? error?.code ?? "the request was refused"
        if (field !== undefined) {
          setErrors({ [field]: message })
          document.getElementById(idOf(id, field))?.focus()
        } else setGeneral(error?.field ? `${error.field}: ${message}` : message)
      } else {
        setDone(true)
        onDone?.()
      }
    } catch (error) {
      setGeneral(String(error))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form id={id} class="form" onSubmit={onSubmit} noValidate aria-busy={busy}>
      {fields.map((f) => {
        const inputId = idOf(id, f.name)
        const error = errors[f.name]
        const describedBy = [error ? `${inputId}-error` : "", f.hint ? `${inputId}-hint` : ""].filter(Boolean).join(" ") || undefined
        const common = {
          id: inputId,
          name: f.name,
          required: f.required,
          "aria-invalid": error ? true : undefined,
          "aria-describedby": describedBy,
          autoComplete: f.autoComplete
        }
        const value = values[f.name] ?? ""
        const set = (v: string) => setValues({ ...values, [f.name]: v })
        return (
          <div class={`field${error ? " field-invalid" : ""}`} key={f.name}>
            <label for={inputId}>{f.label}{f.required ? <span aria-hidden="true"> *</span> : null}</label>
            {f.type === "select" ? (
              <select {...common} value={value} onChange={(e) => set(e.currentTarget.value)}>
                {(f.options ?? []).map(([v, l]) => <option value={v}>{l}</option>)}
              </select>
            ) : f.type === "textarea" ? (
              <textarea {...common} value={value} onInput={(e) => set(e.currentTarget.value)} rows={3} />
            ) : f.type === "checkbox" ? (
              <input {...common} type="checkbox" checked={value === "true"} onChange={(e) => set(String(e.currentTarget.checked))} />
            ) : (
              <input {...common} type={(f.type ?? "text") as "text"} value={value} onInput={(e) => set(e.currentTarget.value)} />
            )}
            {f.hint && <small id={`${inputId}-hint`} class="hint">{f.hint}</small>}
            {error && <small id={`${inputId}-error`} class="field-error" role="alert">{error}</small>}
          </div>
        )
      })}
      {children}
      {general && <Notice kind="error">{general}</Notice>}
      {done && <Notice kind="ok">Saved.</Notice>}
      <div class="actions"><button type="submit" class="primary" disabled={busy}>{busy ? "Working…" : submitLabel}</button></div>
    </form>
  )
}

/** Optional text: an empty input is "not given". */
export const opt = (value: string | undefined) => value === undefined || value.trim() === "" ? undefined : value.trim()
