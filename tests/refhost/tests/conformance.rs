//! Runs tests/conformance/scenario.json through wasmtime and checks the transcript's shape;
//! writes it to `target/conformance/wasmtime.jsonl` for the Go host's comparison.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use refhost::host::{
    engine, load_component, plugin_exports, plugin_imports, run_scenario_with, RefHost,
};
use refhost::Scenario;
use serde_json::{json, Value};
use wasmtime::component::Component;
use wasmtime::Engine;

const HOOKS: &str = "yandex:calendar/hooks@0.1.0#";
const PROBE: &str = "yandex:calendar/abi-probe@0.1.0#";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// The core module with the ABI probes: `$YCAL_WASM`, or the probe build at the root,
/// brought up to date here (a no-op when it is fresh) so the transcript always matches the
/// sources.
fn module_path() -> PathBuf {
    static BUILT: Mutex<bool> = Mutex::new(false);
    if let Some(p) = std::env::var_os("YCAL_WASM") {
        return PathBuf::from(p);
    }
    let path = target_dir().join("wasm32-wasip1/probe/yandex_calendar.wasm");
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if !*built {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args([
                "build",
                "--target",
                "wasm32-wasip1",
                "--profile",
                "probe",
                "--lib",
                "--features",
                "abi-probe",
            ])
            .current_dir(root())
            .status()
            .expect("running cargo to build the core module");
        assert!(
            status.success(),
            "building the core module failed; build it with `cargo build --target \
             wasm32-wasip1 --profile probe --lib --features abi-probe` at the repo root"
        );
        *built = true;
    }
    path
}

fn compiled() -> &'static (Engine, Component) {
    static C: OnceLock<(Engine, Component)> = OnceLock::new();
    C.get_or_init(|| {
        let engine = engine().expect("engine");
        let component = load_component(&engine, &module_path()).expect("component");
        (engine, component)
    })
}

fn scenario() -> Scenario {
    Scenario::load(&root().join("tests/conformance/scenario.json")).expect("scenario.json")
}

fn transcript() -> &'static Vec<Value> {
    static T: OnceLock<Vec<Value>> = OnceLock::new();
    T.get_or_init(|| {
        let (engine, component) = compiled();
        let lines = run_scenario_with(engine, component, &scenario()).expect("scenario runs");
        let dir = target_dir().join("conformance");
        std::fs::create_dir_all(&dir).expect("create target/conformance");
        let mut text = lines.join("\n");
        text.push('\n');
        std::fs::write(dir.join("wasmtime.jsonl"), text).expect("write wasmtime.jsonl");
        lines
            .iter()
            .map(|l| serde_json::from_str(l).expect("transcript line is JSON"))
            .collect()
    })
}

fn exports() -> Vec<&'static Value> {
    transcript()
        .iter()
        .filter(|l| l["kind"] == "export")
        .collect()
}

fn export_results(name: &str) -> Vec<&'static Value> {
    exports()
        .into_iter()
        .filter(|l| l["name"] == name)
        .map(|l| &l["result"])
        .collect()
}

#[test]
fn core_module_imports_only_the_plugin_interfaces_and_wasi_p1() {
    let core = std::fs::read(module_path()).expect("read module");
    let imports = refhost::wasm::core_imports(&core).expect("parse imports");
    assert!(!imports.is_empty());
    for (module, name) in &imports {
        assert!(
            module.starts_with("yandex:calendar/") || module == "wasi_snapshot_preview1",
            "unexpected core import {module}::{name}"
        );
        assert!(!module.contains("wbindgen") && !name.contains("wbindgen"));
    }
    let exports = refhost::wasm::core_exports(&core).expect("parse exports");
    assert!(
        exports.iter().all(|e| !e.contains("wbindgen")),
        "{exports:?}"
    );
    assert!(exports.iter().any(|e| e == "cabi_realloc"), "{exports:?}");
}

#[test]
fn one_export_line_per_call_in_order() {
    let calls = scenario().calls;
    let done: Vec<&Value> = transcript()
        .iter()
        .filter(|l| l["kind"] == "export" || l["kind"] == "trap")
        .collect();
    let names: Vec<&str> = done
        .iter()
        .map(|l| l["name"].as_str().unwrap_or_default())
        .collect();
    let want: Vec<&str> = calls.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, want);
    for (line, call) in done.iter().zip(&calls) {
        assert_eq!(line["kind"] == "trap", call.trap, "{}", call.name);
        assert_eq!(
            line["args"],
            Value::Array(call.args.clone()),
            "{}",
            call.name
        );
    }
}

#[test]
fn lines_are_compact_json_with_sorted_keys() {
    let (engine, component) = compiled();
    let lines = run_scenario_with(engine, component, &scenario()).expect("scenario runs");
    for line in &lines {
        let v: Value = serde_json::from_str(line).expect("JSON");
        assert_eq!(&serde_json::to_string(&v).expect("serialise"), line);
        let keys: Vec<&String> = v.as_object().expect("object").keys().collect();
        assert_eq!(keys, ["args", "kind", "name", "result"]);
    }
    let again = run_scenario_with(engine, component, &scenario()).expect("scenario runs");
    assert_eq!(lines, again, "the transcript is deterministic");
}

#[test]
fn every_export_and_import_is_exercised() {
    let (engine, component) = compiled();
    let seen: Vec<&str> = transcript()
        .iter()
        .filter_map(|l| l["name"].as_str())
        .collect();
    let exports = plugin_exports(engine, component);
    assert!(exports.len() >= 29, "{exports:?}");
    for name in exports {
        assert!(seen.contains(&name.as_str()), "export {name} never called");
    }
    for (iface, func) in plugin_imports(engine, component) {
        let name = format!("{iface}#{func}");
        let results: Vec<&Value> = transcript()
            .iter()
            .filter(|l| l["kind"] == "import" && l["name"] == name.as_str())
            .map(|l| &l["result"])
            .collect();
        assert!(!results.is_empty(), "import {name} never called");
        if results.iter().any(|r| r.get("ok").is_some()) {
            assert!(
                results.iter().any(|r| r.get("err").is_some()),
                "import {name} never answered with err"
            );
        }
    }
}

#[test]
fn echoes_return_their_input_unchanged() {
    let mut count = 0;
    for line in exports() {
        let name = line["name"].as_str().unwrap_or_default();
        let Some(func) = name.strip_prefix(PROBE) else {
            continue;
        };
        if !func.starts_with("echo-") {
            continue;
        }
        let args = line["args"].as_array().expect("args");
        let want = if args.len() == 1 {
            &args[0]
        } else {
            &line["args"]
        };
        assert_eq!(&line["result"], want, "{name}");
        count += 1;
    }
    assert!(count >= 50, "only {count} echo calls");
    let big = export_results(&format!("{PROBE}echo-string"))
        .iter()
        .filter_map(|r| r.as_str())
        .map(str::len)
        .max();
    assert!(
        big >= Some(100_000),
        "a ~100 KB string crosses the boundary"
    );
}

#[test]
fn hooks_answer_as_the_plugin_should() {
    let activate = export_results(&format!("{HOOKS}activate"));
    assert_eq!(activate[0], &json!({"ok": null}));
    let refusal = activate[1]["err"].as_str().expect("activation refused");
    assert!(refusal.contains("must be an https:// address"), "{refusal}");
    assert!(refusal.contains("Адрес CalDAV-сервера"), "{refusal}");
    let config = export_results(&format!("{HOOKS}check-config"));
    assert_eq!(
        config[0],
        &json!({"ok": {"caldav-url": "https://caldav.yandex.ru", "reminder-lead-minutes": 10,
                       "sync-interval-minutes": 5, "allowed-hosts": []}})
    );
    // Unset settings take the defaults; a saved 0 stays 0.
    assert_eq!(config[1]["ok"]["reminder-lead-minutes"], 10);
    assert_eq!(config[2]["ok"]["reminder-lead-minutes"], 0);
    assert_eq!(
        config[2]["ok"]["allowed-hosts"],
        json!(["cal.example.org", "[fd00::1]:443"])
    );
    assert!(
        config[3..].iter().all(|r| r.get("err").is_some()),
        "{config:?}"
    );

    let texts: Vec<&str> = export_results(&format!("{HOOKS}execute-command"))
        .iter()
        .map(|r| {
            assert_eq!(r["response-type"], "ephemeral");
            r["text"].as_str().expect("text")
        })
        .collect();
    assert!(texts[0].contains("Meetings today"), "{}", texts[0]);
    assert!(!texts[0].contains("Встречи"), "{}", texts[0]);
    assert!(texts[1].contains("Встречи на сегодня"), "{}", texts[1]);
    assert!(texts[2].contains("нет подкоманды `todya`"), "{}", texts[2]);
    assert!(
        texts[3].starts_with("Unknown command `frobnicate`."),
        "{}",
        texts[3]
    );
    // get-user failed: English, and a warning logged through the host.
    assert!(texts[4].contains("Meetings today"), "{}", texts[4]);
    assert!(transcript()
        .iter()
        .any(|l| l["name"] == "yandex:calendar/log@0.1.0#write"
            && l["args"][0] == "warn"
            && l["args"][1].as_str().is_some_and(|m| m.contains("404"))));
    assert!(texts[5].contains("needs a subcommand"), "{}", texts[5]);
    // "calendars today" looked the account up in KV: not connected, in Russian.
    assert!(texts[6].contains("не подключён"), "{}", texts[6]);

    let slash = export_results(&format!("{HOOKS}describe-command"));
    assert_eq!(slash[0]["trigger"], "yandex_calendar");
    let http = export_results(&format!("{HOOKS}serve-http"));
    // A GET of a POST route, and an unknown route.
    let statuses: Vec<&Value> = http.iter().map(|r| &r["status"]).collect();
    assert_eq!(statuses, [&json!(405), &json!(404)]);
    let jobs = export_results(&format!("{HOOKS}run-job"));
    // The tick, a minute after the node's last: both users of the index are due.
    assert_eq!(
        jobs[0],
        &json!({"ok": {"effects": 0, "users-seen": 2, "due-users": ["u-en", "u-ru"]}})
    );
    // A round and a due job whose store fails say so; a key that is no job does nothing.
    assert!(
        jobs[1]["err"].as_str().is_some_and(|e| e.contains("store")),
        "{jobs:?}"
    );
    assert!(
        jobs[2]["err"].as_str().is_some_and(|e| e.contains("store")),
        "{jobs:?}"
    );
    assert_eq!(
        jobs[3],
        &json!({"ok": {"effects": 0, "users-seen": 1, "due-users": []}})
    );
    // The node leaving: the store fails (its answers ran out on an error), and says so.
    assert!(
        jobs[4]["err"].as_str().is_some_and(|e| e.contains("store")),
        "{jobs:?}"
    );
}

#[test]
fn call_imports_makes_every_import_in_order() {
    let lines = transcript();
    let starts: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l["kind"] == "export" && l["name"] == format!("{PROBE}call-imports"))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(starts.len(), 2);
    let want: Vec<String> = [
        "http#send",
        "kv#get",
        "kv#set",
        "kv#set-with-expiry",
        "kv#compare-and-set",
        "kv#compare-and-set",
        "kv#compare-and-set-with-expiry",
        "kv#delete",
        "kv#list-keys",
        "clock#now-ms",
        "log#write",
        "log#write",
        "log#write",
        "log#write",
        "mattermost#dm-post",
        "mattermost#update-post",
        "mattermost#delete-post",
        "mattermost#ephemeral-post",
        "mattermost#open-dialog",
        "mattermost#get-user",
        "mattermost#update-custom-status",
        "mattermost#remove-custom-status",
        "mattermost#get-config",
        "mattermost#publish-event",
        "scheduler#schedule-once",
        "scheduler#cancel",
    ]
    .iter()
    .map(|s| {
        let (i, f) = s.split_once('#').expect("#");
        format!("yandex:calendar/{i}@0.1.0#{f}")
    })
    .collect();
    for (run, &end) in starts.iter().enumerate() {
        let got: Vec<&str> = lines[end - want.len()..end]
            .iter()
            .map(|l| {
                assert_eq!(l["kind"], "import");
                l["name"].as_str().expect("name")
            })
            .collect();
        assert_eq!(got, want, "call-imports run {run}");
        assert_eq!(lines[end - want.len() - 1]["kind"], "export");
        let text = lines[end]["args"][0].as_str().expect("text");
        assert_eq!(
            lines[end - want.len()]["args"][0]["body"],
            json!(text.as_bytes())
        );
        let answers = lines[end]["result"].as_array().expect("list");
        assert_eq!(answers.len(), 20, "{answers:?}");
        let errs = answers
            .iter()
            .filter(|a| a.as_str().is_some_and(|s| s.contains("Err(")))
            .count();
        // Run 0: every result-typed import answers ok; run 1: all but get-config and
        // now-ms (which cannot fail) answer err, and the second compare-and-set too.
        assert_eq!(errs, if run == 0 { 0 } else { 18 }, "{answers:?}");
    }
}

#[test]
fn bad_scenarios_are_refused_with_the_function_and_path() {
    let (engine, component) = compiled();
    let get_user = "yandex:calendar/mattermost@0.1.0#get-user";
    let exec = |answers: BTreeMap<String, Vec<Value>>| {
        let mut host = RefHost::new(engine, component, answers)?;
        host.call(
            &format!("{HOOKS}execute-command"),
            &[
                json!({"user-id": "u", "channel-id": "", "team-id": "", "root-id": "",
                     "trigger-id": "", "command": "/yandex_calendar info", "site-url": ""}),
            ],
            "calls[0].args",
        )
    };
    let err = exec(BTreeMap::new()).expect_err("no answers");
    assert!(format!("{err:#}").contains(get_user), "{err:#}");
    let bad = BTreeMap::from([(get_user.to_string(), vec![json!({"ok": {"id": 5}})])]);
    let err = format!("{:#}", exec(bad).expect_err("bad answer"));
    assert!(err.contains(get_user), "{err}");
    assert!(err.contains(".ok.id"), "{err}");
    let unknown = BTreeMap::from([("yandex:calendar/kv@0.1.0#nope".to_string(), vec![])]);
    assert!(exec(unknown).is_err());

    let mut host = RefHost::new(engine, component, BTreeMap::new()).expect("host");
    let err = host
        .call(
            &format!("{PROBE}echo-numbers"),
            &[json!(256)],
            "calls[3].args",
        )
        .expect_err("arity");
    assert!(format!("{err:#}").contains("calls[3].args"), "{err:#}");
    let args: Vec<Value> = [256, 0, 0, 0, 0, 0]
        .map(|n| json!(n))
        .into_iter()
        .chain([json!(true)])
        .collect();
    let err = host
        .call(&format!("{PROBE}echo-numbers"), &args, "calls[3].args")
        .expect_err("u8 range");
    assert!(format!("{err:#}").contains("calls[3].args[0]"), "{err:#}");
    let err = host
        .call(&format!("{PROBE}echo-log-levels"), &[json!(["loud"])], "x")
        .expect_err("enum case");
    assert!(format!("{err:#}").contains("loud"), "{err:#}");
    assert!(host
        .call("yandex:calendar/hooks@0.1.0#nope", &[], "x")
        .is_err());
}

/// Walks `json` along `ty`, noting every enum, variant and option/result case it uses;
/// `all` collects every case each such type has.
fn cases(
    ty: &wasmtime::component::types::Type,
    json: Option<&Value>,
    seen: &mut std::collections::BTreeSet<String>,
    all: &mut std::collections::BTreeSet<String>,
) {
    use wasmtime::component::types::Type;
    match ty {
        Type::List(l) => {
            let elem = l.ty();
            cases(&elem, None, seen, all);
            for v in json.and_then(Value::as_array).into_iter().flatten() {
                cases(&elem, Some(v), seen, all);
            }
        }
        Type::Tuple(t) => {
            let arr = json.and_then(Value::as_array);
            for (i, et) in t.types().enumerate() {
                cases(&et, arr.and_then(|a| a.get(i)), seen, all);
            }
        }
        Type::Record(r) => {
            for f in r.fields() {
                cases(&f.ty, json.and_then(|j| j.get(f.name)), seen, all);
            }
        }
        Type::Enum(e) => {
            let key = e.names().collect::<Vec<_>>().join("|");
            for n in e.names() {
                all.insert(format!("enum {key}: {n}"));
            }
            if let Some(s) = json.and_then(Value::as_str) {
                seen.insert(format!("enum {key}: {s}"));
            }
        }
        Type::Variant(v) => {
            let key = v.cases().map(|c| c.name).collect::<Vec<_>>().join("|");
            for c in v.cases() {
                all.insert(format!("variant {key}: {}", c.name));
                if let Some(t) = &c.ty {
                    cases(t, json.and_then(|j| j.get(c.name)), seen, all);
                }
            }
            if let Some((k, _)) = json
                .and_then(Value::as_object)
                .and_then(|o| o.iter().next())
            {
                seen.insert(format!("variant {key}: {k}"));
            }
        }
        Type::Option(o) => {
            all.insert(format!("option {:?}: none", o.ty()));
            all.insert(format!("option {:?}: some", o.ty()));
            match json {
                Some(Value::Null) => {
                    seen.insert(format!("option {:?}: none", o.ty()));
                }
                Some(v) => {
                    seen.insert(format!("option {:?}: some", o.ty()));
                    // An option of an option writes some(x) as {"some": x}.
                    let payload = match o.ty() {
                        Type::Option(_) => v.get("some"),
                        _ => Some(v),
                    };
                    cases(&o.ty(), payload, seen, all);
                }
                None => cases(&o.ty(), None, seen, all),
            }
        }
        Type::Result(r) => {
            for (case, t) in [("ok", r.ok()), ("err", r.err())] {
                all.insert(format!("result {r:?}: {case}"));
                let payload = json.and_then(|j| j.get(case));
                if payload.is_some() {
                    seen.insert(format!("result {r:?}: {case}"));
                }
                if let Some(t) = t {
                    cases(&t, payload, seen, all);
                }
            }
        }
        _ => {}
    }
}

#[test]
fn the_echoes_use_every_case_of_every_enum_variant_option_and_result() {
    use wasmtime::component::types::ComponentItem;
    let (engine, component) = compiled();
    let ty = component.component_type();
    let (_, probe) = ty
        .exports(engine)
        .find(|(n, _)| *n == PROBE.trim_end_matches('#'))
        .expect("abi-probe export");
    let ComponentItem::ComponentInstance(probe) = probe.ty else {
        panic!("abi-probe is not an instance");
    };
    let mut seen = std::collections::BTreeSet::new();
    let mut all = std::collections::BTreeSet::new();
    for (fname, item) in probe.exports(engine) {
        let ComponentItem::ComponentFunc(f) = item.ty else {
            continue;
        };
        if !fname.starts_with("echo-") {
            continue;
        }
        let name = format!("{PROBE}{fname}");
        let params: Vec<_> = f.params().map(|(_, t)| t).collect();
        for line in exports().iter().filter(|l| l["name"] == name.as_str()) {
            for (i, t) in params.iter().enumerate() {
                cases(t, Some(&line["args"][i]), &mut seen, &mut all);
            }
        }
    }
    let missing: Vec<&String> = all.difference(&seen).collect();
    assert!(missing.is_empty(), "cases no echo uses: {missing:#?}");
    assert!(all.len() > 60, "{all:#?}");
}
