//! What each command does: read the configuration, open the store, call it, report.

use std::io::{BufRead, IsTerminal, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, anyhow};
use custodes_core::audit::Actor;
use custodes_store::audit::Verdict;
use custodes_store::session::SessionLimits;
use custodes_store::user::NewUser;
use custodes_store::{DatabaseUrl, Store};
use custodes_web::planning::jobs::Jobs;
use custodes_web::{AppState, Instance};
use tokio::net::TcpListener;

use crate::Failure;
use crate::cli::{
    Args, AuditCommand, Command, ConfigCommand, FrameworkCommand, PasswordSource, UserCommand,
};
use crate::config::{self, Config};
use crate::{demo, logging};

/// Runs one command.
pub async fn run(args: Args) -> Result<(), Failure> {
    if let Command::Config(ConfigCommand::Example) = args.command {
        print!("{}", config::EXAMPLE);
        return Ok(());
    }
    match &args.command {
        Command::Framework(FrameworkCommand::Check { file }) => return framework_check(file),
        Command::Framework(FrameworkCommand::List) => return framework_list(),
        _ => {}
    }
    let listen = match &args.command {
        Command::Demo { listen, .. } | Command::Serve { listen } => *listen,
        _ => None,
    };
    let config = Config::load(
        args.global.config.as_deref(),
        &args.global.overrides(listen),
    )
    .map_err(|e| Failure::bad_input(anyhow!("configuration: {e}")))?;
    logging::init(config.log_format, &log_filter(&config.log_level))
        .map_err(|e| Failure::bad_input(anyhow!(e)))?;

    match args.command {
        Command::Config(ConfigCommand::Example)
        | Command::Framework(FrameworkCommand::Check { .. } | FrameworkCommand::List) => {
            unreachable!("handled above")
        }
        Command::Config(ConfigCommand::Show) => show_config(&config),
        Command::Demo { listen: _, reset } => run_demo(&config, reset).await,
        Command::Serve { listen: _ } => {
            let store = open(&config).await?;
            serve(&config, store, false).await
        }
        Command::Migrate => migrate(&config).await,
        Command::User(cmd) => user(&config, cmd).await,
        Command::Audit(AuditCommand::Verify) => audit_verify(&config).await,
        Command::Framework(FrameworkCommand::Import { file }) => {
            let store = open(&config).await?;
            crate::assess::framework_import(&store, &file).await
        }
        Command::Assess(cmd) => {
            let store = open(&config).await?;
            crate::assess::run(&store, cmd).await
        }
        Command::Plan(cmd) => {
            let store = open(&config).await?;
            crate::plan::run(&store, cmd).await
        }
        Command::Threat(cmd) => {
            let store = open(&config).await?;
            crate::strategy::threat(&store, cmd).await
        }
        Command::Goal(cmd) => {
            let store = open(&config).await?;
            crate::strategy::goal(&store, cmd).await
        }
        Command::Strategy(cmd) => {
            let store = open(&config).await?;
            crate::strategy::strategy(&store, cmd).await
        }
        Command::Backup { file } => backup(&config, &file).await,
        Command::Restore { file } => restore(&config, &file).await,
    }
}

/// The log filter: the configured one, with the database driver's per-statement lines
/// kept out unless asked for.
fn log_filter(level: &str) -> String {
    // sqlx logs every statement at info; the `highs` crate warns whenever a solve ends on
    // its time limit, which the optimiser reports in its own words. Both are quieted
    // unless the configured filter names them.
    let mut filter = level.to_owned();
    for (target, quiet) in [("sqlx", "warn"), ("highs", "error")] {
        if !level.contains(target) {
            filter.push_str(&format!(",{target}={quiet}"));
        }
    }
    filter
}

/// The database the configuration names.
fn database_url(config: &Config) -> Result<DatabaseUrl, Failure> {
    match &config.database_url {
        Some(url) => url.expose().parse().map_err(Failure::bad_input),
        None => Ok(DatabaseUrl::in_data_dir(&config.data_dir)),
    }
}

async fn open(config: &Config) -> Result<Store, Failure> {
    Ok(Store::open(&database_url(config)?).await?)
}

/// Who the command line acts as, for the audit chain.
pub(crate) fn cli_actor() -> Actor {
    let os_user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".into());
    Actor::Cli { os_user }
}

fn show_config(config: &Config) -> Result<(), Failure> {
    let url = database_url(config)?;
    println!("data_dir = {:?}", config.data_dir.display().to_string());
    println!("database_url = {:?}", url.to_string());
    println!("listen = {:?}", config.listen.to_string());
    println!("instance_name = {:?}", config.instance_name);
    println!(
        "log_format = {:?}",
        match config.log_format {
            config::LogFormat::Human => "human",
            config::LogFormat::Json => "json",
        }
    );
    println!("log_level = {:?}", config.log_level);
    println!("solves_at_once = {}", config.solves_at_once);
    Ok(())
}

async fn migrate(config: &Config) -> Result<(), Failure> {
    let store = Store::connect(&database_url(config)?).await?;
    let applied = store.migrate().await?;
    if applied.is_empty() {
        println!(
            "{}: schema is up to date (version {})",
            store.url(),
            store.schema_version().await?
        );
    } else {
        let list: Vec<String> = applied.iter().map(ToString::to_string).collect();
        println!("{}: applied migrations {}", store.url(), list.join(", "));
    }
    store.close().await;
    Ok(())
}

async fn run_demo(config: &Config, reset: bool) -> Result<(), Failure> {
    let started = Instant::now();
    let url = match &config.database_url {
        Some(url) => url.expose().parse().map_err(Failure::bad_input)?,
        None => DatabaseUrl::Sqlite(config.data_dir.join("demo.db")),
    };
    if reset {
        let DatabaseUrl::Sqlite(path) = &url else {
            return Err(Failure::bad_input(anyhow!(
                "--reset only deletes the embedded demo database; empty a PostgreSQL database by hand"
            )));
        };
        for suffix in ["", "-wal", "-shm"] {
            let file = format!("{}{suffix}", path.display());
            match std::fs::remove_file(&file) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(anyhow!(e).context(format!("cannot delete {file}")).into()),
            }
        }
    }
    let store = Store::open(&url).await?;
    let added = demo::ensure(&store).await?;
    println!();
    println!("Custodes demo: {}", demo::WORKSPACE_NAME);
    println!(
        "Database: {} ({})",
        store.url(),
        if added { "created" } else { "reused" }
    );
    println!(
        "Demo data ready in {:.1} s.",
        started.elapsed().as_secs_f64()
    );
    println!();
    println!("Demo accounts (username / password), one per role; each sees a different country:");
    for p in demo::PEOPLE {
        println!(
            "  {:<10} {:<22} {:<14} {:<13} {} — {}",
            p.username,
            demo::password(p.username),
            p.role.label(),
            p.clearance.as_str(),
            p.name,
            p.works_at
        );
    }
    let mut config = config.clone();
    if config.instance_name == Config::default().instance_name {
        config.instance_name = format!("Custodes – {}", demo::WORKSPACE_NAME);
    }
    serve(&config, store, true).await
}

/// Serves until Ctrl-C or SIGTERM. The demo falls back to any free port when the
/// configured one is taken; a real server does not, since its address is its contract.
async fn serve(config: &Config, store: Store, demo: bool) -> Result<(), Failure> {
    let listener = match TcpListener::bind(config.listen).await {
        Ok(l) => l,
        Err(e) if demo && e.kind() == std::io::ErrorKind::AddrInUse => {
            let any = SocketAddr::new(config.listen.ip(), 0);
            TcpListener::bind(any)
                .await
                .with_context(|| format!("cannot listen on {any}"))?
        }
        Err(e) => {
            return Err(anyhow!(e)
                .context(format!("cannot listen on {}", config.listen))
                .into());
        }
    };
    let addr = listener.local_addr().context("listening address")?;
    let state = AppState {
        store: store.clone(),
        instance: Instance {
            name: config.instance_name.clone(),
            version: env!("CARGO_PKG_VERSION"),
        },
        limits: SessionLimits::default(),
        jobs: Jobs::new(config.solves_at_once),
    };
    let shutdown = shutdown_signal()?;
    tracing::info!(%addr, database = %store.url(), "serving");
    println!();
    if demo {
        println!("Sign in at http://{addr}/sign-in with one of the accounts above.");
    }
    println!("Custodes is serving at http://{addr}/  (press Ctrl-C to stop)");
    let _ = std::io::stdout().flush();
    custodes_web::serve(listener, state, shutdown)
        .await
        .context("the web server stopped")?;
    tracing::info!("stopped");
    store.close().await;
    Ok(())
}

/// A future that completes on Ctrl-C or SIGTERM. The handlers are installed when this
/// is called, not when the future is first polled, so that a signal sent the moment the
/// server says it is serving is not lost.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
        let mut int = signal(SignalKind::interrupt()).context("installing the Ctrl-C handler")?;
        Ok(async move {
            tokio::select! {
                _ = term.recv() => {},
                _ = int.recv() => {},
            }
            tracing::info!("shutting down: finishing requests under way");
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("shutting down: finishing requests under way");
        })
    }
}

/// Reads a new password from where the flags say.
fn read_password(source: &PasswordSource) -> Result<(String, bool), Failure> {
    if source.generate_password {
        return Ok((custodes_store::password::generate(), true));
    }
    if source.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        let pw = line.trim_end_matches(['\n', '\r']).to_owned();
        if pw.is_empty() {
            return Err(Failure::bad_input(anyhow!("no password on standard input")));
        }
        return Ok((pw, false));
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::bad_input(anyhow!(
            "no password given: use --password-stdin or --generate-password when not at a terminal"
        )));
    }
    let first = rpassword::prompt_password("New password: ").context("reading the password")?;
    let second = rpassword::prompt_password("Repeat it: ").context("reading the password")?;
    if first != second {
        return Err(Failure::bad_input(anyhow!("the two passwords differ")));
    }
    Ok((first, false))
}

async fn user(config: &Config, cmd: UserCommand) -> Result<(), Failure> {
    let store = open(config).await?;
    let actor = cli_actor();
    match cmd {
        UserCommand::Add {
            username,
            role,
            clearance,
            name,
            password,
        } => {
            let (pw, generated) = read_password(&password)?;
            let user = store
                .create_user(
                    &actor,
                    NewUser {
                        username,
                        display_name: name,
                        role,
                        clearance,
                        password: pw.clone(),
                    },
                )
                .await?;
            println!(
                "created user {} ({}, cleared to {})",
                user.username,
                user.role.label(),
                user.clearance
            );
            if generated {
                println!("password: {pw}");
            }
        }
        UserCommand::List => {
            let users = store.list_users().await?;
            println!(
                "{:<20} {:<16} {:<13} {:<9} NAME",
                "USERNAME", "ROLE", "CLEARANCE", "STATUS"
            );
            for u in users {
                println!(
                    "{:<20} {:<16} {:<13} {:<9} {}",
                    u.username,
                    u.role.as_str(),
                    u.clearance.as_str(),
                    if u.disabled { "disabled" } else { "active" },
                    u.display_name
                );
            }
        }
        UserCommand::Passwd { username, password } => {
            let (pw, generated) = read_password(&password)?;
            store.set_password(&actor, &username, pw.clone()).await?;
            println!("password of {username} changed");
            if generated {
                println!("password: {pw}");
            }
        }
        UserCommand::Disable { username } => {
            store.set_user_disabled(&actor, &username, true).await?;
            println!("user {username} disabled: they can no longer sign in");
        }
        UserCommand::Enable { username } => {
            store.set_user_disabled(&actor, &username, false).await?;
            println!("user {username} enabled");
        }
    }
    store.close().await;
    Ok(())
}

async fn audit_verify(config: &Config) -> Result<(), Failure> {
    let store = open(config).await?;
    let verdict = store.verify_audit().await?;
    store.close().await;
    match verdict {
        Verdict::Intact { entries, head_hash } => {
            println!("audit chain intact: {entries} entries, head {head_hash}");
            Ok(())
        }
        Verdict::Broken(b) => Err(Failure::check(anyhow!("audit chain broken: {b}"))),
    }
}

async fn backup(config: &Config, file: &Path) -> Result<(), Failure> {
    let store = open(config).await?;
    let summary = if file == Path::new("-") {
        let out = std::io::BufWriter::new(std::io::stdout().lock());
        store.backup(out).await?
    } else {
        // Write beside the target and rename at the end, so that a failed backup never
        // leaves a partial file under the name asked for.
        let dir = file
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let tmp = tempfile_in(dir, file)?;
        let out = std::io::BufWriter::new(
            std::fs::File::create(&tmp)
                .with_context(|| format!("cannot write {}", tmp.display()))?,
        );
        let result = store.backup(out).await;
        match result {
            Ok(summary) => {
                std::fs::rename(&tmp, file)
                    .with_context(|| format!("cannot write {}", file.display()))?;
                summary
            }
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(e.into());
            }
        }
    };
    store.close().await;
    eprintln!(
        "backup written: {} tables, {} rows, schema version {}",
        summary.tables, summary.rows, summary.schema_version
    );
    Ok(())
}

fn tempfile_in(dir: &Path, target: &Path) -> Result<std::path::PathBuf, Failure> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "backup".into());
    Ok(dir.join(format!(".{name}.{}.partial", std::process::id())))
}

async fn restore(config: &Config, file: &Path) -> Result<(), Failure> {
    // Not migrated first: an older backup is loaded at its own schema version and then
    // migrated forward with the data in it.
    let store = Store::connect(&database_url(config)?).await?;
    let actor = cli_actor();
    let summary = if file == Path::new("-") {
        store
            .restore(&actor, "<stdin>", std::io::stdin().lock())
            .await?
    } else {
        let f = std::fs::File::open(file)
            .with_context(|| format!("cannot read {}", file.display()))
            .map_err(Failure::bad_input)?;
        store
            .restore(
                &actor,
                &file.display().to_string(),
                std::io::BufReader::new(f),
            )
            .await?
    };
    store.close().await;
    println!(
        "restored into {}: {} tables, {} rows (schema version {})",
        store.url(),
        summary.tables,
        summary.rows,
        summary.schema_version
    );
    Ok(())
}

/// `custodes framework check FILE`: every problem, one per line, like a compiler.
fn framework_check(file: &Path) -> Result<(), Failure> {
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read {name}"))
        .map_err(Failure::bad_input)?;
    match custodes_formats::framework::read(&name, &text) {
        Ok(f) => {
            let fw = f.framework();
            let indicators = fw
                .nodes
                .iter()
                .filter(|n| n.as_indicator().is_some())
                .count();
            println!(
                "{name}: framework {} {} ({}): {} nodes, {indicators} indicators; no problems",
                fw.id.as_str(),
                fw.version,
                fw.name,
                fw.nodes.len()
            );
            Ok(())
        }
        Err(problems) => {
            for p in &problems {
                eprintln!("{p}");
            }
            let n = problems.len();
            Err(Failure::bad_input(anyhow!(
                "{name}: {n} {}",
                if n == 1 { "problem" } else { "problems" }
            )))
        }
    }
}

/// `custodes framework list`: the built-in frameworks.
fn framework_list() -> Result<(), Failure> {
    println!("{:<24} {:<8} {:>10}  NAME", "ID", "VERSION", "INDICATORS");
    for b in custodes_formats::builtin::FRAMEWORKS {
        let f = custodes_formats::framework::read(b.file, b.text).map_err(|p| {
            anyhow!(
                "built-in framework {} is broken: {}",
                b.file,
                p.first().map(ToString::to_string).unwrap_or_default()
            )
        })?;
        let fw = f.framework();
        let indicators = fw
            .nodes
            .iter()
            .filter(|n| n.as_indicator().is_some())
            .count();
        println!(
            "{:<24} {:<8} {:>10}  {}",
            fw.id.as_str(),
            fw.version,
            indicators,
            fw.name
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::log_filter;

    #[test]
    fn chatty_libraries_are_quieted_unless_named() {
        assert_eq!(log_filter("info"), "info,sqlx=warn,highs=error");
        assert_eq!(
            log_filter("debug,sqlx=debug"),
            "debug,sqlx=debug,highs=error"
        );
        assert_eq!(log_filter("highs=warn"), "highs=warn,sqlx=warn");
    }
}
