export * from "./model"
export * from "./ports"
export * from "./service"
export * from "./views"
