//! `tt mcp`: a Model Context Protocol server on standard input and output
//! (rmcp, the official Rust SDK), so an AI assistant can answer "what did I
//! work on last week" from the user's own data, and, only when started with
//! `--allow-writes`, start and stop timers and add entries and projects.
//! Each tool answers with the same JSON as `tt --json`; a refusal is a tool
//! error carrying the core's code and message.

use std::sync::{Arc, Mutex};

use jiff::tz::TimeZone;
use jiff::Timestamp;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::{schemars, tool, tool_handler, tool_router, ErrorData, ServerHandler, ServiceExt};
use serde::Deserialize;
use timetracker_core::api::Range;
use timetracker_core::{Error, NewEntry, Tracker};

/// Tools that change data: not even listed without `--allow-writes`.
const WRITE_TOOLS: [&str; 4] = ["start_timer", "stop_timer", "add_entry", "create_project"];

#[derive(Clone)]
pub struct Server {
    tracker: Arc<Mutex<Tracker>>,
    tz: TimeZone,
    tool_router: ToolRouter<Server>,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct RangeArgs {
    /// Start: an RFC 3339 instant (2026-12-01T08:00:00Z) or a local date
    /// (2026-12-01).
    pub from: Option<String>,
    /// End: an instant (excluded) or a local date (its whole day included).
    pub to: Option<String>,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct ReportArgs {
    /// Start: an instant or a local date; default this week's Monday.
    pub from: Option<String>,
    /// End: an instant, or a local date whose day is included; default the
    /// end of this week.
    pub to: Option<String>,
    /// Round each entry to 1, 5, 6, 10, 15 or 30 minutes; default the
    /// app's setting.
    pub round: Option<u32>,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct ProjectsArgs {
    /// Include archived projects.
    #[serde(default)]
    pub archived: bool,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct StartArgs {
    /// Project name; created when there is none by that name.
    pub project: Option<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct AddEntryArgs {
    /// Project name; created when there is none by that name.
    pub project: Option<String>,
    #[serde(default)]
    pub description: String,
    /// RFC 3339 instant.
    pub started_at: String,
    /// RFC 3339 instant, after `started_at`.
    pub stopped_at: String,
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ProjectArgs {
    pub name: String,
    /// `#rrggbb`; the next palette colour when left out.
    pub color: Option<String>,
}

type Answer = Result<CallToolResult, ErrorData>;

fn answer(result: timetracker_core::Result<impl serde::Serialize>) -> Answer {
    Ok(match result {
        Ok(value) => CallToolResult::success(vec![ContentBlock::text(
            serde_json::to_string_pretty(&value).unwrap_or_default(),
        )]),
        Err(e) => CallToolResult::error(vec![ContentBlock::text(format!("{}: {e}", e.code()))]),
    })
}

fn instant(text: &str) -> timetracker_core::Result<Timestamp> {
    text.parse()
        .map_err(|_| Error::ApiInvalidRequest(format!("{text:?} is not an RFC 3339 instant")))
}

fn project_id(t: &mut Tracker, name: Option<&str>) -> timetracker_core::Result<Option<i64>> {
    name.map(|n| Ok(t.find_or_create_project(n)?.0.id))
        .transpose()
}

#[tool_router]
impl Server {
    pub fn new(tracker: Tracker, tz: TimeZone, allow_writes: bool) -> Self {
        let mut tool_router = Self::tool_router();
        if !allow_writes {
            for name in WRITE_TOOLS {
                tool_router.remove_route(name);
            }
        }
        Self {
            tracker: Arc::new(Mutex::new(tracker)),
            tz,
            tool_router,
        }
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Tracker) -> timetracker_core::Result<T>,
    ) -> timetracker_core::Result<T> {
        let mut t = self.tracker.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut t)
    }

    #[tool(
        description = "The running timer, if any (running, entry), and the paused entry (paused)."
    )]
    fn timer_status(&self) -> Answer {
        answer(self.with(|t| t.timer_state()))
    }

    #[tool(
        description = "Time entries that started in a range, oldest first (default: the last 7 days and today)."
    )]
    fn list_entries(&self, Parameters(args): Parameters<RangeArgs>) -> Answer {
        let range = Range {
            from: args.from,
            to: args.to,
        };
        answer(self.with(|t| {
            let (from, to) = range.for_entries(t, &self.tz)?;
            let entries = t.list_entries(from, to)?;
            Ok(serde_json::json!({ "from": from, "to": to, "entries": entries }))
        }))
    }

    #[tool(
        description = "Totals over a range by project, tag and day, with billable amounts and the work-hour target (default: this week). The same JSON as `tt report --json`."
    )]
    fn report(&self, Parameters(args): Parameters<ReportArgs>) -> Answer {
        let range = Range {
            from: args.from,
            to: args.to,
        };
        answer(self.with(|t| t.report(&range.for_report(t, args.round, &self.tz)?)))
    }

    #[tool(description = "The projects, with their colours, clients and rates.")]
    fn list_projects(&self, Parameters(args): Parameters<ProjectsArgs>) -> Answer {
        answer(self.with(|t| t.list_projects(args.archived)))
    }

    #[tool(description = "Starts a timer, stopping the running one at the same instant.")]
    fn start_timer(&self, Parameters(args): Parameters<StartArgs>) -> Answer {
        answer(self.with(|t| {
            let project = project_id(t, args.project.as_deref())?;
            t.start_timer_tagged(project, &args.description, &args.tags)
        }))
    }

    #[tool(description = "Stops the running timer and returns the finished entry.")]
    fn stop_timer(&self) -> Answer {
        answer(self.with(|t| t.stop_timer()))
    }

    #[tool(description = "Adds a finished time entry.")]
    fn add_entry(&self, Parameters(args): Parameters<AddEntryArgs>) -> Answer {
        answer(self.with(|t| {
            let entry = NewEntry {
                project_id: project_id(t, args.project.as_deref())?,
                description: args.description,
                started_at: instant(&args.started_at)?,
                stopped_at: instant(&args.stopped_at)?,
                tags: args.tags,
            };
            t.add_entry(entry)
        }))
    }

    #[tool(description = "Creates a project.")]
    fn create_project(&self, Parameters(args): Parameters<ProjectArgs>) -> Answer {
        answer(self.with(|t| t.create_project(&args.name, args.color.as_deref())))
    }
}

// The router held, not `Self::tool_router()`: without --allow-writes it
// has no write tools.
#[tool_handler(router = self.tool_router)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("timetracker", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "TimeTracker's entries, projects and reports on this computer. Times are RFC 3339 instants in UTC; ranges take instants or local dates.",
            )
    }
}

/// Serves until the client closes standard input.
pub fn serve(tracker: Tracker, tz: TimeZone, allow_writes: bool) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let server = Server::new(tracker, tz, allow_writes);
        let running = server
            .serve(rmcp::transport::stdio())
            .await
            .map_err(std::io::Error::other)?;
        running.waiting().await.map_err(std::io::Error::other)?;
        Ok(())
    })
}
