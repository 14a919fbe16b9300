// The shape of a row id. A string of another shape names no row: services answer "not found" before the
// database sees it (PostgreSQL would refuse to cast it to uuid, which would surface as an internal error).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);
