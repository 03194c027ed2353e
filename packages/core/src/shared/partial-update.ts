/** A partial update's rule: an absent field keeps the current value, anything else (null too) replaces it. */
export const given = <A>(value: A | undefined, current: A): A => (value === undefined ? current : value)
