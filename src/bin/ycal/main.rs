//! `ycal`: the calendar logic from the command line, for people debugging a connection.
//! Each subcommand lives in its own file and takes the remaining arguments.

mod discover;
mod sync;

fn main() {
    let mut args = std::env::args().skip(1);
    let command = args.next().unwrap_or_default();
    let rest: Vec<String> = args.collect();
    let result = match command.as_str() {
        "discover" => discover::run(rest),
        "sync" => sync::run(rest),
        _ => Err("usage: ycal <discover|sync> [options]  (ycal <command> --help)".to_string()),
    };
    if let Err(e) = result {
        eprintln!("ycal: {e}");
        std::process::exit(1);
    }
}
