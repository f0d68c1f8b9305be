//! A process that writes is killed with SIGKILL in the middle of a burst of concurrent
//! writes; every write it acknowledged is in the database afterwards, the database opens,
//! and the audit chain verifies. On both backends.
//!
//! The writer is this test binary run again as a child process (`burst_writer` below, told
//! where to write by an environment variable). It prints `ack SLUG` after each commit
//! returns; the parent kills it once enough writes are acknowledged and more are in
//! flight.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use custodes_core::audit::Actor;
use custodes_core::workspace::{Slug, WorkspaceKind};
use custodes_store::audit::Verdict;
use custodes_store::{DatabaseUrl, Store};
use custodes_testkit::{Flavour, TestDb};

const CHILD_URL: &str = "CUSTODES_DURABILITY_CHILD_URL";
const WRITERS: usize = 8;

/// Runs `WRITERS` tasks that create workspaces as fast as they can and report each commit.
async fn burst(store: Store, per_writer: usize, report: bool) -> Vec<String> {
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut done = Vec::new();
            for i in 0..per_writer {
                let slug = format!("w{w}-{i}");
                store
                    .create_workspace(
                        &Actor::System,
                        Slug::parse(&slug).unwrap(),
                        &format!("Burst {slug}"),
                        WorkspaceKind::Region,
                    )
                    .await
                    .unwrap();
                if report {
                    // One line per acknowledged write; println! locks stdout per line.
                    println!("ack {slug}");
                }
                done.push(slug);
            }
            done
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all
}

/// As a child: write to the database the parent names until killed. Run as a test of its
/// own (no variable set): a bounded burst, then every write is present and the chain
/// verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn burst_writer() {
    if let Ok(url) = std::env::var(CHILD_URL) {
        let url: DatabaseUrl = url.parse().unwrap();
        let store = Store::open(&url).await.unwrap();
        println!("ready");
        // The parent kills us long before this ends.
        burst(store, 100_000, true).await;
        return;
    }
    let db = TestDb::new(Flavour::Sqlite).await;
    let store = db.open().await;
    let written = burst(store.clone(), 10, false).await;
    assert_eq!(written.len(), WRITERS * 10);
    assert_eq!(store.list_workspaces().await.unwrap().len(), WRITERS * 10);
    assert!(
        matches!(store.verify_audit().await.unwrap(), Verdict::Intact { entries, .. } if entries == (WRITERS * 10) as u64)
    );
}

async fn kill_in_the_middle(flavour: Flavour) {
    let db = TestDb::new(flavour).await;
    // Create the schema first, so the child starts writing at once.
    db.open().await.close().await;

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["burst_writer", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_URL, db.url.connect_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(slug) = line.strip_prefix("ack ") {
                let _ = tx.send(slug.to_owned());
            }
        }
    });

    let mut acked = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while acked.len() < 150 && Instant::now() < deadline {
        if let Ok(slug) = rx.recv_timeout(Duration::from_millis(100)) {
            acked.push(slug);
        }
    }
    assert!(
        acked.len() >= 150,
        "the writer acknowledged only {} writes in 60 s",
        acked.len()
    );
    // SIGKILL: no destructors, no flushing, no rollback.
    child.kill().unwrap();
    child.wait().unwrap();
    reader.join().unwrap();
    // Acknowledgements printed before the kill but not yet read are acknowledged too.
    acked.extend(rx.try_iter());

    let store = Store::open(&db.url)
        .await
        .expect("the database opens after the kill");
    let present: std::collections::HashSet<String> = store
        .list_workspaces()
        .await
        .unwrap()
        .into_iter()
        .map(|w| w.slug.to_string())
        .collect();
    let lost: Vec<&String> = acked.iter().filter(|s| !present.contains(*s)).collect();
    assert!(lost.is_empty(), "acknowledged writes lost: {lost:?}");
    match store.verify_audit().await.unwrap() {
        Verdict::Intact { entries, .. } => assert_eq!(entries, present.len() as u64),
        Verdict::Broken(b) => panic!("chain broken after the kill: {b}"),
    }
    // And the database takes writes again.
    store
        .create_workspace(
            &Actor::System,
            Slug::parse("after-the-kill").unwrap(),
            "After",
            WorkspaceKind::Country,
        )
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_writes_sqlite() {
    kill_in_the_middle(Flavour::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_writes_postgres() {
    kill_in_the_middle(Flavour::Postgres).await;
}
