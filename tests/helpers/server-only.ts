// Stands in for the 'server-only' guard under vitest, which imports server modules directly.
export {};
