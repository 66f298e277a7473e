//! `ycal`: the calendar logic from the command line, for people debugging a connection and
//! for our tests. A thin dispatcher on the first argument; each subcommand lives in its own
//! file and uses the same code paths as the plugin.

mod agenda;
mod changes;
mod common;
mod discover;
mod sync;

use std::process::ExitCode;

const USAGE: &str = "usage: ycal <command> [options]
commands:
  discover --url URL --user LOGIN                 (password from YCAL_PASSWORD)
  sync     --state FILE ...                       (ycal sync --help)
  agenda   --dir DIR --from DATE --to DATE --tz ZONE [--me EMAIL]...
  changes  --dir DIR --state FILE --from DATE --to DATE --tz ZONE [--me EMAIL]...";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let command = args.next().unwrap_or_default();
    let rest: Vec<String> = args.collect();
    let result = match command.as_str() {
        "discover" => discover::run(rest),
        "sync" => sync::run(rest),
        "agenda" => agenda::run(&rest),
        "changes" => changes::run(&rest),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command {other:?}\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ycal: {e}");
            ExitCode::FAILURE
        }
    }
}
