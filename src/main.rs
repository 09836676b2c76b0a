//! The `gopy` command: serve the portal, migrate the database, manage accounts, import comments,
//! verify the audit trail.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use gopy::config::{Overrides, Settings};
use gopy::domain::account::{Email, NewPassword, parse_display_name, parse_role};
use gopy::error::Error;
use gopy::policy::{Action, Actor, ActorAccount};
use gopy::services::import::{self, Format};
use gopy::services::{first_run, users};
use gopy::startup::{Application, cancel_on_signal};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// gopy: citizen feedback and public consultation for Vietnamese cities.
#[derive(Debug, Parser)]
#[command(name = "gopy", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the portal (the default when no command is given).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate(CommonArgs),
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Bring data in from files.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Check the tamper-evident audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Rebuild this node's search index from the database (stop `gopy serve` first; a running
    /// server rebuilds an empty or outdated index by itself).
    Reindex(CommonArgs),
}

#[derive(Debug, Args, Default)]
struct CommonArgs {
    /// Directory for the database, index and files (overrides `data_dir`).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

#[derive(Debug, Args, Default)]
struct ServeArgs {
    /// Address and port to listen on (overrides `listen`), e.g. 0.0.0.0:8080.
    #[arg(long, value_name = "ADDR:PORT")]
    listen: Option<SocketAddr>,
    #[command(flatten)]
    common: CommonArgs,
    /// Create one demo account per role and print their passwords.
    #[arg(long)]
    demo: bool,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an account.
    Create(CreateUserArgs),
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Walk the whole audit chain, recomputing every hash; name the first event that does not
    /// check out (exit status 1) or print the head of the intact chain (exit status 0).
    Verify(CommonArgs),
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// Import comments keyed in from paper forms, meetings, e-mail or the hotline (CSV or JSON
    /// Lines; see `gopy::services::import` for the columns). Nothing is imported unless every
    /// row is right.
    Comments(ImportCommentsArgs),
}

#[derive(Debug, Args)]
struct ImportCommentsArgs {
    /// Id of the consultation (open or closed, not a draft).
    #[arg(long, value_name = "ID")]
    consultation: Uuid,
    /// The file to import.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// File format (default: from the extension, .csv or .jsonl/.ndjson).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Email of the moderator or admin who keyed the comments in.
    #[arg(long, value_name = "EMAIL")]
    entered_by: Option<String>,
    /// Write the tracking codes (`line,tracking_code`) to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    codes_out: Option<PathBuf>,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    /// Comma-separated values with a header row.
    Csv,
    /// JSON Lines: one object per line.
    #[value(alias = "ndjson")]
    Jsonl,
}

#[derive(Debug, Args)]
struct CreateUserArgs {
    /// resident, organization_rep, moderator, agency_officer or admin.
    #[arg(long)]
    role: String,
    /// Sign-in email.
    #[arg(long)]
    email: String,
    /// Password (at least 10 characters).
    #[arg(long)]
    password: String,
    /// Display name (defaults to the part of the email before @).
    #[arg(long)]
    name: Option<String>,
    /// Agency code, for agency officers.
    #[arg(long, conflicts_with = "organization")]
    agency: Option<String>,
    /// Organization code, for organization representatives and moderators.
    #[arg(long)]
    organization: Option<String>,
    #[command(flatten)]
    common: CommonArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve(ServeArgs::default()));
    let overrides = match &command {
        Command::Serve(args) => Overrides {
            listen: args.listen,
            data_dir: args.common.data_dir.clone(),
        },
        Command::Migrate(args) => Overrides {
            listen: None,
            data_dir: args.data_dir.clone(),
        },
        Command::User(UserCommand::Create(args)) => Overrides {
            listen: None,
            data_dir: args.common.data_dir.clone(),
        },
        Command::Import(ImportCommand::Comments(args)) => Overrides {
            listen: None,
            data_dir: args.common.data_dir.clone(),
        },
        Command::Audit(AuditCommand::Verify(args)) | Command::Reindex(args) => Overrides {
            listen: None,
            data_dir: args.data_dir.clone(),
        },
    };
    let settings = match Settings::load(&overrides) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("gopy: {e}");
            return ExitCode::from(2);
        }
    };
    init_tracing(&settings.log);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("gopy: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match command {
            Command::Serve(args) => serve(settings, args.demo).await,
            Command::Migrate(_) => migrate(settings).await,
            Command::User(UserCommand::Create(args)) => create_user(settings, args).await,
            Command::Import(ImportCommand::Comments(args)) => import_comments(settings, args).await,
            Command::Audit(AuditCommand::Verify(_)) => verify_audit(settings).await,
            Command::Reindex(_) => reindex(settings).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gopy: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(filter))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

async fn serve(settings: Settings, demo: bool) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    let addr = app.local_addr()?;
    let settings = app.state().settings.clone();
    let url = match &settings.public_url {
        Some(url) => format!("{url}/"),
        None if addr.ip().is_unspecified() => format!("http://localhost:{}/", addr.port()),
        None => format!("http://{addr}/"),
    };
    let report = &app.first_run;
    if report.loaded_reference {
        println!(
            "First run: loaded units, agencies and organizations, and {} sample consultations.",
            report.loaded_samples
        );
    }
    println!("gopy is running at {url}");
    println!("Mail goes to {}", app.state().mailer.describe());
    match &report.admin {
        Some((email, password)) => {
            println!("Admin account created. Sign in as {email} with password {password}");
            println!("  (this password is shown only now: keep it somewhere safe)");
        }
        None => println!(
            "Sign in with your admin account, or create one: gopy user create --role admin --email EMAIL --password PASSWORD"
        ),
    }
    if demo {
        let accounts = first_run::ensure_demo_accounts(&app.state().db, settings.password).await?;
        if load_demo_history(app.state()).await? {
            println!(
                "Demo history: a concluded consultation with answered comments (its synthesis, acceptance table and the supervision dashboard have figures)."
            );
        }
        println!("Demo accounts (passwords are new on every start with --demo):");
        for account in accounts {
            println!(
                "  {:<17} {:<26} {}",
                account.role.as_str(),
                account.email,
                account.password
            );
        }
    }
    println!("Press Ctrl-C to stop.");
    let shutdown = CancellationToken::new();
    cancel_on_signal(shutdown.clone());
    app.run_until_stopped(shutdown).await?;
    Ok(())
}

/// Loads the demo history once, keyed in by the demo moderator and answered by the demo officer
/// of the Department of Agriculture and Environment.
async fn load_demo_history(state: &gopy::state::AppState) -> anyhow::Result<bool> {
    let find = |local: &'static str| async move {
        let email = gopy::domain::account::Email::parse(&format!("{local}@demo.gopy.vn"))
            .map_err(|_| anyhow::anyhow!("demo email"))?;
        gopy::services::users::find_by_email(&state.db, &email)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo account {local} is missing"))
    };
    let moderator = find("mttq").await?;
    let officer = find("canbo.moitruong").await?;
    let loaded = gopy::services::demo_history::ensure(
        &state.db,
        &state.settings,
        &state.base_url,
        &moderator,
        &officer,
    )
    .await?;
    if loaded {
        state.mail_queued();
    }
    Ok(loaded)
}

async fn migrate(settings: Settings) -> anyhow::Result<()> {
    let db = gopy::db::connect(&settings).await?;
    gopy::db::migrate(&db).await?;
    println!("Database is up to date.");
    Ok(())
}

/// `gopy audit verify`. Read-only: it runs no migration.
async fn reindex(settings: Settings) -> anyhow::Result<()> {
    let db = gopy::db::connect(&settings).await?;
    gopy::db::migrate(&db).await?;
    let index = gopy::search::SearchIndex::open_or_create(&settings.index_dir)?;
    let started = std::time::Instant::now();
    let objects = gopy::search::indexer::rebuild(&db, &index)
        .await
        .map_err(|e| anyhow::anyhow!("cannot rebuild the search index in {}: {e} (is `gopy serve` running on this data directory?)", settings.index_dir.display()))?;
    println!(
        "search index rebuilt: {objects} objects, {} documents, in {:.1} s",
        index.num_docs(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn verify_audit(settings: Settings) -> anyhow::Result<()> {
    let db = gopy::db::connect(&settings).await?;
    let report = gopy::services::audit::verify(&db).await?;
    if let Some(broken) = &report.broken {
        anyhow::bail!(
            "audit chain broken at event seq {} (id {}): {} ({} events before it check out)",
            broken.seq,
            broken.id,
            broken.reason,
            report.checked
        );
    }
    match &report.head {
        Some(head) => println!(
            "audit chain intact: {} events, head {} (seq {})",
            report.checked, head.hash, head.seq
        ),
        None => println!("audit chain intact: 0 events (empty)"),
    }
    Ok(())
}

async fn create_user(settings: Settings, args: CreateUserArgs) -> anyhow::Result<()> {
    let role = parse_role(&args.role).map_err(|_| {
        anyhow::anyhow!(
            "--role `{}` is not a role; use resident, organization_rep, moderator, agency_officer or admin",
            args.role
        )
    })?;
    let email = Email::parse(&args.email)
        .map_err(|_| anyhow::anyhow!("--email `{}` is not an email address", args.email))?;
    let password = NewPassword::parse(&args.password).map_err(|_| {
        anyhow::anyhow!(
            "--password must be {} to {} characters",
            NewPassword::MIN_CHARS,
            NewPassword::MAX_CHARS
        )
    })?;
    let default_name = email.as_str().split('@').next().unwrap_or("").to_owned();
    let display_name = parse_display_name(args.name.as_deref().unwrap_or(&default_name))
        .map_err(|_| anyhow::anyhow!("--name must be 1 to 100 characters"))?;
    let db = gopy::db::connect(&settings).await?;
    gopy::db::migrate(&db).await?;
    first_run::ensure_reference(&db, &settings).await?;
    let new = users::NewUser {
        email,
        password,
        display_name,
        role,
        agency_code: args.agency,
        organization_code: args.organization,
        verified: true,
    };
    match users::create(&db, new, settings.password).await {
        Ok(user) => {
            println!("Created {} account {}", user.role.as_str(), user.email);
            Ok(())
        }
        Err(Error::Invalid(errors)) => {
            let lines: Vec<String> = errors
                .0
                .iter()
                .map(|e| format!("--{}: {}", e.field, e.message))
                .collect();
            Err(anyhow::anyhow!(lines.join("; ")))
        }
        Err(e) => Err(e.into()),
    }
}

async fn import_comments(settings: Settings, args: ImportCommentsArgs) -> anyhow::Result<()> {
    let format = match args.format {
        Some(FormatArg::Csv) => Format::Csv,
        Some(FormatArg::Jsonl) => Format::JsonLines,
        None => Format::from_path(&args.file).ok_or_else(|| {
            anyhow::anyhow!(
                "cannot tell the format of {} from its extension; add --format csv or --format jsonl",
                args.file.display()
            )
        })?,
    };
    let input = std::fs::read(&args.file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", args.file.display()))?;
    let db = gopy::db::connect(&settings).await?;
    gopy::db::migrate(&db).await?;
    let entered_by = match &args.entered_by {
        None => None,
        Some(email) => {
            let parsed = Email::parse(email)
                .map_err(|_| anyhow::anyhow!("--entered-by `{email}` is not an email address"))?;
            let user = users::find_by_email(&db, &parsed)
                .await?
                .ok_or_else(|| anyhow::anyhow!("--entered-by: no account has the email {email}"))?;
            let actor = Actor {
                account: Some(ActorAccount {
                    user_id: user.id,
                    role: user.role,
                    agency_id: user.agency_id,
                    organization_id: user.organization_id,
                    verified: user.email_verified_at.is_some(),
                }),
            };
            if !actor.can(&Action::ImportComments) {
                anyhow::bail!(
                    "--entered-by: {email} is a {} account; only moderators and admins key in comments",
                    user.role.as_str()
                );
            }
            Some(user.id)
        }
    };
    let report =
        match import::import_comments(&db, args.consultation, entered_by, format, &input).await {
            Ok(report) => report,
            Err(Error::Invalid(errors)) => {
                let mut message = format!(
                    "nothing was imported from {}; fix these rows and run again:",
                    args.file.display()
                );
                for e in &errors.0 {
                    message.push_str(&format!("\n  {}: {}", describe_field(&e.field), e.message));
                }
                anyhow::bail!(message);
            }
            Err(Error::NotFound(_)) => anyhow::bail!(
                "--consultation: no consultation has the id {} (or it is still a draft)",
                args.consultation
            ),
            Err(e) => return Err(e.into()),
        };
    let imported = match report.imported {
        1 => "1 comment".to_owned(),
        n => format!("{n} comments"),
    };
    match &args.codes_out {
        Some(path) => {
            write_codes(std::fs::File::create(path)?, &report)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            println!(
                "Imported {imported} into consultation {}. Tracking codes (line,tracking_code): {}",
                args.consultation,
                path.display()
            );
        }
        None => {
            eprintln!(
                "Imported {imported} into consultation {}. Tracking codes follow on stdout (line,tracking_code).",
                args.consultation
            );
            write_codes(std::io::stdout().lock(), &report)?;
        }
    }
    Ok(())
}

/// `rows[7].stance` as `line 7, stance`; other fields as they are.
fn describe_field(field: &str) -> String {
    let Some(rest) = field.strip_prefix("rows[") else {
        return field.to_owned();
    };
    match rest.split_once(']') {
        Some((line, "")) => format!("line {line}"),
        Some((line, column)) => format!("line {line}, {}", column.trim_start_matches('.')),
        None => field.to_owned(),
    }
}

/// Writes `line,tracking_code` lines, with a header.
fn write_codes(out: impl Write, report: &import::ImportReport) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(out);
    writeln!(out, "line,tracking_code")?;
    for (line, code) in report.lines.iter().zip(&report.tracking_codes) {
        writeln!(out, "{line},{code}")?;
    }
    out.flush()
}
