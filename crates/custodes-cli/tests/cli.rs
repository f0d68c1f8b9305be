//! The `custodes` command as a script would use it: output, exit codes, one-line errors.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use custodes_testkit::{Flavour, TestDb};

/// A `custodes` command with a private data directory and no configuration leaking in
/// from the environment.
fn custodes(data_dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_custodes"));
    for (key, _) in std::env::vars() {
        if key.starts_with("CUSTODES_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("XDG_DATA_HOME", data_dir)
        .env("USER", "tester")
        .arg("--data-dir")
        .arg(data_dir)
        .stdin(Stdio::null());
    cmd
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("run custodes");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

fn with_stdin(cmd: &mut Command, input: &str) -> (i32, String, String) {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().unwrap();
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

#[test]
fn config_example_is_printed() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = run(custodes(dir.path()).args(["config", "example"]));
    assert_eq!(code, 0);
    assert!(out.starts_with("# Custodes configuration."), "{out}");
    assert!(out.contains("listen = \"127.0.0.1:8080\""));
}

#[test]
fn bad_usage_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(custodes(dir.path()).args(["user", "add", "x", "--role", "general"]));
    assert_eq!(code, 2);
    assert!(err.contains("unknown role 'general'"), "{err}");
    let (code, _, _) = run(custodes(dir.path()).arg("no-such-command"));
    assert_eq!(code, 2);
}

#[test]
fn a_bad_configuration_value_names_the_key_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(custodes(dir.path())
        .env("CUSTODES_LISTEN", "nowhere")
        .args(["config", "show"]));
    assert_eq!(code, 2);
    assert!(err.starts_with("error: configuration: "), "{err}");
    assert!(
        err.contains("key \"LISTEN\" in `CUSTODES_` environment"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
}

#[test]
fn config_show_hides_the_database_password() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = run(custodes(dir.path())
        .env(
            "CUSTODES_DATABASE_URL",
            "postgres://app:hunter2@db.example/custodes",
        )
        .args(["config", "show"]));
    assert_eq!(code, 0);
    assert!(
        out.contains("postgres://app:***@db.example/custodes"),
        "{out}"
    );
    assert!(!out.contains("hunter2"));
}

#[test]
fn a_file_that_is_not_a_database_exits_2_and_is_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "minutes of the committee meeting\n").unwrap();
    let (code, _, err) = run(custodes(dir.path())
        .arg("--database-url")
        .arg(&file)
        .args(["user", "list"]));
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        err.trim_end(),
        format!(
            "error: {} is not a SQLite database (its header is not a SQLite header); nothing was changed",
            file.display()
        )
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "minutes of the committee meeting\n"
    );
}

#[test]
fn an_unreachable_postgres_exits_1_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (code, _, err) = run(custodes(dir.path()).args([
        "--database-url",
        &format!("postgres://u:pw@127.0.0.1:{port}/db"),
        "migrate",
    ]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.starts_with(&format!(
            "error: cannot connect to postgres://u:***@127.0.0.1:{port}/db: "
        )),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

/// Users, the audit chain and backups through the command line, on one backend.
fn administer(flavour: Flavour) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(TestDb::new(flavour));
    let dir = db.dir.path().to_owned();
    let url = db.url.connect_string();
    let cmd = || {
        let mut c = custodes(&dir);
        c.args(["--database-url", &url]);
        c
    };

    let (code, out, err) = run(cmd().arg("migrate"));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("applied migrations 1, 2, 3, 4"), "{out}");

    let (code, out, err) = with_stdin(
        cmd().args([
            "user",
            "add",
            "amina",
            "--role",
            "admin",
            "--clearance",
            "secret",
            "--name",
            "Amina Sow",
            "--password-stdin",
        ]),
        "a long enough password\n",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.trim(),
        "created user amina (Administrator, cleared to SECRET)"
    );

    let (code, out, _) = run(cmd().args([
        "user",
        "add",
        "bo",
        "--role",
        "donor",
        "--generate-password",
    ]));
    assert_eq!(code, 0);
    let generated = out
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .unwrap();
    assert_eq!(generated.len(), 20);

    // A duplicate and a short password are bad input.
    let (code, _, err) = with_stdin(
        cmd().args([
            "user",
            "add",
            "amina",
            "--role",
            "planner",
            "--password-stdin",
        ]),
        "another long password\n",
    );
    assert_eq!(
        (code, err.trim_end()),
        (2, "error: a user named 'amina' already exists")
    );
    let (code, _, err) = with_stdin(
        cmd().args(["user", "add", "cy", "--role", "planner", "--password-stdin"]),
        "short\n",
    );
    assert_eq!(
        (code, err.trim_end()),
        (
            2,
            "error: the password is too short: use at least 12 characters"
        )
    );
    // No password source and no terminal.
    let (code, _, err) = run(cmd().args(["user", "add", "cy", "--role", "planner"]));
    assert_eq!(code, 2);
    assert!(err.contains("no password given"), "{err}");

    let (code, _, _) = run(cmd().args(["user", "disable", "bo"]));
    assert_eq!(code, 0);
    let (code, _, err) = run(cmd().args(["user", "disable", "nobody"]));
    assert_eq!((code, err.trim_end()), (2, "error: no user 'nobody'"));
    let (code, _, _) = run(cmd().args(["user", "passwd", "amina", "--generate-password"]));
    assert_eq!(code, 0);

    let (code, out, _) = run(cmd().args(["user", "list"]));
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[1].starts_with("amina")
            && lines[1].contains("administrator")
            && lines[1].contains("SECRET")
            && lines[1].contains("active")
            && lines[1].ends_with("Amina Sow"),
        "{out}"
    );
    assert!(
        lines[2].starts_with("bo ") && lines[2].contains("disabled"),
        "{out}"
    );

    let (code, out, _) = run(cmd().args(["audit", "verify"]));
    assert_eq!(code, 0);
    assert!(
        out.starts_with("audit chain intact: 4 entries, head "),
        "{out}"
    );

    // A backup, restored into a fresh SQLite file, lists the same users.
    let backup = dir.join("backup.jsonl");
    let (code, _, err) = run(cmd().arg("backup").arg(&backup));
    assert_eq!(code, 0, "{err}");
    let tables = format!(
        "backup written: {} tables",
        custodes_store::backup::TABLES.len()
    );
    assert!(err.contains(&tables), "{err}");
    let copy = dir.join("copy.db");
    let (code, out, err) = run(custodes(&dir)
        .arg("--database-url")
        .arg(&copy)
        .arg("restore")
        .arg(&backup));
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("restored into"), "{out}");
    let (_, listed_copy, _) = run(custodes(&dir)
        .arg("--database-url")
        .arg(&copy)
        .args(["user", "list"]));
    let (_, listed, _) = run(cmd().args(["user", "list"]));
    assert_eq!(listed_copy, listed);
    // Restoring again into the now full copy is refused.
    let (code, _, err) = run(custodes(&dir)
        .arg("--database-url")
        .arg(&copy)
        .arg("restore")
        .arg(&backup));
    assert_eq!(code, 2);
    assert!(err.contains("restore needs an empty database"), "{err}");

    // Tampering with the chain makes `audit verify` fail with exit code 1.
    rt.block_on(async {
        let pool = db.raw_pool().await;
        sqlx::query("UPDATE audit_entry SET actor_name = 'nobody' WHERE seq = 2")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    });
    let (code, _, err) = run(cmd().args(["audit", "verify"]));
    assert_eq!(code, 1);
    assert_eq!(
        err.trim_end(),
        "error: audit chain broken: entry 2 was altered: its content no longer matches its hash"
    );
}

#[test]
fn administer_sqlite() {
    administer(Flavour::Sqlite);
}

#[test]
fn administer_postgres() {
    administer(Flavour::Postgres);
}

#[test]
fn a_truncated_backup_file_exits_2_and_restores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source.db");
    let (code, _, _) = run(custodes(dir.path())
        .arg("--database-url")
        .arg(&source)
        .args([
            "user",
            "add",
            "ana",
            "--role",
            "planner",
            "--generate-password",
        ]));
    assert_eq!(code, 0);
    let backup = dir.path().join("b.jsonl");
    run(custodes(dir.path())
        .arg("--database-url")
        .arg(&source)
        .arg("backup")
        .arg(&backup));
    let text = std::fs::read_to_string(&backup).unwrap();
    std::fs::write(&backup, &text[..text.len() / 2]).unwrap();
    let target = dir.path().join("target.db");
    let (code, _, err) = run(custodes(dir.path())
        .arg("--database-url")
        .arg(&target)
        .arg("restore")
        .arg(&backup));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.starts_with(&format!("error: {}:", backup.display())),
        "{err}"
    );
    let (_, out, _) = run(custodes(dir.path())
        .arg("--database-url")
        .arg(&target)
        .args(["user", "list"]));
    assert_eq!(out.lines().count(), 1, "nothing restored: {out}");
}

/// A running server: its process, the address it printed, and what it printed.
struct Server {
    child: Child,
    addr: String,
    printed: String,
    /// Kept open so that the server can go on writing to its standard output.
    _stdout: BufReader<std::process::ChildStdout>,
}

// The child is handed to the caller, which waits for it in `terminate`.
#[allow(clippy::zombie_processes)]
fn start(mut cmd: Command) -> Server {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    // The demo optimises two plans with a time limit of 5 s each; under a loaded test
    // run it needs more than a minute.
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let mut line = String::new();
        let n = out.read_line(&mut line).unwrap();
        printed.push_str(&line);
        if let Some(rest) = line.split("serving at http://").nth(1) {
            let addr = rest.split('/').next().unwrap().to_owned();
            return Server {
                child,
                addr,
                printed,
                _stdout: out,
            };
        }
        if n == 0 || Instant::now() > deadline {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&output.stderr);
            panic!("the server did not start:\n{printed}\n{err}");
        }
    }
}

/// A plain HTTP GET: the status code and the body.
fn get(addr: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let code = response.split(' ').nth(1).unwrap().parse().unwrap();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (code, body)
}

fn terminate(mut server: Server) -> i32 {
    Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            return status.code().unwrap_or(-1);
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_answers_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = custodes(dir.path());
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"]);
    let server = start(cmd);
    let (code, body) = get(&server.addr, "/healthz");
    assert_eq!(code, 200);
    assert!(body.contains("\"status\":\"ok\""), "{body}");
    let (code, body) = get(&server.addr, "/");
    assert_eq!(code, 200);
    assert!(
        body.contains("No country or region has been set up"),
        "{body}"
    );
    assert_eq!(terminate(server), 0);
}

#[test]
fn demo_creates_then_reuses_the_demo_country() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = custodes(dir.path());
    cmd.args(["demo", "--listen", "127.0.0.1:0"]);
    let server = start(cmd);
    assert!(server.printed.contains("(created)"), "{}", server.printed);
    for username in [
        "admin", "planner", "assessor", "reviewer", "officer", "mp", "donor", "auditor",
    ] {
        assert!(
            server.printed.contains(&format!("{username}-arvenia-demo")),
            "{}",
            server.printed
        );
    }
    let (code, body) = get(&server.addr, "/");
    assert_eq!(code, 200);
    assert!(body.contains("Republic of Arvenia"), "{body}");
    assert_eq!(terminate(server), 0);

    let mut again = custodes(dir.path());
    again.args(["demo", "--listen", "127.0.0.1:0"]);
    let server = start(again);
    assert!(server.printed.contains("(reused)"), "{}", server.printed);
    assert_eq!(terminate(server), 0);

    let (code, out, _) = run(custodes(dir.path())
        .arg("--database-url")
        .arg(dir.path().join("demo.db"))
        .args(["audit", "verify"]));
    assert_eq!(code, 0);
    assert!(out.starts_with("audit chain intact: "), "{out}");
}

#[test]
fn framework_check_lists_every_problem_or_says_none() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.toml");
    std::fs::write(
        &good,
        "format = \"custodes-framework/1\"\n[framework]\nid = \"t\"\nversion = \"1\"\nname = \"T\"\n\
         [[scale]]\nid = \"s\"\nkind = \"numeric\"\nlevels = [{ id = \"0\", value = 0 }, { id = \"1\", value = 100 }]\n\
         [[node]]\nid = \"root\"\ntitle = \"T\"\naggregation = \"mean\"\n\
         [[node]]\nid = \"i1\"\nparent = \"root\"\ntitle = \"I\"\nscale = \"s\"\nanchors = [\"no\", \"yes\"]\n",
    )
    .unwrap();
    let (code, out, err) = run(custodes(dir.path())
        .arg("framework")
        .arg("check")
        .arg(&good));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.trim_end()
            .ends_with("framework t 1 (T): 2 nodes, 1 indicators; no problems"),
        "{out}"
    );

    let bad = dir.path().join("bad.toml");
    let text = std::fs::read_to_string(&good)
        .unwrap()
        .replace("scale = \"s\"", "scale = \"z\"")
        .replace("aggregation = \"mean\"", "aggregation = \"median\"");
    std::fs::write(&bad, text).unwrap();
    let (code, _, err) = run(custodes(dir.path()).arg("framework").arg("check").arg(&bad));
    assert_eq!(code, 2);
    let lines: Vec<&str> = err.lines().collect();
    let name = bad.display().to_string();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(
        lines[0].starts_with(&format!(
            "{name}:13:15: node[root].aggregation: unknown aggregation 'median'"
        )),
        "{err}"
    );
    assert!(
        lines[1].starts_with(&format!("{name}:18:9: node[i1].scale: unknown scale 'z'")),
        "{err}"
    );
    assert_eq!(lines[2], format!("error: {name}: 2 problems"));
}

#[test]
fn framework_list_shows_the_built_in_frameworks() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(custodes(dir.path()).args(["framework", "list"]));
    assert_eq!(code, 0, "{err}");
    for id in ["ideal-security-sector", "good-governance", "integrity"] {
        assert!(out.lines().any(|l| l.starts_with(id)), "{out}");
    }
}

/// Plans from the command line, on the demo country: listed, optimised under a scenario
/// with progress as plain lines (standard error is not a terminal here), and the model
/// exported for audit; an unknown scenario exits 2.
#[test]
fn plans_are_listed_optimised_and_exported() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = custodes(dir.path());
    cmd.args(["demo", "--listen", "127.0.0.1:0"]);
    assert_eq!(terminate(start(cmd)), 0);
    let db = dir.path().join("demo.db");
    let cmd = || {
        let mut c = custodes(dir.path());
        c.arg("--database-url").arg(&db);
        c
    };
    let (code, out, err) = run(cmd().args(["plan", "list"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Approved") && out.contains("treasury-minus-20"),
        "{out}"
    );
    let (code, out, err) = run(cmd().args([
        "plan",
        "optimise",
        "--scenario",
        "nordic-leaves-2030",
        "--time-limit",
        "2",
        "--gap",
        "0.01",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("saved as a draft"), "{out}");
    assert!(
        out.contains("DDR phase 2 for the Northern Liberation Front"),
        "{out}"
    );
    assert!(err.contains("optimising: solving:"), "{err}");
    let file = dir.path().join("model.lp");
    let (code, _, err) = run(cmd()
        .args([
            "plan",
            "export-model",
            "--scenario",
            "baseline",
            "--format",
            "lp",
            "-o",
        ])
        .arg(&file));
    assert_eq!(code, 0, "{err}");
    let lp = std::fs::read_to_string(&file).unwrap();
    assert!(
        lp.to_lowercase().contains("subject to"),
        "{}",
        &lp[..lp.len().min(400)]
    );
    let (code, _, err) = run(cmd().args(["plan", "optimise", "--scenario", "no-such-thing"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no scenario 'no-such-thing'"), "{err}");
}

/// Frameworks and assessments from the command line, on the demo country.
#[test]
fn assessments_are_listed_scored_exported_and_frozen_once_published() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = custodes(dir.path());
    cmd.args(["demo", "--listen", "127.0.0.1:0"]);
    assert_eq!(terminate(start(cmd)), 0);
    let db = dir.path().join("demo.db");
    let cmd = || {
        let mut c = custodes(dir.path());
        c.arg("--database-url").arg(&db);
        c
    };
    let (code, out, err) = run(cmd().args(["assess", "list"]));
    assert_eq!(code, 0, "{err}");
    let id = |period: &str| {
        out.lines()
            .find(|l| l.split_whitespace().nth(1) == Some(period))
            .and_then(|l| l.split_whitespace().next())
            .unwrap_or_else(|| panic!("no {period} in {out}"))
            .to_owned()
    };
    let (y24, y26) = (id("2024"), id("2026"));

    let (code, summary, err) = run(cmd().args(["assess", "score", &y26, "--compare", &y24]));
    assert_eq!(code, 0, "{err}");
    assert!(
        summary.contains("High confidence: 36 of 37 indicators scored (1 NEI)."),
        "{summary}"
    );
    assert!(
        summary.contains("+20.0  An up-to-date security strategy"),
        "{summary}"
    );
    assert!(
        summary.contains("Irrelevant or absent political and civilian control"),
        "{summary}"
    );

    let (code, json, err) = run(cmd().args(["assess", "score", &y24, "--format", "json"]));
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["format"], "custodes-results/1");
    assert_eq!(doc["assessment"]["period"], "2024");

    let file = dir.path().join("answers.csv");
    let (code, _, err) = run(cmd().args(["assess", "export", &y24, "-o"]).arg(&file));
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("indicator,level,missing,actor,explanation,sources\n"));

    // A published assessment is frozen: importing into it changes nothing.
    let (code, _, err) = run(cmd().args(["assess", "import", &y24]).arg(&file));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("answers and sources can change only while it is a draft"),
        "{err}"
    );
    let (code, _, err) = run(cmd().args(["assess", "import", "not-an-id"]).arg(&file));
    assert_eq!(code, 2, "{err}");

    // Frameworks are imported once per version, after a check.
    let builtin = include_str!("../../../frameworks/ideal-security-sector.toml");
    let newer = dir.path().join("iss-1.1.toml");
    std::fs::write(
        &newer,
        builtin.replace("version = \"1.0.0\"", "version = \"1.1.0\""),
    )
    .unwrap();
    let (code, out, err) = run(cmd().args(["framework", "import"]).arg(&newer));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.trim(),
        "imported framework ideal-security-sector 1.1.0 (Ideal Security Sector): 37 indicators"
    );
    let (code, _, err) = run(cmd().args(["framework", "import"]).arg(&newer));
    assert_eq!(code, 2);
    assert!(err.contains("exists already"), "{err}");
    let broken = dir.path().join("broken.toml");
    std::fs::write(
        &broken,
        builtin.replace("scale = \"five-levels\"", "scale = \"six-levels\""),
    )
    .unwrap();
    let (code, _, err) = run(cmd().args(["framework", "import"]).arg(&broken));
    assert_eq!(code, 2);
    assert!(err.contains("broken.toml:"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
}

/// Threat-first strategy from the command line, on the demo country in a database of
/// `flavour`: the register, the matrix and the goals as each reader may read them (text
/// and the API's JSON), the strategies with their review flag, and a strategy taken back
/// to draft and through its life cycle to approval, every refusal on one line with exit
/// code 2 and nothing changed.
fn strategy_commands(flavour: Flavour) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(TestDb::new(flavour));
    let dir = db.dir.path().to_owned();
    let url = db.url.connect_string();
    let cmd = || {
        let mut c = custodes(&dir);
        c.args(["--database-url", &url]);
        c
    };
    let mut demo = cmd();
    demo.args(["demo", "--listen", "127.0.0.1:0"]);
    assert_eq!(terminate(start(demo)), 0);
    let ok = |args: &[&str]| {
        let (code, out, err) = run(cmd().args(args));
        assert_eq!(code, 0, "{args:?}: {err}");
        out
    };
    let refused = |args: &[&str], message: &str| {
        let (code, out, err) = run(cmd().args(args));
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.starts_with("error: ") && err.contains(message), "{err}");
    };
    let json = |args: &[&str]| -> serde_json::Value {
        serde_json::from_str(&ok(args)).unwrap_or_else(|e| panic!("{args:?}: {e}"))
    };

    // The register: the planner (SECRET, in the committee's compartment) reads all twelve
    // threats, the donor (OFFICIAL) the ten at PUBLIC and OFFICIAL.
    let covert = "A neighbouring state's covert support to the insurgent remnants";
    let port = "Trafficking networks inside the Port Authority of Velmar";
    let out = ok(&["threat", "list", "--as", "planner"]);
    assert!(out.starts_with("ID "), "{out}");
    assert!(out.contains(covert) && out.contains(port), "{out}");
    assert!(
        out.contains("16 very high  4 × 4  rising   PUBLIC        Cross-border arms trafficking"),
        "{out}"
    );
    assert!(out.trim_end().ends_with("12 threats"), "{out}");
    let out = ok(&["threat", "list", "--as", "donor"]);
    assert!(!out.contains(covert) && !out.contains(port), "{out}");
    assert!(out.trim_end().ends_with("10 threats"), "{out}");
    let page = json(&["threat", "list", "--as", "planner", "--format", "json"]);
    assert_eq!(page["total"], 12);
    assert_eq!(
        page["items"][0]["risk"],
        serde_json::json!({ "rating": 16, "band": "very_high" })
    );

    // The matrix counts only what the reader may read.
    let out = ok(&["threat", "matrix", "--as", "donor"]);
    assert!(out.contains("likelihood \\ impact"), "{out}");
    assert!(
        out.contains("very high (16: likelihood 4 × impact 4)\n  Cross-border arms trafficking"),
        "{out}"
    );
    for (who, n) in [("planner", 12), ("donor", 10)] {
        let cells = json(&["threat", "matrix", "--as", who, "--format", "json"]);
        let cells = cells.as_array().unwrap();
        assert_eq!(cells.len(), 25);
        let counted: u64 = cells.iter().map(|c| c["count"].as_u64().unwrap()).sum();
        assert_eq!(counted, n, "{who}");
    }

    // A goal weighs the threats its reader may read: the borders goal answers four
    // threats, one of them CONFIDENTIAL (16 ÷ 25 + 3 × 0.05 for the planner, + 2 × 0.05
    // for the donor). An override shows with its reason.
    let borders = "Secure the borders against trafficking and spill-over";
    let out = ok(&["goal", "list", "--as", "planner"]);
    assert!(
        out.contains(&format!("  0.79      0.79        4  {borders}")),
        "{out}"
    );
    assert!(
        out.contains("overridden to 0.80: The National Security Council"),
        "{out}"
    );
    let out = ok(&["goal", "list", "--as", "donor"]);
    assert!(
        out.contains(&format!("  0.74      0.74        3  {borders}")),
        "{out}"
    );
    let goals = json(&["goal", "list", "--as", "donor", "--format", "json"]);
    let goal = goals
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["title"] == borders)
        .unwrap();
    assert_eq!(goal["weight"]["computed"], 0.74);
    assert!(!goal.to_string().contains("Port Authority"), "{goal}");

    // The strategies, the white paper overdue for review.
    let out = ok(&["strategy", "list"]);
    let paper = out
        .lines()
        .find(|l| l.contains("Defence White Paper 2017"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(paper.contains("Approved") && paper.contains("due"), "{out}");
    let out = ok(&["strategy", "show", "white paper"]);
    assert!(
        out.contains("review        DUE since 2022-03-09 (every 5 years)"),
        "{out}"
    );
    assert!(
        out.contains("approved      2017-03-09, vote NA/2017/022"),
        "{out}"
    );
    refused(&["strategy", "show", "strategy"], "matches 2 strategies");
    refused(
        &["strategy", "show", "no such thing"],
        "no strategy whose title contains",
    );
    refused(
        &["strategy", "list", "--workspace", "atlantis"],
        "no workspace 'atlantis'",
    );

    // The border strategy, in consultation: refusals change nothing.
    let before = ok(&["audit", "verify"]);
    refused(
        &[
            "strategy", "status", "border", "--to", "debate", "--as", "donor",
        ],
        "you may not move strategies through their life cycle",
    );
    refused(
        &[
            "strategy",
            "status",
            "border",
            "--to",
            "approved",
            "--date",
            "2026-01-01",
            "--vote-ref",
            "X",
        ],
        "a strategy in public consultation cannot be approved",
    );
    refused(
        &["strategy", "status", "border", "--to", "draft"],
        "cannot be sent back to draft",
    );
    assert_eq!(
        ok(&["audit", "verify"]),
        before,
        "a refusal wrote something"
    );

    // To parliament, back to draft (which the operator still reads), consulted again.
    let out = ok(&["strategy", "status", "border", "--to", "debate"]);
    assert_eq!(
        out.trim(),
        "Border Security and Migration Strategy 2027–2031: Parliamentary debate"
    );
    ok(&[
        "strategy", "status", "border", "--to", "draft", "--as", "mp",
    ]);
    let out = ok(&["strategy", "show", "border"]);
    assert!(out.contains("status        Draft"), "{out}");
    assert!(out.contains("next          --to consultation"), "{out}");
    assert!(out.contains("Comments (2):"), "{out}");
    refused(&["strategy", "show", "border", "--as", "nobody"], "nobody");
    refused(
        &["strategy", "status", "border", "--to", "consultation"],
        "--closes: give the last day of public consultation",
    );
    let out = ok(&[
        "strategy",
        "status",
        "border",
        "--to",
        "consultation",
        "--closes",
        "2099-12-31",
    ]);
    assert!(out.trim_end().ends_with("to 2099-12-31"), "{out}");
    ok(&["strategy", "status", "border", "--to", "debate"]);

    // Parliament approves it with its vote; `show` has the day, the vote and the review.
    let today = chrono::Utc::now().date_naive().to_string();
    refused(
        &[
            "strategy",
            "status",
            "border",
            "--to",
            "approved",
            "--vote-ref",
            "NA/2026/5",
            "--as",
            "mp",
        ],
        "--date: give the day of parliament's vote",
    );
    refused(
        &[
            "strategy", "status", "border", "--to", "approved", "--date", &today, "--as", "mp",
        ],
        "--vote-ref: enter the reference of parliament's vote",
    );
    let out = ok(&[
        "strategy",
        "status",
        "border",
        "--to",
        "approved",
        "--date",
        &today,
        "--vote-ref",
        "NA/2026/5",
        "--as",
        "mp",
    ]);
    assert!(
        out.contains(&format!("Approved on {today} (vote NA/2026/5)")),
        "{out}"
    );
    let out = ok(&["strategy", "show", "border"]);
    assert!(out.contains("status        Approved"), "{out}");
    assert!(
        out.contains(&format!("approved      {today}, vote NA/2026/5")),
        "{out}"
    );
    assert!(out.contains("review        due on"), "{out}");
    assert!(!out.contains("next "), "{out}");
    let doc = json(&["strategy", "show", "border", "--format", "json"]);
    assert_eq!(doc["status"], "approved");
    assert_eq!(doc["vote_reference"], "NA/2026/5");
    assert_eq!(doc["review_due"], false);
    assert_eq!(doc["comments"].as_array().unwrap().len(), 2);
    let out = ok(&["audit", "verify"]);
    assert!(out.starts_with("audit chain intact: "), "{out}");
}

#[test]
fn strategy_commands_sqlite() {
    strategy_commands(Flavour::Sqlite);
}

#[test]
fn strategy_commands_postgres() {
    strategy_commands(Flavour::Postgres);
}
