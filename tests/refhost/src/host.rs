//! The wasmtime host: turns the core module into a component, answers its
//! `yandex:calendar/*` imports from a script, calls its exports, and writes the transcript.
//!
//! Nothing here knows a record layout: every import is defined from the component's own
//! type, and every value goes through [`crate::json`].

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::{Map, Value};
use wasmtime::component::types::{ComponentItem, Type};
use wasmtime::component::{Component, Func, Instance, Linker, ResourceTable, Val};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::json::{json_to_val, val_to_json};
use crate::scenario::Scenario;

/// Imports from these interfaces are answered from the script; all the rest is WASI.
pub const PLUGIN_PREFIX: &str = "yandex:calendar/";

/// The scripted answers and the transcript written so far.
#[derive(Debug, Default)]
pub struct Script {
    answers: HashMap<String, Vec<Value>>,
    used: HashMap<String, usize>,
    /// When false, no line is kept and each import answers its first scripted value,
    /// converted once (benchmarks: the host's own work, as a typed host would do it).
    pub record: bool,
    pub transcript: Vec<String>,
    converted: HashMap<String, Vec<Val>>,
}

impl Script {
    pub fn new(answers: BTreeMap<String, Vec<Value>>) -> Self {
        Script {
            answers: answers.into_iter().collect(),
            used: HashMap::new(),
            record: true,
            transcript: Vec::new(),
            converted: HashMap::new(),
        }
    }

    /// The next answer for `name` (the last one repeats), with its index for messages.
    fn next_answer(&mut self, name: &str) -> Result<(usize, Value)> {
        let list = self
            .answers
            .get(name)
            .filter(|l| !l.is_empty())
            .ok_or_else(|| {
                anyhow!("import {name} was called but the scenario has no answers for it")
            })?;
        let used = self.used.entry(name.to_string()).or_insert(0);
        let index = (*used).min(list.len() - 1);
        *used += 1;
        Ok((index, list[index].clone()))
    }

    /// Records that export `name` trapped (the instance is then replaced).
    pub fn push_trap(&mut self, name: &str, args: Vec<Value>) -> Result<()> {
        self.push("trap", name, args, Value::Null)
    }

    fn push(&mut self, kind: &str, name: &str, args: Vec<Value>, result: Value) -> Result<()> {
        if !self.record {
            return Ok(());
        }
        let mut line = Map::new();
        line.insert("args".into(), Value::Array(args));
        line.insert("kind".into(), Value::String(kind.into()));
        line.insert("name".into(), Value::String(name.into()));
        line.insert("result".into(), result);
        self.transcript
            .push(serde_json::to_string(&Value::Object(line))?);
        Ok(())
    }
}

/// What the store holds: WASI for the preview-1 adapter, and the script.
pub struct State {
    wasi: WasiCtx,
    table: ResourceTable,
    pub script: Script,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// `wasmtime::Error` (wasmtime's own anyhow-like type) as an `anyhow::Error`, chain kept.
pub fn wt(e: wasmtime::Error) -> anyhow::Error {
    anyhow::Error::from_boxed(e.into())
}

/// An `anyhow::Error` for wasmtime (from a host function), chain kept.
fn to_wt(e: anyhow::Error) -> wasmtime::Error {
    wasmtime::Error::from_boxed(e.into())
}

/// A synchronous engine with the default (optimising) Cranelift settings.
pub fn engine() -> Result<Engine> {
    Engine::new(&Config::new()).map_err(wt)
}

/// Wraps the `wasm32-wasip1` core module into a component with the reactor adapter.
pub fn encode_component(core: &[u8]) -> Result<Vec<u8>> {
    wit_component::ComponentEncoder::default()
        .validate(true)
        .module(core)
        .context("reading the core module's component-type section")?
        .adapter(
            "wasi_snapshot_preview1",
            wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
        )
        .context("adding the WASI preview 1 reactor adapter")?
        .encode()
        .context("encoding the component")
}

/// Reads, encodes and compiles the core module at `path`.
pub fn load_component(engine: &Engine, path: &std::path::Path) -> Result<Component> {
    let core = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let bytes = encode_component(&core)?;
    Component::new(engine, &bytes)
        .map_err(wt)
        .context("compiling the component")
}

/// Every function of every imported `yandex:calendar/*` interface, as `iface#func`.
pub fn plugin_imports(engine: &Engine, component: &Component) -> Vec<(String, String)> {
    let ty = component.component_type();
    let mut out = Vec::new();
    for (iface, ext) in ty.imports(engine) {
        if !iface.starts_with(PLUGIN_PREFIX) {
            continue;
        }
        if let ComponentItem::ComponentInstance(inst) = ext.ty {
            for (func, fext) in inst.exports(engine) {
                if matches!(fext.ty, ComponentItem::ComponentFunc(_)) {
                    out.push((iface.to_string(), func.to_string()));
                }
            }
        }
    }
    out
}

/// Every function of every exported `yandex:calendar/*` interface, as `iface#func`.
pub fn plugin_exports(engine: &Engine, component: &Component) -> Vec<String> {
    let ty = component.component_type();
    let mut out = Vec::new();
    for (iface, ext) in ty.exports(engine) {
        if !iface.starts_with(PLUGIN_PREFIX) {
            continue;
        }
        if let ComponentItem::ComponentInstance(inst) = ext.ty {
            for (func, fext) in inst.exports(engine) {
                if matches!(fext.ty, ComponentItem::ComponentFunc(_)) {
                    out.push(format!("{iface}#{func}"));
                }
            }
        }
    }
    out
}

/// An export with its arguments converted, for [`RefHost::call_prepared`].
pub struct Prepared {
    func: Func,
    vals: Vec<Val>,
    pub results: Vec<Val>,
}

/// One instance of the component with its scripted host.
pub struct RefHost {
    store: Store<State>,
    instance: Instance,
    funcs: HashMap<String, Func>,
}

impl RefHost {
    /// Links WASI and a scripted definition of every plugin import, then instantiates.
    pub fn new(
        engine: &Engine,
        component: &Component,
        answers: BTreeMap<String, Vec<Value>>,
    ) -> Result<Self> {
        let imports = plugin_imports(engine, component);
        for name in answers.keys() {
            if !imports.iter().any(|(i, f)| *name == format!("{i}#{f}")) {
                bail!("scenario answers name {name:?}, which the component does not import");
            }
        }
        Self::with_script(engine, component, Script::new(answers))
    }

    /// A fresh instance that goes on with `script` (after a trap, the old one is dead).
    pub fn with_script(engine: &Engine, component: &Component, script: Script) -> Result<Self> {
        let imports = plugin_imports(engine, component);
        let mut linker: Linker<State> = Linker::new(engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)
            .map_err(wt)
            .context("linking WASI")?;
        refuse_sleep(&mut linker, engine, component)?;
        for (iface, funcs) in group(&imports) {
            let mut inst = linker
                .instance(iface)
                .map_err(wt)
                .with_context(|| format!("defining {iface}"))?;
            for func in funcs {
                let name = format!("{iface}#{func}");
                inst.func_new(func, move |mut store, ty, params, results| {
                    answer_import(store.data_mut(), &name, &ty, params, results).map_err(to_wt)
                })
                .map_err(wt)
                .with_context(|| format!("defining {iface}#{func}"))?;
            }
        }

        let wasi = WasiCtx::builder().inherit_stderr().build();
        let state = State {
            wasi,
            table: ResourceTable::new(),
            script,
        };
        let mut store = Store::new(engine, state);
        let instance = linker
            .instantiate(&mut store, component)
            .map_err(wt)
            .context("instantiating the component")?;
        Ok(RefHost {
            store,
            instance,
            funcs: HashMap::new(),
        })
    }

    fn func(&mut self, name: &str) -> Result<Func> {
        if let Some(f) = self.funcs.get(name) {
            return Ok(*f);
        }
        let (iface, func) = name.split_once('#').ok_or_else(|| {
            anyhow!("export name {name:?} is not of the form <interface>#<function>")
        })?;
        let iface_idx = self
            .instance
            .get_export_index(&mut self.store, None, iface)
            .ok_or_else(|| anyhow!("the component exports no interface {iface:?}"))?;
        let func_idx = self
            .instance
            .get_export_index(&mut self.store, Some(&iface_idx), func)
            .ok_or_else(|| anyhow!("{iface} exports no function {func:?}"))?;
        let f = self
            .instance
            .get_func(&mut self.store, func_idx)
            .ok_or_else(|| anyhow!("{name} is not a function"))?;
        self.funcs.insert(name.to_string(), f);
        Ok(f)
    }

    /// Calls export `name` with JSON `args` (`path` names them in errors), records the
    /// transcript line and returns the result as JSON.
    pub fn call(&mut self, name: &str, args: &[Value], path: &str) -> Result<Value> {
        let func = self.func(name)?;
        let ty = func.ty(&self.store);
        let params: Vec<(String, Type)> = ty.params().map(|(n, t)| (n.to_string(), t)).collect();
        if params.len() != args.len() {
            bail!(
                "{name} takes {} argument(s) ({}), the scenario gives {} at {path}",
                params.len(),
                params
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                args.len()
            );
        }
        let vals = params
            .iter()
            .zip(args)
            .enumerate()
            .map(|(i, ((pname, t), a))| {
                json_to_val(a, t, &format!("{path}[{i}]"))
                    .with_context(|| format!("argument `{pname}` of {name}"))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut results = vec![Val::Bool(false); ty.results().len()];
        func.call(&mut self.store, &vals, &mut results)
            .map_err(wt)
            .with_context(|| format!("calling {name} ({path})"))?;
        let args_json = vals
            .iter()
            .map(val_to_json)
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| format!("arguments of {name}"))?;
        let result = results_json(&results).with_context(|| format!("result of {name}"))?;
        self.store
            .data_mut()
            .script
            .push("export", name, args_json, result.clone())?;
        Ok(result)
    }

    /// Looks up export `name` and converts its JSON arguments once, for repeated calls.
    pub fn prepare(&mut self, name: &str, args: &[Value]) -> Result<Prepared> {
        let func = self.func(name)?;
        let ty = func.ty(&self.store);
        let vals = ty
            .params()
            .zip(args)
            .map(|((_, t), a)| json_to_val(a, &t, "bench.args").map_err(anyhow::Error::from))
            .collect::<Result<Vec<_>>>()?;
        let results = vec![Val::Bool(false); ty.results().len()];
        Ok(Prepared {
            func,
            vals,
            results,
        })
    }

    /// Calls a prepared export: the component-model call alone, no JSON.
    pub fn call_prepared(&mut self, p: &mut Prepared) -> Result<()> {
        p.func
            .call(&mut self.store, &p.vals, &mut p.results)
            .map_err(wt)
    }

    /// The transcript lines so far (and forgets them).
    pub fn take_transcript(&mut self) -> Vec<String> {
        std::mem::take(&mut self.store.data_mut().script.transcript)
    }

    pub fn script_mut(&mut self) -> &mut Script {
        &mut self.store.data_mut().script
    }

    /// The script, taken out of this (trapped) instance.
    pub fn take_script(&mut self) -> Script {
        std::mem::take(&mut self.store.data_mut().script)
    }
}

/// Hooks never sleep (wit/hooks.wit): the WASI preview 1 adapter turns a sleep into a
/// monotonic-clock subscription, which traps here, as wazero's `poll_oneoff` does in the Go
/// host (wasmtime's own would really wait).
fn refuse_sleep(linker: &mut Linker<State>, engine: &Engine, component: &Component) -> Result<()> {
    let ty = component.component_type();
    let clock = ty
        .imports(engine)
        .map(|(name, _)| name.to_string())
        .find(|name| name.starts_with("wasi:clocks/monotonic-clock@"));
    let Some(clock) = clock else {
        return Ok(());
    };
    linker.allow_shadowing(true);
    let mut inst = linker
        .instance(&clock)
        .map_err(wt)
        .with_context(|| format!("shadowing {clock}"))?;
    for func in ["subscribe-duration", "subscribe-instant"] {
        inst.func_new(func, |_store, _ty, params, _results| {
            let how_long = match params.first() {
                Some(Val::U64(ns)) => format!("{:?}", std::time::Duration::from_nanos(*ns)),
                _ => "an instant".to_string(),
            };
            Err(to_wt(anyhow!(
                "the component tried to sleep; hooks never sleep (subscription for {how_long})"
            )))
        })
        .map_err(wt)
        .with_context(|| format!("shadowing {clock}#{func}"))?;
    }
    linker.allow_shadowing(false);
    Ok(())
}

fn group(imports: &[(String, String)]) -> BTreeMap<&str, Vec<&str>> {
    let mut map: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (i, f) in imports {
        map.entry(i.as_str()).or_default().push(f.as_str());
    }
    map
}

fn results_json(results: &[Val]) -> Result<Value> {
    Ok(match results {
        [] => Value::Null,
        [one] => val_to_json(one)?,
        many => Value::Array(many.iter().map(val_to_json).collect::<Result<_, _>>()?),
    })
}

/// The body of every scripted import.
fn answer_import(
    state: &mut State,
    name: &str,
    ty: &wasmtime::component::types::ComponentFunc,
    params: &[Val],
    results: &mut [Val],
) -> Result<()> {
    let result_types: Vec<Type> = ty.results().collect();
    let script = &mut state.script;
    if !script.record {
        if !script.converted.contains_key(name) && !result_types.is_empty() {
            let (index, answer) = script.next_answer(name)?;
            let path = format!("answers[{name:?}][{index}]");
            let val = json_to_val(&answer, &result_types[0], &path)?;
            script.converted.insert(name.to_string(), vec![val]);
        }
        if let Some(vals) = script.converted.get(name) {
            results[..vals.len()].clone_from_slice(vals);
        }
        return Ok(());
    }
    let args = params
        .iter()
        .map(val_to_json)
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("arguments of import {name}"))?;
    let result = match result_types.as_slice() {
        [] => Value::Null,
        types => {
            let (index, answer) = script.next_answer(name)?;
            let path = format!("answers[{name:?}][{index}]");
            if let [t] = types {
                results[0] = json_to_val(&answer, t, &path)
                    .with_context(|| format!("scripted answer for import {name}"))?;
            } else {
                let arr = answer
                    .as_array()
                    .filter(|a| a.len() == types.len())
                    .ok_or_else(|| {
                        anyhow!("{path}: expected an array of {} results", types.len())
                    })?;
                for (i, (t, a)) in types.iter().zip(arr).enumerate() {
                    results[i] = json_to_val(a, t, &format!("{path}[{i}]"))
                        .with_context(|| format!("scripted answer for import {name}"))?;
                }
            }
            results_json(results)?
        }
    };
    script.push("import", name, args, result)
}

/// Runs a whole scenario against the core module at `module`; returns the transcript.
pub fn run_scenario(module: &std::path::Path, scenario: &Scenario) -> Result<Vec<String>> {
    let engine = engine()?;
    let component = load_component(&engine, module)?;
    run_scenario_with(&engine, &component, scenario)
}

/// [`run_scenario`] with an already compiled component.
pub fn run_scenario_with(
    engine: &Engine,
    component: &Component,
    scenario: &Scenario,
) -> Result<Vec<String>> {
    let mut host = RefHost::new(engine, component, scenario.answers.clone())?;
    for (i, call) in scenario.calls.iter().enumerate() {
        let path = format!("calls[{i}].args");
        match host.call(&call.name, &call.args, &path) {
            Ok(_) if call.trap => bail!(
                "{} ({path}) returned; the scenario expects a trap",
                call.name
            ),
            Ok(_) => {}
            Err(e) if call.trap => {
                // The instance is dead: record the trap and go on with a fresh one.
                let mut script = host.take_script();
                script.push_trap(&call.name, call.args.clone())?;
                eprintln!("refhost: {} trapped as expected: {e:#}", call.name);
                host = RefHost::with_script(engine, component, script)?;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(host.take_transcript())
}

/// CPU time consumed by the calling thread, in nanoseconds.
fn thread_cpu_ns() -> u128 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return 0;
    }
    u128::try_from(ts.tv_sec).unwrap_or(0) * 1_000_000_000 + u128::try_from(ts.tv_nsec).unwrap_or(0)
}

/// The `bench` figures.
#[derive(Debug, Clone, Copy)]
pub struct BenchReport {
    pub compile_ns: u128,
    pub instantiate_ns: u128,
    pub ns_per_call: u128,
    /// The same in CPU time of the calling thread: steadier on a busy machine.
    pub cpu_ns_per_call: u128,
    /// `echo-string("")`: the cost of an export call itself, for comparison.
    pub echo_ns_per_call: u128,
}

/// The arguments of the benchmarked `/yandex_calendar info` and the user `get-user` answers:
/// the Go host's benchmark (host-shim/component/bench_test.go) sends exactly these.
pub fn bench_inputs() -> (Value, Value) {
    let user = serde_json::json!({"ok": {
        "id": "u-ru", "username": "ivan", "email": "ivan@example.ru",
        "first-name": "Иван", "last-name": "Петров", "locale": "ru",
        "timezone": "Europe/Moscow", "custom-status": null, "is-bot": false
    }});
    let args = serde_json::json!({
        "user-id": "u-ru", "channel-id": "c1", "team-id": "t1", "root-id": "",
        "trigger-id": "tr", "command": "/yandex_calendar info",
        "site-url": "http://localhost:8065"
    });
    (args, user)
}

/// Times `iterations` calls of `execute-command` with `/yandex_calendar info` for a Russian
/// user, on one instance, after a warm-up, and the floor: `echo-string("")`. Arguments and
/// the import's answer are converted once; the loop is the component-model call alone.
/// Compilation and instantiation are timed apart. `module` must export abi-probe.
pub fn bench(module: &std::path::Path, iterations: u64) -> Result<BenchReport> {
    if iterations == 0 {
        bail!("--iterations must be at least 1");
    }
    let engine = engine()?;
    let t0 = Instant::now();
    let component = load_component(&engine, module)?;
    let compile_ns = t0.elapsed().as_nanos();
    let (args, user) = bench_inputs();
    let answers = BTreeMap::from([(
        "yandex:calendar/mattermost@0.1.0#get-user".to_string(),
        vec![user],
    )]);
    let t1 = Instant::now();
    let mut host = RefHost::new(&engine, &component, answers)?;
    let instantiate_ns = t1.elapsed().as_nanos();
    host.script_mut().record = false;
    let mut info = host.prepare("yandex:calendar/hooks@0.1.0#execute-command", &[args])?;
    let mut echo = host.prepare(
        "yandex:calendar/abi-probe@0.1.0#echo-string",
        &[Value::String(String::new())],
    )?;
    let warmup = (iterations / 10).clamp(10, 1000);
    for _ in 0..warmup {
        host.call_prepared(&mut info)?;
    }
    let t2 = Instant::now();
    let c2 = thread_cpu_ns();
    for _ in 0..iterations {
        host.call_prepared(&mut info)?;
    }
    let ns_per_call = t2.elapsed().as_nanos() / u128::from(iterations);
    let cpu_ns_per_call = (thread_cpu_ns() - c2) / u128::from(iterations);
    for _ in 0..warmup {
        host.call_prepared(&mut echo)?;
    }
    let t3 = Instant::now();
    for _ in 0..iterations {
        host.call_prepared(&mut echo)?;
    }
    let echo_ns_per_call = t3.elapsed().as_nanos() / u128::from(iterations);
    let text = val_to_json(&info.results[0])?;
    if !text["text"]
        .as_str()
        .is_some_and(|t| t.contains("Встречи на сегодня"))
    {
        bail!("the benchmarked call did not answer in Russian: {text}");
    }
    Ok(BenchReport {
        compile_ns,
        instantiate_ns,
        ns_per_call,
        cpu_ns_per_call,
        echo_ns_per_call,
    })
}
