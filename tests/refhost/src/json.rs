//! Component values as canonical JSON (tests/conformance/README.md, "Values as JSON"),
//! driven only by the component's own types: no record layout is known here.

use serde_json::{Map, Number, Value};
use wasmtime::component::types::Type;
use wasmtime::component::Val;

/// A JSON value that does not fit the WIT type it stands for, or a value with no JSON form.
#[derive(Debug, thiserror::Error)]
pub enum ConvError {
    #[error("at {path}: expected {expected}, got {got}")]
    Mismatch {
        path: String,
        expected: String,
        got: String,
    },
    #[error("at {path}: {message}")]
    Invalid { path: String, message: String },
}

fn mismatch(path: &str, expected: impl Into<String>, got: &Value) -> ConvError {
    let mut got = got.to_string();
    if got.len() > 80 {
        let mut cut = 80;
        while !got.is_char_boundary(cut) {
            cut -= 1;
        }
        got.truncate(cut);
        got.push('…');
    }
    ConvError::Mismatch {
        path: path.to_string(),
        expected: expected.into(),
        got,
    }
}

fn invalid(path: &str, message: impl Into<String>) -> ConvError {
    ConvError::Invalid {
        path: path.to_string(),
        message: message.into(),
    }
}

/// The canonical JSON of a value lifted from (or about to be lowered into) the component.
pub fn val_to_json(val: &Val) -> Result<Value, ConvError> {
    Ok(match val {
        Val::Bool(b) => Value::Bool(*b),
        Val::S8(n) => Value::from(*n),
        Val::U8(n) => Value::from(*n),
        Val::S16(n) => Value::from(*n),
        Val::U16(n) => Value::from(*n),
        Val::S32(n) => Value::from(*n),
        Val::U32(n) => Value::from(*n),
        Val::S64(n) => Value::from(*n),
        Val::U64(n) => Value::from(*n),
        Val::Float32(f) => float(f64::from(*f))?,
        Val::Float64(f) => float(*f)?,
        Val::Char(c) => Value::String(c.to_string()),
        Val::String(s) => Value::String(s.clone()),
        Val::List(items) | Val::Tuple(items) | Val::FixedLengthList(items) => Value::Array(
            items
                .iter()
                .map(val_to_json)
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Val::Map(pairs) => Value::Array(
            pairs
                .iter()
                .map(|(k, v)| Ok(Value::Array(vec![val_to_json(k)?, val_to_json(v)?])))
                .collect::<Result<Vec<_>, ConvError>>()?,
        ),
        Val::Record(fields) => {
            let mut map = Map::new();
            for (name, v) in fields {
                map.insert(name.clone(), val_to_json(v)?);
            }
            Value::Object(map)
        }
        Val::Variant(case, payload) => single(case, payload.as_deref())?,
        Val::Enum(case) => Value::String(case.clone()),
        Val::Option(None) => Value::Null,
        // some(x) of an option-typed payload: {"some": x}, so that some(none) ≠ none.
        Val::Option(Some(v)) if matches!(**v, Val::Option(_)) => single("some", Some(v))?,
        Val::Option(Some(v)) => val_to_json(v)?,
        Val::Result(Ok(v)) => single("ok", v.as_deref())?,
        Val::Result(Err(v)) => single("err", v.as_deref())?,
        Val::Flags(names) => Value::Array(names.iter().cloned().map(Value::String).collect()),
        Val::Resource(_) | Val::Future(_) | Val::Stream(_) | Val::ErrorContext(_) => {
            return Err(invalid(
                "$",
                "resources, futures and streams have no JSON form",
            ))
        }
    })
}

fn float(f: f64) -> Result<Value, ConvError> {
    Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| invalid("$", format!("{f} has no JSON form")))
}

fn single(key: &str, payload: Option<&Val>) -> Result<Value, ConvError> {
    let mut map = Map::new();
    let v = match payload {
        Some(v) => val_to_json(v)?,
        None => Value::Null,
    };
    map.insert(key.to_string(), v);
    Ok(Value::Object(map))
}

/// Reads `json` as a value of WIT type `ty`; `path` names where it sits, for errors
/// (e.g. `args[0].attachments[2].actions`).
pub fn json_to_val(json: &Value, ty: &Type, path: &str) -> Result<Val, ConvError> {
    Ok(match ty {
        Type::Bool => Val::Bool(json.as_bool().ok_or_else(|| mismatch(path, "bool", json))?),
        Type::S8 => Val::S8(signed(json, path, "s8")?),
        Type::U8 => Val::U8(unsigned(json, path, "u8")?),
        Type::S16 => Val::S16(signed(json, path, "s16")?),
        Type::U16 => Val::U16(unsigned(json, path, "u16")?),
        Type::S32 => Val::S32(signed(json, path, "s32")?),
        Type::U32 => Val::U32(unsigned(json, path, "u32")?),
        Type::S64 => Val::S64(signed(json, path, "s64")?),
        Type::U64 => Val::U64(unsigned(json, path, "u64")?),
        Type::Float32 => {
            // Narrowing is the point: the WIT value is an f32.
            #[allow(clippy::cast_possible_truncation)]
            let f = json.as_f64().ok_or_else(|| mismatch(path, "f32", json))? as f32;
            Val::Float32(f)
        }
        Type::Float64 => Val::Float64(json.as_f64().ok_or_else(|| mismatch(path, "f64", json))?),
        Type::Char => {
            let s = json.as_str().ok_or_else(|| mismatch(path, "char", json))?;
            let mut chars = s.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Val::Char(c),
                _ => return Err(mismatch(path, "a one-character string", json)),
            }
        }
        Type::String => Val::String(
            json.as_str()
                .ok_or_else(|| mismatch(path, "string", json))?
                .to_string(),
        ),
        Type::List(list) => {
            let elem = list.ty();
            Val::List(array_of(json, path, "list", |i, v| {
                json_to_val(v, &elem, &format!("{path}[{i}]"))
            })?)
        }
        Type::FixedLengthList(list) => {
            let elem = list.ty();
            let items = array_of(json, path, "fixed-length list", |i, v| {
                json_to_val(v, &elem, &format!("{path}[{i}]"))
            })?;
            if items.len() != list.len() as usize {
                return Err(invalid(
                    path,
                    format!("expected {} elements, got {}", list.len(), items.len()),
                ));
            }
            Val::FixedLengthList(items)
        }
        Type::Map(map) => {
            let (kt, vt) = (map.key(), map.value());
            Val::Map(array_of(
                json,
                path,
                "map (array of [key, value])",
                |i, v| {
                    let pair = v
                        .as_array()
                        .filter(|p| p.len() == 2)
                        .ok_or_else(|| mismatch(&format!("{path}[{i}]"), "[key, value]", v))?;
                    Ok((
                        json_to_val(&pair[0], &kt, &format!("{path}[{i}][0]"))?,
                        json_to_val(&pair[1], &vt, &format!("{path}[{i}][1]"))?,
                    ))
                },
            )?)
        }
        Type::Tuple(tuple) => {
            let arr = json
                .as_array()
                .ok_or_else(|| mismatch(path, "tuple (array)", json))?;
            if arr.len() != tuple.types().len() {
                return Err(invalid(
                    path,
                    format!(
                        "tuple of {} elements, got {}",
                        tuple.types().len(),
                        arr.len()
                    ),
                ));
            }
            Val::Tuple(
                tuple
                    .types()
                    .zip(arr)
                    .enumerate()
                    .map(|(i, (t, v))| json_to_val(v, &t, &format!("{path}[{i}]")))
                    .collect::<Result<_, _>>()?,
            )
        }
        Type::Record(record) => {
            let obj = json
                .as_object()
                .ok_or_else(|| mismatch(path, "record (object)", json))?;
            let mut fields = Vec::with_capacity(record.fields().len());
            for field in record.fields() {
                let fpath = format!("{path}.{}", field.name);
                let v = obj
                    .get(field.name)
                    .ok_or_else(|| invalid(path, format!("missing field `{}`", field.name)))?;
                fields.push((field.name.to_string(), json_to_val(v, &field.ty, &fpath)?));
            }
            if let Some(extra) = obj
                .keys()
                .find(|k| !record.fields().any(|f| f.name == k.as_str()))
            {
                return Err(invalid(path, format!("unknown field `{extra}`")));
            }
            Val::Record(fields)
        }
        Type::Variant(variant) => {
            let (case, payload) = one_key(json, path, "variant")?;
            let Some(c) = variant.cases().find(|c| c.name == case) else {
                let names: Vec<&str> = variant.cases().map(|c| c.name).collect();
                return Err(invalid(
                    path,
                    format!(
                        "unknown variant case `{case}` (cases: {})",
                        names.join(", ")
                    ),
                ));
            };
            let payload = payload_of(payload, c.ty.as_ref(), &format!("{path}.{case}"))?;
            Val::Variant(case.to_string(), payload)
        }
        Type::Enum(en) => {
            let s = json
                .as_str()
                .ok_or_else(|| mismatch(path, "enum case (string)", json))?;
            if !en.names().any(|n| n == s) {
                let names: Vec<&str> = en.names().collect();
                return Err(invalid(
                    path,
                    format!("unknown enum case `{s}` (cases: {})", names.join(", ")),
                ));
            }
            Val::Enum(s.to_string())
        }
        Type::Option(opt) => match (json, opt.ty()) {
            (Value::Null, _) => Val::Option(None),
            (v, inner @ Type::Option(_)) => {
                let (case, payload) = one_key(v, path, "option of an option")?;
                if case != "some" {
                    return Err(invalid(
                        path,
                        format!("expected {{\"some\": …}}, got key `{case}`"),
                    ));
                }
                Val::Option(Some(Box::new(json_to_val(payload, &inner, path)?)))
            }
            (v, inner) => Val::Option(Some(Box::new(json_to_val(v, &inner, path)?))),
        },
        Type::Result(res) => {
            let (case, payload) = one_key(json, path, "result")?;
            let ty = match case {
                "ok" => res.ok(),
                "err" => res.err(),
                other => {
                    return Err(invalid(
                        path,
                        format!(
                            "result must be {{\"ok\": …}} or {{\"err\": …}}, got key `{other}`"
                        ),
                    ))
                }
            };
            let payload = payload_of(payload, ty.as_ref(), &format!("{path}.{case}"))?;
            Val::Result(if case == "ok" {
                Ok(payload)
            } else {
                Err(payload)
            })
        }
        Type::Flags(flags) => {
            let names = array_of(json, path, "flags (array of names)", |i, v| {
                let s = v
                    .as_str()
                    .ok_or_else(|| mismatch(&format!("{path}[{i}]"), "flag name", v))?;
                if !flags.names().any(|n| n == s) {
                    return Err(invalid(
                        &format!("{path}[{i}]"),
                        format!("unknown flag `{s}`"),
                    ));
                }
                Ok(s.to_string())
            })?;
            Val::Flags(names)
        }
        Type::Own(_) | Type::Borrow(_) | Type::Future(_) | Type::Stream(_) | Type::ErrorContext => {
            return Err(invalid(
                path,
                "resources, futures and streams cannot be given as JSON",
            ))
        }
    })
}

fn signed<T: TryFrom<i64>>(json: &Value, path: &str, name: &str) -> Result<T, ConvError> {
    json.as_i64()
        .and_then(|n| T::try_from(n).ok())
        .ok_or_else(|| mismatch(path, format!("{name} (integer in range)"), json))
}

fn unsigned<T: TryFrom<u64>>(json: &Value, path: &str, name: &str) -> Result<T, ConvError> {
    json.as_u64()
        .and_then(|n| T::try_from(n).ok())
        .ok_or_else(|| mismatch(path, format!("{name} (integer in range)"), json))
}

fn array_of<T>(
    json: &Value,
    path: &str,
    what: &str,
    mut each: impl FnMut(usize, &Value) -> Result<T, ConvError>,
) -> Result<Vec<T>, ConvError> {
    json.as_array()
        .ok_or_else(|| mismatch(path, format!("{what} (array)"), json))?
        .iter()
        .enumerate()
        .map(|(i, v)| each(i, v))
        .collect()
}

fn one_key<'a>(json: &'a Value, path: &str, what: &str) -> Result<(&'a str, &'a Value), ConvError> {
    let obj = json
        .as_object()
        .ok_or_else(|| mismatch(path, format!("{what} (object with one key)"), json))?;
    let mut it = obj.iter();
    match (it.next(), it.next()) {
        (Some((k, v)), None) => Ok((k.as_str(), v)),
        _ => Err(mismatch(
            path,
            format!("{what} (object with exactly one key)"),
            json,
        )),
    }
}

fn payload_of(json: &Value, ty: Option<&Type>, path: &str) -> Result<Option<Box<Val>>, ConvError> {
    match ty {
        Some(t) => Ok(Some(Box::new(json_to_val(json, t, path)?))),
        None if json.is_null() => Ok(None),
        None => Err(mismatch(path, "null (this case has no payload)", json)),
    }
}
