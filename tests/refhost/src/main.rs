//! `refhost run --module PATH --scenario FILE [--out FILE]`: prints the transcript.
//! `refhost bench --module PATH --iterations N`: times `/yandex_calendar info`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use refhost::Scenario;

const USAGE: &str = "usage:
  refhost run   --module PATH --scenario FILE [--out FILE]
  refhost bench --module PATH --iterations N";

struct Opts {
    module: Option<PathBuf>,
    scenario: Option<PathBuf>,
    out: Option<PathBuf>,
    iterations: Option<u64>,
}

fn parse_opts(args: &[String]) -> Result<Opts> {
    let mut o = Opts {
        module: None,
        scenario: None,
        out: None,
        iterations: None,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .with_context(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--module" => o.module = Some(value()?.into()),
            "--scenario" => o.scenario = Some(value()?.into()),
            "--out" => o.out = Some(value()?.into()),
            "--iterations" => {
                let v = value()?;
                o.iterations = Some(
                    v.parse()
                        .with_context(|| format!("--iterations: {v:?} is not a number"))?,
                );
            }
            other => bail!("unknown option {other:?}\n{USAGE}"),
        }
    }
    Ok(o)
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}`: the whole chain of causes on one line, without a Rust backtrace.
            eprintln!("refhost: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((cmd, rest)) = args.split_first() else {
        bail!("{USAGE}");
    };
    if cmd != "run" && cmd != "bench" {
        bail!("unknown command {cmd:?}\n{USAGE}");
    }
    let opts = parse_opts(rest)?;
    let module = opts
        .module
        .clone()
        .with_context(|| format!("--module is required\n{USAGE}"))?;
    match cmd.as_str() {
        "run" => {
            let path = opts
                .scenario
                .with_context(|| format!("--scenario is required\n{USAGE}"))?;
            let scenario = Scenario::load(&path)?;
            let lines = refhost::run_scenario(&module, &scenario)?;
            let mut text = String::new();
            for line in &lines {
                text.push_str(line);
                text.push('\n');
            }
            if let Some(out) = opts.out {
                if let Some(dir) = out.parent() {
                    std::fs::create_dir_all(dir)
                        .with_context(|| format!("creating {}", dir.display()))?;
                }
                std::fs::write(&out, &text)
                    .with_context(|| format!("writing {}", out.display()))?;
            }
            std::io::stdout()
                .lock()
                .write_all(text.as_bytes())
                .context("writing the transcript to stdout")?;
        }
        "bench" => {
            let n = opts
                .iterations
                .with_context(|| format!("--iterations is required\n{USAGE}"))?;
            let r = refhost::bench(&module, n)?;
            eprintln!(
                "compile_ms={} instantiate_us={} cpu_ns_per_call={} echo_ns_per_call={}",
                r.compile_ns / 1_000_000,
                r.instantiate_ns / 1_000,
                r.cpu_ns_per_call,
                r.echo_ns_per_call
            );
            println!("ns_per_call={}", r.ns_per_call);
        }
        other => bail!("unknown command {other:?}\n{USAGE}"),
    }
    Ok(())
}
