// TEMPORARY: the shapes the core will export through ts-rs (PLAN-7), until
// the generated bindings land.
export type ImportPreview = {
  total: number;
  new_entries: number;
  duplicates: number;
  new_projects: string[];
  new_tags: string[];
};
export type LineError = { line: number; message: string };
export type ImportSummary = {
  imported: number;
  duplicates: number;
  new_projects: string[];
  new_tags: string[];
};
export type ExportSummary = { entries: number; path: string };
