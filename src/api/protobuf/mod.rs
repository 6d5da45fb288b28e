//! Protobuf request bodies (`application/vnd.kubernetes.protobuf`).
//!
//! kubectl ≥ 1.32 sends them from every typed-client command (`create
//! deployment|namespace|service|configmap|secret|job|cronjob`, `auth can-i`)
//! and does not fall back to JSON on 415 (wire notes 5.7). A body is the
//! magic `k8s\0`, then a `runtime.Unknown` (1 typeMeta{1 apiVersion, 2 kind},
//! 2 raw, 3 contentEncoding, 4 contentType) whose `raw` is the object.
//!
//! The object is decoded by a generic wire-format walker driven by
//! [`schema`], field tables generated from the k8s-pb crate's messages (see
//! `tools/gen_proto_schema.py`), and turned into the JSON the apiserver
//! would have received: Go's gogo-protobuf writes every non-pointer field,
//! even when zero, so zero scalars are read as "unset" except for the
//! pointer fields where zero means something (`replicas: 0`). The special
//! messages (Time, Quantity, IntOrString, RawExtension, ...) become their
//! JSON forms (`k8s.io/apimachinery/pkg/.../generated.proto`).

mod schema;

use crate::sim::store::ApiError;
use base64::Engine;
use serde_json::{json, Map, Value};

/// The media type of Kubernetes protobuf.
pub const MEDIA_TYPE: &str = "application/vnd.kubernetes.protobuf";
/// The four bytes that start every Kubernetes protobuf body.
pub const MAGIC: &[u8] = b"k8s\0";

/// One field of a message: tag, JSON name, type, repeated.
#[derive(Debug)]
pub struct Field(pub u32, pub &'static str, pub Ty, pub bool);

/// Field types, as prost declares them.
#[derive(Debug)]
pub enum Ty {
    Str,
    I32,
    I64,
    Bool,
    Bytes,
    F64,
    /// A message, by full name.
    Msg(&'static str),
    MapStr,
    MapBytes,
    MapMsg(&'static str),
}

/// Whether a Content-Type is Kubernetes protobuf.
pub fn is_protobuf(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|m| m.trim().eq_ignore_ascii_case(MEDIA_TYPE))
}

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError::bad_request(format!(
        "the body of the request was in an unknown format: {}",
        msg.into()
    ))
}

/// Decodes a whole request body into the object's JSON form, with
/// apiVersion and kind from the envelope.
pub fn decode_body(body: &[u8]) -> Result<Value, ApiError> {
    let rest = body
        .strip_prefix(MAGIC)
        .ok_or_else(|| bad("missing the k8s protobuf prefix"))?;
    let mut api_version = String::new();
    let mut kind = String::new();
    let mut raw: &[u8] = &[];
    let mut r = Reader::new(rest);
    while let Some((tag, wt)) = r.key()? {
        match (tag, wt) {
            (1, 2) => {
                let mut tm = Reader::new(r.bytes()?);
                while let Some((t, w)) = tm.key()? {
                    match (t, w) {
                        (1, 2) => api_version = tm.string()?,
                        (2, 2) => kind = tm.string()?,
                        _ => tm.skip(w)?,
                    }
                }
            }
            (2, 2) => raw = r.bytes()?,
            _ => r.skip(wt)?,
        }
    }
    let msg = message_name(&api_version, &kind)
        .ok_or_else(|| bad(format!("no protobuf schema for {api_version}, Kind={kind}")))?;
    let mut v = decode_message(raw, msg, 0)?;
    if let Some(o) = v.as_object_mut() {
        o.insert("apiVersion".into(), json!(api_version));
        o.insert("kind".into(), json!(kind));
    }
    Ok(v)
}

/// `apps/v1` + `Deployment` → `api.apps.v1.Deployment`.
fn message_name(api_version: &str, kind: &str) -> Option<&'static str> {
    let (group, version) = match api_version.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    };
    let name = match group {
        "" => format!("api.core.{version}.{kind}"),
        "meta.k8s.io" => format!("apimachinery.pkg.apis.meta.{version}.{kind}"),
        g => format!("api.{}.{version}.{kind}", g.split('.').next().unwrap_or(g)),
    };
    lookup(&name).map(|(n, _)| n)
}

fn lookup(name: &str) -> Option<(&'static str, &'static [Field])> {
    schema::MESSAGES
        .binary_search_by(|(n, _)| n.cmp(&name))
        .ok()
        .map(|i| schema::MESSAGES[i])
}

/// Pointer fields whose zero value is meaningful and must survive
/// (Go's `*int32`/`*bool` with omitempty: present means set).
const KEEP_ZERO: &[&str] = &[
    "replicas",
    "parallelism",
    "completions",
    "backoffLimit",
    "backoffLimitPerIndex",
    "maxFailedIndexes",
    "activeDeadlineSeconds",
    "terminationGracePeriodSeconds",
    "successfulJobsHistoryLimit",
    "failedJobsHistoryLimit",
    "startingDeadlineSeconds",
    "revisionHistoryLimit",
    "progressDeadlineSeconds",
    "ttlSecondsAfterFinished",
    "suspend",
    "automountServiceAccountToken",
    "privileged",
    "readOnlyRootFilesystem",
    "runAsNonRoot",
    "allowPrivilegeEscalation",
    "runAsUser",
    "runAsGroup",
    "fsGroup",
    "enableServiceLinks",
    "shareProcessNamespace",
    "hostUsers",
    "optional",
    "defaultMode",
    "mode",
    "immutable",
    "partition",
    "priority",
    "allocateLoadBalancerNodePorts",
    "gracePeriodSeconds",
    "allowed",
    "storageClassName",
];

const MAX_DEPTH: usize = 64;

fn decode_message(buf: &[u8], name: &str, depth: usize) -> Result<Value, ApiError> {
    if depth > MAX_DEPTH {
        return Err(bad("message nesting too deep"));
    }
    // Messages with a JSON form of their own.
    match name {
        "apimachinery.pkg.apis.meta.v1.Time" | "apimachinery.pkg.apis.meta.v1.MicroTime" => {
            return time(buf, name.ends_with("MicroTime"))
        }
        "apimachinery.pkg.api.resource.Quantity" => return first_string(buf),
        "apimachinery.pkg.util.intstr.IntOrString" => return int_or_string(buf),
        "apimachinery.pkg.apis.meta.v1.Duration" => return duration(buf),
        "apimachinery.pkg.runtime.RawExtension" | "apimachinery.pkg.apis.meta.v1.FieldsV1" => {
            return raw_json(buf)
        }
        _ => {}
    }
    let (_, fields) = lookup(name).ok_or_else(|| bad(format!("unknown message {name}")))?;
    let mut out = Map::new();
    let mut r = Reader::new(buf);
    while let Some((tag, wt)) = r.key()? {
        let Some(f) = fields.iter().find(|f| f.0 == tag) else {
            r.skip(wt)?;
            continue;
        };
        let Field(_, json_name, ty, repeated) = f;
        let value = match ty {
            Ty::Msg(m) => {
                expect(wt, 2)?;
                decode_message(r.bytes()?, m, depth + 1)?
            }
            Ty::MapStr | Ty::MapBytes | Ty::MapMsg(_) => {
                expect(wt, 2)?;
                let (k, v) = map_entry(r.bytes()?, ty, depth)?;
                let m = out
                    .entry(json_name.to_string())
                    .or_insert_with(|| json!({}));
                if let Some(m) = m.as_object_mut() {
                    m.insert(k, v);
                }
                continue;
            }
            scalar => {
                // Packed repeated scalars (not used by k8s, accepted anyway).
                if *repeated && wt == 2 && !matches!(scalar, Ty::Str | Ty::Bytes) {
                    let mut pr = Reader::new(r.bytes()?);
                    let arr = out
                        .entry(json_name.to_string())
                        .or_insert_with(|| json!([]));
                    while !pr.done() {
                        let v = pr.scalar(scalar, if matches!(scalar, Ty::F64) { 1 } else { 0 })?;
                        if let Some(a) = arr.as_array_mut() {
                            a.push(v);
                        }
                    }
                    continue;
                }
                r.scalar(scalar, wt)?
            }
        };
        if *repeated {
            let arr = out
                .entry(json_name.to_string())
                .or_insert_with(|| json!([]));
            if let Some(a) = arr.as_array_mut() {
                a.push(value);
            }
        } else if !is_unset(&value, json_name) {
            out.insert(json_name.to_string(), value);
        }
    }
    Ok(Value::Object(out))
}

/// Zero scalars of non-pointer fields and zero Times read as "unset".
fn is_unset(v: &Value, name: &str) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty() && !KEEP_ZERO.contains(&name),
        Value::Bool(b) => !b && !KEEP_ZERO.contains(&name),
        Value::Number(n) => n.as_f64() == Some(0.0) && !KEEP_ZERO.contains(&name),
        _ => false,
    }
}

fn expect(wt: u8, want: u8) -> Result<(), ApiError> {
    if wt == want {
        Ok(())
    } else {
        Err(bad(format!("wire type {wt}, expected {want}")))
    }
}

fn map_entry(buf: &[u8], ty: &Ty, depth: usize) -> Result<(String, Value), ApiError> {
    let mut r = Reader::new(buf);
    let mut key = String::new();
    let mut value = match ty {
        Ty::MapMsg(_) => Value::Null,
        _ => json!(""),
    };
    while let Some((tag, wt)) = r.key()? {
        match (tag, ty) {
            (1, _) => key = r.string()?,
            (2, Ty::MapStr) => value = json!(r.string()?),
            (2, Ty::MapBytes) => {
                value = json!(base64::engine::general_purpose::STANDARD.encode(r.bytes()?))
            }
            (2, Ty::MapMsg(m)) => value = decode_message(r.bytes()?, m, depth + 1)?,
            _ => r.skip(wt)?,
        }
    }
    Ok((key, value))
}

fn time(buf: &[u8], micro: bool) -> Result<Value, ApiError> {
    let (mut secs, mut nanos) = (0i64, 0i64);
    let mut r = Reader::new(buf);
    while let Some((tag, wt)) = r.key()? {
        match tag {
            1 => secs = r.varint()? as i64,
            2 => nanos = r.varint()? as i64,
            _ => r.skip(wt)?,
        }
    }
    if secs == 0 && nanos == 0 {
        return Ok(Value::Null);
    }
    let ts = jiff::Timestamp::new(secs, if micro { nanos as i32 } else { 0 })
        .map_err(|e| bad(format!("invalid time: {e}")))?;
    let fmt = if micro {
        "%Y-%m-%dT%H:%M:%S.%6fZ"
    } else {
        "%Y-%m-%dT%H:%M:%SZ"
    };
    Ok(json!(ts.strftime(fmt).to_string()))
}

fn first_string(buf: &[u8]) -> Result<Value, ApiError> {
    let mut r = Reader::new(buf);
    let mut s = String::new();
    while let Some((tag, wt)) = r.key()? {
        match tag {
            1 => s = r.string()?,
            _ => r.skip(wt)?,
        }
    }
    Ok(if s.is_empty() { Value::Null } else { json!(s) })
}

fn int_or_string(buf: &[u8]) -> Result<Value, ApiError> {
    let (mut ty, mut i, mut s) = (0u64, 0i64, String::new());
    let mut r = Reader::new(buf);
    while let Some((tag, wt)) = r.key()? {
        match tag {
            1 => ty = r.varint()?,
            2 => i = r.varint()? as i32 as i64,
            3 => s = r.string()?,
            _ => r.skip(wt)?,
        }
    }
    Ok(if ty == 1 { json!(s) } else { json!(i) })
}

fn duration(buf: &[u8]) -> Result<Value, ApiError> {
    let mut ns = 0i64;
    let mut r = Reader::new(buf);
    while let Some((tag, wt)) = r.key()? {
        match tag {
            1 => ns = r.varint()? as i64,
            _ => r.skip(wt)?,
        }
    }
    Ok(json!(go_duration(ns)))
}

/// Go's time.Duration.String() for whole seconds and more (`1h2m3s`, `0s`).
fn go_duration(ns: i64) -> String {
    if ns == 0 {
        return "0s".into();
    }
    let total = ns as f64 / 1e9;
    let (h, m) = ((total / 3600.0) as i64, ((total % 3600.0) / 60.0) as i64);
    let s = total - (h * 3600 + m * 60) as f64;
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if h > 0 || m > 0 {
        out.push_str(&format!("{m}m"));
    }
    out.push_str(&format!("{}s", s));
    out
}

fn raw_json(buf: &[u8]) -> Result<Value, ApiError> {
    let mut r = Reader::new(buf);
    let mut raw: &[u8] = &[];
    while let Some((tag, wt)) = r.key()? {
        match tag {
            1 => raw = r.bytes()?,
            _ => r.skip(wt)?,
        }
    }
    if raw.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(raw).map_err(|e| bad(format!("raw extension is not JSON: {e}")))
}

/// A protobuf wire-format reader.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, pos: 0 }
    }
    fn done(&self) -> bool {
        self.pos >= self.buf.len()
    }
    fn varint(&mut self) -> Result<u64, ApiError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self
                .buf
                .get(self.pos)
                .ok_or_else(|| bad("truncated varint"))?;
            self.pos += 1;
            v |= ((b & 0x7f) as u64) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(bad("varint too long"))
    }
    /// The next field key, or None at the end.
    fn key(&mut self) -> Result<Option<(u32, u8)>, ApiError> {
        if self.done() {
            return Ok(None);
        }
        let k = self.varint()?;
        let tag = (k >> 3) as u32;
        if tag == 0 {
            return Err(bad("field number 0"));
        }
        Ok(Some((tag, (k & 7) as u8)))
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], ApiError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.buf.len())
            .ok_or_else(|| bad("truncated message"))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn bytes(&mut self) -> Result<&'a [u8], ApiError> {
        let n = self.varint()? as usize;
        self.take(n)
    }
    fn string(&mut self) -> Result<String, ApiError> {
        let b = self.bytes()?;
        String::from_utf8(b.to_vec()).map_err(|_| bad("string is not UTF-8"))
    }
    fn skip(&mut self, wt: u8) -> Result<(), ApiError> {
        match wt {
            0 => {
                self.varint()?;
            }
            1 => {
                self.take(8)?;
            }
            2 => {
                self.bytes()?;
            }
            5 => {
                self.take(4)?;
            }
            w => return Err(bad(format!("unsupported wire type {w}"))),
        }
        Ok(())
    }
    fn scalar(&mut self, ty: &Ty, wt: u8) -> Result<Value, ApiError> {
        Ok(match ty {
            Ty::Str => {
                expect(wt, 2)?;
                json!(self.string()?)
            }
            Ty::Bytes => {
                expect(wt, 2)?;
                json!(base64::engine::general_purpose::STANDARD.encode(self.bytes()?))
            }
            Ty::I32 => {
                expect(wt, 0)?;
                json!(self.varint()? as i32)
            }
            Ty::I64 => {
                expect(wt, 0)?;
                json!(self.varint()? as i64)
            }
            Ty::Bool => {
                expect(wt, 0)?;
                json!(self.varint()? != 0)
            }
            Ty::F64 => {
                expect(wt, 1)?;
                let b = self.take(8)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                json!(f64::from_le_bytes(a))
            }
            _ => return Err(bad("not a scalar")),
        })
    }
}

#[cfg(test)]
mod tests;
