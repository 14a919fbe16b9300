export { CsvParser, CsvError, parseCsv, parseCsvString, type CsvRecord, type CsvParseOptions } from './parse';
export { toCsvRow, toCsv, type CsvCell } from './write';
