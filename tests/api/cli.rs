//! The `gopy` binary as operators use it: settings errors, `user create`, `serve` and restarts.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::helpers::TestDb;

fn gopy(dir: &std::path::Path, db: &TestDb) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gopy"));
    command
        .current_dir(dir)
        .env("DATABASE_URL", &db.url)
        .env("GOPY_LOG", "warn")
        .env_remove("GOPY_LISTEN")
        .env_remove("GOPY_DATA_DIR")
        .env_remove("RUST_LOG");
    command
}

#[tokio::test]
async fn a_wrong_setting_stops_start_up_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::create(dir.path()).await;
    let out = gopy(dir.path(), &db)
        .env("GOPY_LISTEN", "cổng 80")
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`listen`") && stderr.contains("ADDRESS:PORT"),
        "{stderr}"
    );

    std::fs::write(dir.path().join("gopy.toml"), "lissten = \"127.0.0.1:1\"\n").unwrap();
    let out = gopy(dir.path(), &db).arg("migrate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("lissten"), "{stderr}");

    std::fs::write(dir.path().join("gopy.toml"), "load_samples = \"perhaps\"\n").unwrap();
    let out = gopy(dir.path(), &db).arg("migrate").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`load_samples`") && stderr.contains("true or false"),
        "{stderr}"
    );
}

#[tokio::test]
async fn user_create_makes_accounts_with_membership_and_explains_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::create(dir.path()).await;
    let create = |args: &[&str]| {
        gopy(dir.path(), &db)
            .args(["user", "create"])
            .args(args)
            .output()
            .unwrap()
    };
    let ok = create(&[
        "--role",
        "agency_officer",
        "--email",
        "CanBo@SXD.vn",
        "--password",
        "mật-khẩu-đủ-dài",
        "--agency",
        "SXD",
    ]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("canbo@sxd.vn"));

    let again = create(&[
        "--role",
        "resident",
        "--email",
        "canbo@sxd.vn",
        "--password",
        "mật-khẩu-đủ-dài",
    ]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    let no_agency = create(&[
        "--role",
        "agency_officer",
        "--email",
        "x@sxd.vn",
        "--password",
        "mật-khẩu-đủ-dài",
    ]);
    assert!(String::from_utf8_lossy(&no_agency.stderr).contains("--agency"));
    let unknown = create(&[
        "--role",
        "agency_officer",
        "--email",
        "y@sxd.vn",
        "--password",
        "mật-khẩu-đủ-dài",
        "--agency",
        "KHONG-CO",
    ]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("KHONG-CO"));
    let short = create(&[
        "--role",
        "resident",
        "--email",
        "z@vidu.vn",
        "--password",
        "ngắn",
    ]);
    assert!(String::from_utf8_lossy(&short.stderr).contains("--password"));
    let role = create(&[
        "--role",
        "superuser",
        "--email",
        "z@vidu.vn",
        "--password",
        "mật-khẩu-đủ-dài",
    ]);
    assert!(String::from_utf8_lossy(&role.stderr).contains("--role"));
}

/// A running `gopy serve` whose printed lines are collected.
struct Served {
    child: Child,
    lines: Vec<String>,
    url: String,
}

fn serve(dir: &std::path::Path, db: &TestDb) -> Served {
    let mut child = gopy(dir, db)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.join("data"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    while !lines.iter().any(|l: &String| l.starts_with("Press Ctrl-C")) {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("gopy printed {lines:?}"));
        lines.push(line);
    }
    let url = lines
        .iter()
        .find_map(|l| l.strip_prefix("gopy is running at "))
        .unwrap_or_else(|| panic!("no URL in {lines:?}"))
        .to_owned();
    Served { child, lines, url }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn serve_prints_the_url_and_admin_once_and_a_restart_keeps_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::create(dir.path()).await;
    let first = serve(dir.path(), &db);
    assert!(first.url.starts_with("http://127.0.0.1:"), "{}", first.url);
    assert!(
        first
            .lines
            .iter()
            .any(|l| l.contains("Admin account created")),
        "{:?}",
        first.lines
    );
    let list: serde_json::Value = reqwest::get(format!("{}api/v1/consultations", first.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let total = list["total"].as_u64().unwrap();
    assert!(total >= 2, "sample consultations are served: {list}");
    drop(first);

    let second = serve(dir.path(), &db);
    assert!(
        !second
            .lines
            .iter()
            .any(|l| l.contains("Admin account created")),
        "{:?}",
        second.lines
    );
    assert!(
        !second.lines.iter().any(|l| l.starts_with("First run")),
        "{:?}",
        second.lines
    );
    let again: serde_json::Value = reqwest::get(format!("{}api/v1/consultations", second.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        again["items"], list["items"],
        "the same consultations after a restart"
    );
}

#[tokio::test]
async fn the_example_configuration_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::create(dir.path()).await;
    let example = include_str!("../../gopy.example.toml");
    std::fs::write(dir.path().join("gopy.toml"), example).unwrap();
    let out = gopy(dir.path(), &db).arg("migrate").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(
        dir.path().join("gopy.toml"),
        format!("{example}\nhousing_plan = 10\n"),
    )
    .unwrap();
    let out = gopy(dir.path(), &db).arg("migrate").output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown kind in [min_comment_days] is refused"
    );
}
