//! The `samverkan` command: serve (default), migrate, healthcheck, export-schema, token,
//! import-systems.
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use samverkan::{auth, graphql, settings::Settings, startup, telemetry};

/// A request builds and drops many small values (rows, fields, the answer's tree) on several
/// threads; mimalloc's per-thread free lists cost a fraction of glibc's arenas there
/// (ARCHITECTURE.md, "Performance").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "samverkan",
    version,
    about = "Shared e-service back end for the kommuner of a län",
    after_help = "Settings come from defaults, then the TOML file named by SAMVERKAN_CONFIG, then \
SAMVERKAN_* environment variables (and DATABASE_URL); README.md, \"Settings\", lists every one. \
An unknown TOML key stops the start, naming it."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service (the default).
    Serve,
    /// Apply pending database migrations and seed reference data, then exit.
    Migrate,
    /// Exit 0 if the service on this machine is ready (`/readyz`), 1 if not: for container
    /// health checks, where the slim image has no curl.
    Healthcheck {
        /// The readiness URL; by default `/readyz` at the port of SAMVERKAN_BIND on loopback.
        #[arg(long)]
        url: Option<String>,
    },
    /// Write the GraphQL schema (SDL).
    ExportSchema {
        /// Where to write it; `-` for standard output.
        #[arg(long, default_value = "schema.graphql")]
        out: PathBuf,
    },
    /// Seed N synthetic projects for benchmarks (development mode only).
    #[command(hide = true)]
    BenchSeed {
        #[arg(long, default_value_t = 5000)]
        projects: usize,
        /// Audit events to append to county 18's chain (for `scripts/bench-chain.sh`).
        #[arg(long, default_value_t = 0)]
        audit_events: usize,
        /// The counties whose kommuner own the projects: länskoder (`14,18`) or `all`.
        #[arg(long, default_value = "18")]
        counties: String,
    },
    /// Import a kommun's systems inventory from a CSV file: every row is checked first, then
    /// all are written in one transaction, or none and each bad row is reported.
    ImportSystems {
        /// The CSV file (header row naming the columns; comma or semicolon separated).
        file: PathBuf,
        /// Kommunkod of the kommun whose systems these are, e.g. 1880.
        #[arg(long)]
        kommun: String,
        /// Who runs the import, for the audit trail (recorded as `cli:<user>`).
        #[arg(long, env = "USER", default_value = "operator")]
        user: String,
    },
    /// Import SCB's population figures of 31 December of one year as a new reference year
    /// (the table "Folkmängd i riket, län och kommuner", saved as CSV): every row is checked
    /// first, then all are written in one transaction, audited in each county's trail, or
    /// none and each bad row is reported. Projects already agreed keep the year they were
    /// agreed under.
    ImportPopulation {
        /// The CSV file (comma or semicolon separated; kommunkod, name, population).
        file: PathBuf,
        /// The year the figures are of (31 December).
        #[arg(long)]
        year: i32,
        /// Who runs the import, for the audit trail (recorded as `cli:<user>`).
        #[arg(long, env = "USER", default_value = "operator")]
        user: String,
    },
    /// Verify the audit trail's hash chain of one county or all: exit 0 when every chain is
    /// intact, 1 naming the first broken event and why.
    VerifyAudit {
        /// Länskod of the county, e.g. 18; every county by default.
        #[arg(long)]
        county: Option<String>,
    },
    /// Replace the actors of audit events older than the county's retention period with
    /// pseudonyms; a dry run (listing what would change) unless --apply.
    ApplyRetention {
        /// Länskod of the county, e.g. 18.
        #[arg(long)]
        county: String,
        /// The retention period of audit events' actors in years; by default the county's
        /// own (setRetentionPeriod).
        #[arg(long)]
        audit_actor_years: Option<u32>,
        /// The retention period of released pm3 role holders in years, counted from when
        /// they last held no role; by default the county's own.
        #[arg(long)]
        role_holder_years: Option<u32>,
        /// Write the change (audited as one event); without it nothing is written.
        #[arg(long)]
        apply: bool,
        /// Who applies it, for the audit trail (recorded as `cli:<user>`).
        #[arg(long, env = "USER", default_value = "operator")]
        user: String,
    },
    /// The archive package (E-ARK SIP, a ZIP) of a CLOSED or CANCELLED e-service project, made
    /// as an editor of its lead kommun.
    ArchivePackage {
        /// The project's number or GraphQL id.
        #[arg(long)]
        project: String,
        /// Where to write the ZIP; by default the package's own name in the current directory.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// Who makes it, for the log (recorded as `cli:<user>`).
        #[arg(long, env = "USER", default_value = "operator")]
        user: String,
    },
    /// A data subject's access request (GDPR art. 15): every record naming a person, as JSON.
    SubjectAccess {
        /// The person's token subject (`sub`): the audit events they made.
        #[arg(long, conflicts_with_all = ["kommun", "holder_key"])]
        sub: Option<String>,
        /// Kommunkod of the register that holds the person, with --holder-key.
        #[arg(long, requires = "holder_key")]
        kommun: Option<String>,
        /// The person's key in that kommun's register of pm3 role holders.
        #[arg(long, requires = "kommun")]
        holder_key: Option<String>,
    },
    /// Print a signed development token (development mode only).
    Token {
        /// Kommunkod the token acts for, e.g. 1880.
        #[arg(long)]
        kommun: String,
        /// Comma-separated roles: viewer, editor, admin, namnd, integration, revisor.
        #[arg(long, value_delimiter = ',', default_value = "viewer")]
        roles: Vec<String>,
        /// Lifetime, e.g. 30m, 8h, 7d.
        #[arg(long, default_value = "8h")]
        ttl: String,
        /// The token's subject (user id).
        #[arg(long, default_value = "dev-user")]
        sub: String,
    },
}

fn ttl_seconds(s: &str) -> anyhow::Result<i64> {
    let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = n
        .parse()
        .with_context(|| format!("--ttl '{s}': expected e.g. 30m, 8h or 7d"))?;
    Ok(n * match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => anyhow::bail!("--ttl '{s}': unit must be s, m, h or d"),
    })
}

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("samverkan: {e:#}");
        std::process::exit(1);
    }
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::ExportSchema { out } => {
            let sdl = graphql::sdl();
            if out.as_os_str() == "-" {
                print!("{sdl}");
            } else {
                std::fs::write(&out, sdl).with_context(|| format!("Failed to write {}", out.display()))?;
                eprintln!("wrote {}", out.display());
            }
        }
        Command::Token {
            kommun,
            roles,
            ttl,
            sub,
        } => {
            let settings = Settings::load()?;
            if settings.mode != samverkan::settings::Mode::Development {
                anyhow::bail!("development tokens exist only in development mode");
            }
            samverkan::domain::Kommunkod::parse(&kommun).map_err(anyhow::Error::msg)?;
            for r in &roles {
                r.parse::<auth::Role>()
                    .map_err(|_| anyhow::anyhow!("unknown role '{r}'"))?;
            }
            let secret = auth::dev_secret(&settings.data_dir)?;
            println!(
                "{}",
                auth::mint_dev_token(&secret, &sub, &kommun, &roles, ttl_seconds(&ttl)?)?
            );
        }
        Command::BenchSeed {
            projects,
            audit_events,
            counties,
        } => {
            let counties =
                samverkan::reference::Served::parse(if counties == "all" { "*" } else { &counties })
                    .map_err(|m| anyhow::anyhow!("--counties: {m}"))?;
            let settings = Settings::load()?;
            anyhow::ensure!(
                settings.mode == samverkan::settings::Mode::Development,
                "bench-seed is for development databases"
            );
            let db = startup::connect(&settings, None).await?;
            startup::prepare_database(&db, &settings).await?;
            samverkan::demo::seed_volume(&db, projects, &counties).await?;
            samverkan::demo::seed_audit_events(&db, audit_events).await?;
            eprintln!("seeded {projects} projects and {audit_events} chained audit events");
        }
        Command::ImportPopulation { file, year, user } => {
            let csv = std::fs::read_to_string(&file)
                .with_context(|| format!("Failed to read {}", file.display()))?;
            let settings = Settings::load()?;
            let db = startup::connect(&settings, None).await?;
            startup::prepare_database(&db, &settings).await?;
            match samverkan::admin::import_population(db, year, &csv, &user).await {
                Ok(lines) => {
                    for line in lines {
                        println!("{line}");
                    }
                }
                Err(e) => {
                    eprintln!("{e}");
                    std::process::exit(1);
                }
            }
        }
        Command::ImportSystems { file, kommun, user } => {
            let csv = std::fs::read_to_string(&file)
                .with_context(|| format!("Failed to read {}", file.display()))?;
            let settings = Settings::load()?;
            let db = startup::connect(&settings, None).await?;
            startup::prepare_database(&db, &settings).await?;
            let imported = samverkan::admin::import_systems(db, &csv, &kommun, &user).await?;
            let n = imported.len();
            println!(
                "imported {n} system{} for kommun {kommun}",
                if n == 1 { "" } else { "s" }
            );
        }
        Command::ApplyRetention {
            county,
            audit_actor_years,
            role_holder_years,
            apply,
            user,
        } => {
            let settings = Settings::load()?;
            let db = startup::connect(&settings, None).await?;
            startup::prepare_database(&db, &settings).await?;
            println!(
                "{}",
                samverkan::admin::apply_retention(
                    db,
                    &county,
                    audit_actor_years,
                    role_holder_years,
                    apply,
                    &user
                )
                .await?
            );
        }
        Command::ArchivePackage { project, out, user } => {
            let settings = Settings::load()?;
            let db = startup::connect(&settings, None).await?;
            startup::prepare_database(&db, &settings).await?;
            let (name, zip) = samverkan::admin::archive_package(db, &project, &user).await?;
            let path = out.unwrap_or_else(|| name.into());
            std::fs::write(&path, &zip).with_context(|| format!("writing {}", path.display()))?;
            println!("{} ({} bytes)", path.display(), zip.len());
        }
        Command::SubjectAccess {
            sub,
            kommun,
            holder_key,
        } => {
            let settings = Settings::load()?;
            let db = startup::connect(&settings, None).await?;
            startup::prepare_database(&db, &settings).await?;
            let pair = kommun.as_deref().zip(holder_key.as_deref());
            println!(
                "{}",
                samverkan::admin::subject_access(&db, sub.as_deref(), pair).await?
            );
        }
        Command::VerifyAudit { county } => {
            let settings = Settings::load()?;
            let db = startup::connect(&settings, None).await?;
            startup::prepare_database(&db, &settings).await?;
            let (lines, ok) = samverkan::admin::verify_audit(&db, county.as_deref()).await?;
            for l in &lines {
                println!("{l}");
            }
            if !ok {
                anyhow::bail!("the audit trail does not verify");
            }
        }
        Command::Healthcheck { url } => {
            let url = match url {
                Some(u) => u,
                None => {
                    let settings = Settings::load()?;
                    let port = settings
                        .bind
                        .rsplit_once(':')
                        .map_or("8080", |(_, p)| p)
                        .to_owned();
                    format!("http://127.0.0.1:{port}/readyz")
                }
            };
            let client = reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(3))
                .build()?;
            let response = client
                .get(&url)
                .send()
                .await
                .with_context(|| format!("{url} does not answer"))?;
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            if !status.is_success() {
                anyhow::bail!("{url}: {status} {}", text.trim());
            }
            println!("{}", text.trim());
        }
        Command::Migrate => {
            let settings = Settings::load()?;
            let _telemetry = telemetry::init(&settings.log_format, settings.otlp_endpoint.as_deref());
            let db = startup::connect(&settings, None).await?;
            startup::prepare_database(&db, &settings).await?;
            tracing::info!("database migrated");
        }
        Command::Serve => {
            let settings = Settings::load()?;
            let _telemetry = telemetry::init(&settings.log_format, settings.otlp_endpoint.as_deref());
            let host = settings
                .bind
                .rsplit_once(':')
                .map(|(h, _)| h.to_owned())
                .unwrap_or_default();
            let dev = settings.mode == samverkan::settings::Mode::Development;
            let metrics_host = settings
                .metrics_bind
                .rsplit_once(':')
                .map(|(h, _)| h.to_owned())
                .unwrap_or_default();
            let app = startup::Application::build(settings).await?;
            let url = format!("http://{host}:{}", app.port());
            println!("Samverkan listening on {url}");
            println!("  GraphQL endpoint: {url}/graphql (POST, or GET for queries)");
            println!("  Explorer:         open {url}/graphql in a browser");
            if dev {
                println!(
                    "  Token:            T=$(cargo run -q -p samverkan -- token --kommun 1880 --roles editor,admin)"
                );
                println!("                    then send the header  Authorization: Bearer $T");
            }
            if let Some(port) = app.metrics_port() {
                println!("  Metrics:          http://{metrics_host}:{port}/metrics");
            }
            app.run_until_stopped().await?;
        }
    }
    Ok(())
}
