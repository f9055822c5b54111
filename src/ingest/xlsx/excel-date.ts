const DAY_MS = 86_400_000;
/** Serial 0 in the 1900 system, counting Excel's phantom 1900-02-29 (serial 60). */
const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1904 = Date.UTC(1904, 0, 1);

/**
 * An Excel date serial as `YYYY-MM-DD HH:MM:SS[.fff]` (naive time, UTC), rounded to the
 * millisecond. The 1900 system repeats Lotus 1-2-3's leap-year bug: serials below 60 are one
 * day later than the epoch implies, and 60 (1900-02-29, a day that never was) reads as
 * 1900-02-28.
 *
 * @example excelSerialToTimestamp(40513.35138888889, false) // '2010-12-01 08:26:00'
 */
export function excelSerialToTimestamp(serial: number, date1904: boolean): string {
  let ms: number;
  if (date1904) ms = EPOCH_1904 + Math.round(serial * DAY_MS);
  else if (serial < 60) ms = EPOCH_1900 + DAY_MS + Math.round(serial * DAY_MS);
  else ms = EPOCH_1900 + Math.round(serial * DAY_MS);
  const iso = new Date(ms).toISOString(); // 2010-12-01T08:26:00.000Z
  const millis = iso.slice(20, 23);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${millis === '000' ? '' : `.${millis}`}`;
}
