// Vite's client types (import.meta.env) for the app's modules.
/// <reference types="vite/client" />
