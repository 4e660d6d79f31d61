/**
 * Error counts per HTTP status (`{ "503": 12, "504": 3 }`), as records and subjects keep them.
 *
 * Why not `{}` and `{ ...counts }`: V8 keeps integer keys as array elements, and a young object given
 * key 503 gets a backing store of ~770 slots (6 KB); the engine copies these per scope and batch, and that
 * garbage was a third of what the triage path allocated. An object whose elements once needed V8's
 * dictionary mode (an index ≥ 2^30, removed at once) keeps a small hash table instead. Same keys, same
 * order (integer keys always enumerate ascending), same JSON: only the memory layout differs.
 */
const DICTIONARY_INDEX = 2 ** 30;

export function emptyCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  counts[DICTIONARY_INDEX] = 0;
  delete counts[DICTIONARY_INDEX];
  return counts;
}

export function copyCounts(counts: Readonly<Record<string, number>>): Record<string, number> {
  const copy = emptyCounts();
  for (const key of Object.keys(counts)) copy[key] = counts[key] as number;
  return copy;
}
