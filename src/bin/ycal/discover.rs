//! `ycal discover --url URL --user LOGIN [--json]`: checks the account and lists its
//! calendars. The password comes from `YCAL_PASSWORD`, never from an argument.

use yandex_calendar::caldav::{discover, Client, ClientOptions, Credentials, ThreadSleep};
use yandex_calendar::host::native::NativeHost;

pub fn run(args: Vec<String>) -> Result<(), String> {
    let mut url = None;
    let mut user = None;
    let mut json = false;
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--url" => url = it.next(),
            "--user" => user = it.next(),
            "--json" => json = true,
            "--help" | "-h" => {
                println!("usage: YCAL_PASSWORD=… ycal discover --url URL --user LOGIN [--json]");
                return Ok(());
            }
            other => return Err(format!("discover: unknown argument {other:?}")),
        }
    }
    let url = url.ok_or("discover: --url is required")?;
    let user = user.ok_or("discover: --user is required")?;
    let host = NativeHost::new();
    let client = Client::new(
        &host,
        &ThreadSleep,
        Credentials::new(user, password()?),
        ClientOptions::default(),
    );
    let (principal, calendars) = discover(&client, &url).map_err(|e| e.to_string())?;
    if json {
        let out = serde_json::json!({
            "principal": principal,
            "calendars": calendars,
            "requests": client.stats().requests,
            "bytes_received": client.stats().bytes_received,
        });
        println!("{out:#}");
        return Ok(());
    }
    println!("principal: {}", principal.principal_url);
    println!("calendar home: {}", principal.home_url);
    for c in &calendars {
        println!(
            "- {}  {}\n  color {}  components {}  ctag {}  sync-token {}",
            c.display_name,
            c.url,
            if c.color.is_empty() { "-" } else { &c.color },
            if c.components.is_empty() {
                "(any)".to_string()
            } else {
                c.components.join(",")
            },
            c.ctag.as_deref().unwrap_or("-"),
            c.sync_token.as_deref().unwrap_or("-"),
        );
    }
    println!(
        "{} calendar(s); {} request(s), {} bytes received",
        calendars.len(),
        client.stats().requests,
        client.stats().bytes_received
    );
    Ok(())
}

/// The app password, from the environment only, so it never shows in `ps` or history.
pub fn password() -> Result<String, String> {
    std::env::var("YCAL_PASSWORD")
        .map_err(|_| "set the app password in the environment variable YCAL_PASSWORD".to_string())
}
