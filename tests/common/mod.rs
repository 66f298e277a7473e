//! Starting the test servers of tests/servers/ and talking to them.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

use yandex_calendar::caldav::{Client, ClientOptions, Credentials, RetryPolicy, ThreadSleep};
use yandex_calendar::host::native::NativeHost;

pub const PASSWORD: &str = "secret";

/// A server started by one of the tests/servers/*.sh scripts, stopped on drop.
pub struct Server {
    pub url: String,
    script: PathBuf,
    dir: PathBuf,
}

fn servers_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/servers")
}

impl Server {
    /// Starts `script` (e.g. "radicale.sh"); panics with the script's output if it cannot.
    pub fn start(script: &str, name: &str) -> Server {
        let dir = std::env::temp_dir().join(format!("ycal-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let script = servers_dir().join(script);
        let out = Command::new("bash")
            .arg(&script)
            .arg("start")
            .arg(&dir)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        if !out.status.success() {
            panic!(
                "could not start the test server with `bash {} start {}`:\n{}\n{}",
                script.display(),
                dir.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let url = String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .unwrap_or_default()
            .trim()
            .to_string();
        assert!(
            url.starts_with("http://127.0.0.1:"),
            "bad server URL {url:?}"
        );
        Server { url, script, dir }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(&self.script)
            .arg("stop")
            .arg(&self.dir)
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Retries fast, so failure tests take milliseconds.
pub fn options() -> ClientOptions {
    ClientOptions {
        retry: RetryPolicy {
            max_attempts: 4,
            base_delay_ms: 10,
            max_delay_ms: 50,
            budget_ms: 2_000,
        },
        ..ClientOptions::default()
    }
}

pub fn client<'a>(host: &'a NativeHost, user: &str, password: &str) -> Client<'a, NativeHost> {
    Client::new(
        host,
        &ThreadSleep,
        Credentials::new(user, password),
        options(),
    )
}

/// tests/servers/dav.py with the given arguments; panics on failure.
pub fn dav(args: &[&str]) -> String {
    let out = Command::new("python3")
        .arg(servers_dir().join("dav.py"))
        .args(args)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "dav.py {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A one-hour VEVENT at `start` (UTC `YYYYMMDDTHHMMSSZ`).
pub fn put_event(url: &str, uid: &str, summary: &str, start: &str) {
    dav(&["event", url, uid, summary, start]);
}
