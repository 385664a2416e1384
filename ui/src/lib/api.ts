// Typed wrappers over the Tauri commands. The types come from Rust (ts-rs,
// src/lib/bindings); errors arrive as { code, message } and become ApiError
// so views can branch on the stable code and show the message.
import { invoke } from '@tauri-apps/api/core';
import type { AppInfo } from './bindings/AppInfo';
import type { Day } from './bindings/Day';
import type { Entry } from './bindings/Entry';
import type { ErrorCode } from './bindings/ErrorCode';
import type { ErrorPayload } from './bindings/ErrorPayload';
import type { Project } from './bindings/Project';
import type { Client } from './bindings/Client';
import type { Tag } from './bindings/Tag';
import type { StartOutcome } from './bindings/StartOutcome';
import type { LogStatus } from './bindings/LogStatus';
import type { MetricsStatus } from './bindings/MetricsStatus';
import type { ApiStatus } from './bindings/ApiStatus';
import type { Webhook } from './bindings/Webhook';
import type { Delivery } from './bindings/Delivery';
import type { TelemetryStatus } from './bindings/TelemetryStatus';
import type { Inspection } from './bindings/Inspection';
import type { QueuedPage } from './bindings/QueuedPage';
import type { Payload } from './bindings/Payload';
import type { CrashTestResult } from './bindings/CrashTestResult';
import type { Deleted } from './bindings/Deleted';
import type { ExportDone } from './bindings/ExportDone';
import type { ChosenFile } from './bindings/ChosenFile';
import type { BundleSaved } from './bindings/BundleSaved';
import type { EntryPatch } from './bindings/EntryPatch';
import type { UiErrorReport } from './bindings/UiErrorReport';
import type { NewEntry } from './bindings/NewEntry';
import type { ProjectBilling } from './bindings/ProjectBilling';
import type { Amount } from './bindings/Amount';
import type { DayTotal } from './bindings/DayTotal';
import type { ProjectTotal } from './bindings/ProjectTotal';
import type { Report } from './bindings/Report';
import type { TagTotal } from './bindings/TagTotal';
import type { ImportPreview } from './bindings/ImportPreview';
import type { ImportSummary } from './bindings/ImportSummary';
import type { DesktopSettings } from './bindings/DesktopSettings';
import type { Reminders } from './bindings/Reminders';
import type { IdlePrompt } from './bindings/IdlePrompt';
import type { IdleDecision } from './bindings/IdleDecision';
import type { StaleTimer } from './bindings/StaleTimer';
import type { StaleDecision } from './bindings/StaleDecision';
import type { SyncConflict } from './bindings/SyncConflict';
import type { SyncReport } from './bindings/SyncReport';
import type { SyncStatus } from './bindings/SyncStatus';
import type { SyncPeer } from './bindings/SyncPeer';
import type { SyncProblem } from './bindings/SyncProblem';
import type { Check } from './bindings/Check';
import type { CheckStatus } from './bindings/CheckStatus';
import type { DoctorReport } from './bindings/DoctorReport';
import type { BundlePreview } from './bindings/BundlePreview';
import type { BundleFile } from './bindings/BundleFile';
import type { ImportFormat } from './bindings/ImportFormat';
import type { ExportFormat } from './bindings/ExportFormat';
import type { LineError } from './bindings/LineError';
import type { ImportFailure } from './bindings/ImportFailure';
import type { DesktopStatus } from './bindings/DesktopStatus';
import type { EntryPage } from './bindings/EntryPage';
import type { Paused } from './bindings/Paused';
import type { WorkHours } from './bindings/WorkHours';
import type { WorkProgress } from './bindings/WorkProgress';
import type { Progress } from './bindings/Progress';
import type { Balance } from './bindings/Balance';
import type { IcsDays } from './bindings/IcsDays';
import type { PageAt } from './bindings/PageAt';
import type { CalendarDay } from './bindings/CalendarDay';
import type { CalendarEdit } from './bindings/CalendarEdit';
import type { CalendarSpan } from './bindings/CalendarSpan';

export type {
  Client,
  Tag,
  Amount,
  CalendarDay,
  CalendarEdit,
  CalendarSpan,
  Balance,
  IcsDays,
  Progress,
  WorkHours,
  WorkProgress,
  Paused,
  EntryPage,
  PageAt,
  AppInfo,
  BundleFile,
  BundlePreview,
  BundleSaved,
  Check,
  ChosenFile,
  CheckStatus,
  DoctorReport,
  CrashTestResult,
  Day,
  DayTotal,
  Deleted,
  DesktopSettings,
  DesktopStatus,
  Entry,
  EntryPatch,
  ExportDone,
  ErrorCode,
  ExportFormat,
  ImportFailure,
  ImportFormat,
  ImportPreview,
  ImportSummary,
  IdleDecision,
  IdlePrompt,
  Inspection,
  QueuedPage,
  Payload,
  LineError,
  LogStatus,
  MetricsStatus,
  ApiStatus,
  Webhook,
  Delivery,
  NewEntry,
  Project,
  ProjectBilling,
  ProjectTotal,
  Reminders,
  Report,
  StaleDecision,
  StaleTimer,
  StartOutcome,
  SyncConflict,
  SyncPeer,
  SyncProblem,
  SyncReport,
  SyncStatus,
  TagTotal,
  TelemetryStatus,
};

/** The core's codes, plus the one the UI gives an error that did not come
 * from the core (a failed invoke, a bug in the UI). */
export type ApiErrorCode = ErrorCode | 'app.unexpected';

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** Line-numbered problems, for errors about a file (`import.invalid`):
     * the import commands fail with an ImportFailure, whose message lists
     * only the first few. */
    readonly lines: LineError[] = [],
    /** Problems found beyond those in `lines`. */
    readonly omitted = 0,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function lineErrors(value: unknown): LineError[] {
  const lines = (value as Partial<ImportFailure>).lines;
  if (!Array.isArray(lines)) return [];
  return lines.filter(
    (l): l is LineError => typeof l?.line === 'number' && typeof l?.message === 'string',
  );
}

function isPayload(value: unknown): value is ErrorPayload {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ErrorPayload).code === 'string' &&
    typeof (value as ErrorPayload).message === 'string'
  );
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isPayload(error)) {
    const omitted = (error as Partial<ImportFailure>).omitted;
    return new ApiError(
      error.code,
      error.message,
      lineErrors(error),
      typeof omitted === 'number' ? omitted : 0,
    );
  }
  return new ApiError('app.unexpected', error instanceof Error ? error.message : String(error));
}

/** The command the UI ran last, sent along with UI errors for context. */
export let lastCommand: string | null = null;

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  lastCommand = command;
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toApiError(error);
  }
}

export const api = {
  appInfo: () => call<AppInfo>('app_info'),
  listProjects: (includeArchived = false) => call<Project[]>('projects_list', { includeArchived }),
  createProject: (name: string, color?: string) =>
    call<Project>('project_create', { name, color: color ?? null }),
  renameProject: (id: number, name: string) => call<Project>('project_rename', { id, name }),
  archiveProject: (id: number) => call<Project>('project_archive', { id }),
  restoreProject: (id: number) => call<Project>('project_restore', { id }),
  startTimer: (projectId: number | null, description: string) =>
    call<StartOutcome>('timer_start', { projectId, description }),
  stopTimer: () => call<Entry>('timer_stop'),
  timerStatus: () => call<Entry | null>('timer_status'),
  pauseTimer: () => call<Entry>('timer_pause'),
  resumeTimer: () => call<StartOutcome>('timer_resume'),
  pausedTimer: () => call<Paused | null>('timer_paused'),
  recentDays: (days: number) => call<Day[]>('entries_recent', { days }),
  entriesPage: (at: PageAt, limit: number) => call<EntryPage>('entries_page', { at, limit }),
  calendarSpan: (from: string, days: number) => call<CalendarSpan>('calendar_span', { from, days }),
  calendarEdit: (id: number, edit: CalendarEdit) => call<Entry>('calendar_edit', { id, edit }),
  workHours: () => call<WorkHours>('work_hours_get'),
  setWorkHours: (hours: WorkHours) => call<WorkHours>('work_hours_set', { hours }),
  parseHolidays: (text: string) => call<IcsDays>('work_hours_parse_ics', { text }),
  workProgress: (firstDay: number) => call<WorkProgress | null>('work_progress', { firstDay }),
  addEntry: (entry: NewEntry) => call<Entry>('entry_add', { entry }),
  updateEntry: (id: number, patch: EntryPatch) => call<Entry>('entry_update', { id, patch }),
  deleteEntry: (id: number) => call<Deleted>('entry_delete', { id }),
  // Only the token: the undo data stays in the core.
  restoreEntry: (deleted: Deleted) => call<Entry>('entry_restore', { undo: deleted.undo }),
  setProjectBilling: (id: number, billing: ProjectBilling) =>
    call<Project>('project_set_billing', { id, billing }),
  listClients: () => call<string[]>('clients_list'),
  listTags: () => call<string[]>('tags_list'),
  /** Clients on their own, with how many projects each is billed to. */
  clients: (includeArchived = false) => call<Client[]>('clients_all', { includeArchived }),
  createClient: (name: string) => call<Client>('client_create', { name }),
  renameClient: (id: number, name: string) => call<Client>('client_rename', { id, name }),
  setClientArchived: (id: number, archived: boolean) =>
    call<Client>('client_set_archived', { id, archived }),
  /** Tags on their own, with how many entries carry each. */
  tags: (includeArchived = false) => call<Tag[]>('tags_all', { includeArchived }),
  createTag: (name: string) => call<Tag>('tag_create', { name }),
  /** The tag the entries carry now: another id when renamed to another name. */
  renameTag: (id: number, name: string) => call<Tag>('tag_rename', { id, name }),
  setTagArchived: (id: number, archived: boolean) => call<Tag>('tag_set_archived', { id, archived }),
  /** The report for local days `from` through `to` (inclusive, `YYYY-MM-DD`). */
  report: (from: string, to: string) => call<Report>('report', { from, to }),
  /** Rounds each entry to `minutes` in reports (1 = none); ROUNDING_MINUTES wins. */
  setRounding: (minutes: number) => call<void>('rounding_set', { minutes }),
  /**
   * Asks where to save (the shell opens the system's dialog), then writes the
   * entries of local days `from`..`to` there; null when the user cancelled.
   */
  exportEntries: (format: ExportFormat, bom: boolean, from: string, to: string) =>
    call<ExportDone | null>('export_entries', { format, bom, from, to }),
  /** The system's open dialog; a token for the chosen file, null when cancelled. */
  chooseImportFile: () => call<ChosenFile | null>('import_choose'),
  importPreview: (token: string, format: ImportFormat | null) =>
    call<ImportPreview>('import_preview', { token, format }),
  importCommit: (token: string, format: ImportFormat | null) =>
    call<ImportSummary>('import_commit', { token, format }),
  metricsStatus: () => call<MetricsStatus>('metrics_status'),
  configureMetrics: (enabled: boolean, port: number, perProject: boolean) =>
    call<MetricsStatus>('metrics_configure', { enabled, port, perProject }),
  generateMetricsToken: () => call<MetricsStatus>('metrics_token_generate'),
  removeMetricsToken: () => call<MetricsStatus>('metrics_token_remove'),
  apiStatus: () => call<ApiStatus>('api_status'),
  configureApi: (enabled: boolean, port: number) =>
    call<ApiStatus>('api_configure', { enabled, port }),
  rotateApiTokens: () => call<ApiStatus>('api_tokens_rotate'),
  webhooks: () => call<Webhook[]>('webhooks_list'),
  addWebhook: (url: string, events: string[]) => call<Webhook>('webhook_add', { url, events }),
  removeWebhook: (id: number) => call<void>('webhook_remove', { id }),
  /** Sends a webhook.test delivery now; fails with webhook.test_failed. */
  testWebhook: (id: number) => call<Delivery>('webhook_test', { id }),
  webhookDeliveries: (id: number | null, limit: number) =>
    call<Delivery[]>('webhook_deliveries', { id, limit }),
  telemetryStatus: () => call<TelemetryStatus>('telemetry_status'),
  setConsent: (crashReports: boolean, usage: boolean) =>
    call<TelemetryStatus>('telemetry_set_consent', { crashReports, usage }),
  inspectTelemetry: () => call<Inspection>('telemetry_inspect'),
  queuedTelemetryPage: (offset: number, limit: number) =>
    call<QueuedPage>('telemetry_queued_page', { offset, limit }),
  deleteQueuedTelemetry: () => call<Inspection>('telemetry_delete_queued'),
  resetAnonymousId: () => call<TelemetryStatus>('telemetry_reset_id'),
  exportTelemetry: () => call<string>('telemetry_export'),
  sendTestError: () => call<CrashTestResult>('crash_send_test_error'),
  loggingStatus: () => call<LogStatus | null>('logging_status'),
  openLogsFolder: () => call<void>('logs_open_folder'),
  desktopSettings: () => call<DesktopStatus>('desktop_settings_get'),
  setDesktopSettings: (settings: DesktopSettings) =>
    call<DesktopStatus>('desktop_settings_set', { settings }),
  /** The timer found running while the app was not, checked at start-up. */
  staleTimer: () => call<StaleTimer | null>('stale_timer_check'),
  resolveStale: (entryId: number, decision: StaleDecision) =>
    call<Entry>('stale_resolve', { entryId, decision }),
  resolveIdle: (prompt: IdlePrompt, decision: IdleDecision) =>
    call<Entry | null>('idle_resolve', { prompt, decision }),
  syncStatus: () => call<SyncStatus>('sync_status'),
  syncEnable: (folder: string, name: string | null) =>
    call<SyncReport>('sync_enable', { folder, name }),
  syncDisable: () => call<SyncStatus>('sync_disable'),
  syncNow: () => call<SyncReport>('sync_now'),
  syncRestoreConflict: (id: number) => call<SyncStatus>('sync_restore_conflict', { id }),
  syncDismissConflict: (id: number) => call<SyncStatus>('sync_dismiss_conflict', { id }),
  /** The `tt doctor` checks; `online` adds one test request per service the user agreed to. */
  doctorRun: (online: boolean) => call<DoctorReport>('doctor_run', { online }),
  /** The support bundle's files as they would be written. */
  doctorBundlePreview: () => call<BundlePreview>('doctor_bundle_preview'),
  /** Asks where to save, then writes the previewed bundle; null when cancelled. */
  doctorBundleSave: () => call<BundleSaved | null>('doctor_bundle_save'),
  /** Stops the running timer, else starts the last project (like the tray). */
  toggleTimer: () => call<void>('timer_toggle'),
};

/** A window error as the page sees it; the last command is added here. */
export type WindowError = Omit<UiErrorReport, 'last_command'>;

/** Sends a window error to the Rust log. Never throws: reporting an error
 * must not cause another. */
export async function reportUiError(report: WindowError): Promise<void> {
  const error: UiErrorReport = { ...report, last_command: lastCommand };
  try {
    await invoke('ui_error_log', { error });
  } catch {
    // Nothing sensible to do: the backend is gone or refused.
  }
}
