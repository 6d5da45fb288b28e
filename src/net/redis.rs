//! A Redis server's keyspace and the subset of commands DockerCoins and a
//! curious student use, with Redis' replies and error texts
//! (`src/t_string.c`, `src/t_hash.c`, `src/server.c` of redis/redis), and
//! `redis-cli`'s way of printing replies.

use std::collections::BTreeMap;

/// A command. The workers' and web UI's commands name constant keys and
/// need no allocation; anything else arrives as arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedisCmd {
    IncrBy(&'static str, i64),
    HSet(&'static str, String, String),
    Get(&'static str),
    HLen(&'static str),
    Args(Box<Vec<String>>),
}

/// A reply in RESP terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedisReply {
    Status(String),
    Error(String),
    Int(i64),
    Bulk(Option<String>),
    Array(Vec<RedisReply>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Val {
    Str(String),
    Hash(BTreeMap<String, String>),
}

/// One Redis server's data (lost when its process restarts: the `redis`
/// image has no persistence configured).
#[derive(Clone, Debug, Default)]
pub struct RedisDb {
    map: BTreeMap<String, Val>,
}

const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
const NOT_INT: &str = "ERR value is not an integer or out of range";

impl RedisDb {
    pub fn new() -> RedisDb {
        RedisDb::default()
    }

    pub fn exec(&mut self, cmd: &RedisCmd) -> RedisReply {
        match cmd {
            RedisCmd::IncrBy(k, n) => self.incr_by(k, *n),
            RedisCmd::HSet(k, f, v) => self.hset(k, f, v),
            RedisCmd::Get(k) => self.get(k),
            RedisCmd::HLen(k) => self.hlen(k),
            RedisCmd::Args(a) => self.exec_args(a),
        }
    }

    fn incr_by(&mut self, key: &str, n: i64) -> RedisReply {
        let cur = match self.map.get(key) {
            None => 0,
            Some(Val::Str(s)) => match s.parse::<i64>() {
                Ok(v) => v,
                Err(_) => return RedisReply::Error(NOT_INT.into()),
            },
            Some(Val::Hash(_)) => return RedisReply::Error(WRONGTYPE.into()),
        };
        let Some(v) = cur.checked_add(n) else {
            return RedisReply::Error("ERR increment or decrement would overflow".into());
        };
        match self.map.get_mut(key) {
            Some(Val::Str(s)) => {
                s.clear();
                use std::fmt::Write;
                let _ = write!(s, "{v}");
            }
            _ => {
                self.map.insert(key.to_string(), Val::Str(v.to_string()));
            }
        }
        RedisReply::Int(v)
    }

    fn hset(&mut self, key: &str, field: &str, value: &str) -> RedisReply {
        match self
            .map
            .entry(key.to_string())
            .or_insert_with(|| Val::Hash(BTreeMap::new()))
        {
            Val::Hash(h) => {
                let added = h.insert(field.to_string(), value.to_string()).is_none();
                RedisReply::Int(added as i64)
            }
            Val::Str(_) => RedisReply::Error(WRONGTYPE.into()),
        }
    }

    fn get(&self, key: &str) -> RedisReply {
        match self.map.get(key) {
            None => RedisReply::Bulk(None),
            Some(Val::Str(s)) => RedisReply::Bulk(Some(s.clone())),
            Some(Val::Hash(_)) => RedisReply::Error(WRONGTYPE.into()),
        }
    }

    fn hlen(&self, key: &str) -> RedisReply {
        match self.map.get(key) {
            None => RedisReply::Int(0),
            Some(Val::Hash(h)) => RedisReply::Int(h.len() as i64),
            Some(Val::Str(_)) => RedisReply::Error(WRONGTYPE.into()),
        }
    }

    /// The value of a string key as an integer (for tests and reports).
    pub fn int(&self, key: &str) -> Option<i64> {
        match self.map.get(key) {
            Some(Val::Str(s)) => s.parse().ok(),
            _ => None,
        }
    }
    /// The number of fields of a hash key.
    pub fn hash_len(&self, key: &str) -> usize {
        match self.map.get(key) {
            Some(Val::Hash(h)) => h.len(),
            _ => 0,
        }
    }

    fn exec_args(&mut self, args: &[String]) -> RedisReply {
        let Some(name) = args.first() else {
            return RedisReply::Error("ERR empty command".into());
        };
        let lower = name.to_ascii_lowercase();
        let a = &args[1..];
        let arity = |n: usize, exact: bool| {
            if (exact && a.len() != n) || (!exact && a.len() < n) {
                Some(RedisReply::Error(format!(
                    "ERR wrong number of arguments for '{lower}' command"
                )))
            } else {
                None
            }
        };
        match lower.as_str() {
            "ping" => match a.first() {
                Some(m) => RedisReply::Bulk(Some(m.clone())),
                None => RedisReply::Status("PONG".into()),
            },
            "get" => arity(1, true).unwrap_or_else(|| self.get(&a[0])),
            "set" => arity(2, false).unwrap_or_else(|| {
                self.map.insert(a[0].clone(), Val::Str(a[1].clone()));
                RedisReply::Status("OK".into())
            }),
            "incr" | "decr" => arity(1, true).unwrap_or_else(|| {
                self.incr_by(&a[0], if lower == "incr" { 1 } else { -1 })
            }),
            "incrby" | "decrby" => arity(2, true).unwrap_or_else(|| match a[1].parse::<i64>() {
                Ok(n) => self.incr_by(&a[0], if lower == "incrby" { n } else { -n }),
                Err(_) => RedisReply::Error(NOT_INT.into()),
            }),
            "hset" => {
                if a.len() < 3 || a.len().is_multiple_of(2) {
                    return RedisReply::Error(format!(
                        "ERR wrong number of arguments for '{lower}' command"
                    ));
                }
                let mut added = 0;
                for fv in a[1..].chunks(2) {
                    match self.hset(&a[0], &fv[0], &fv[1]) {
                        RedisReply::Int(n) => added += n,
                        e => return e,
                    }
                }
                RedisReply::Int(added)
            }
            "hget" => arity(2, true).unwrap_or_else(|| match self.map.get(&a[0]) {
                None => RedisReply::Bulk(None),
                Some(Val::Hash(h)) => RedisReply::Bulk(h.get(&a[1]).cloned()),
                Some(Val::Str(_)) => RedisReply::Error(WRONGTYPE.into()),
            }),
            "hincrby" => arity(3, true).unwrap_or_else(|| {
                let Ok(n) = a[2].parse::<i64>() else {
                    return RedisReply::Error(NOT_INT.into());
                };
                match self
                    .map
                    .entry(a[0].clone())
                    .or_insert_with(|| Val::Hash(BTreeMap::new()))
                {
                    Val::Hash(h) => {
                        let cur = match h.get(&a[1]).map(|v| v.parse::<i64>()) {
                            None => 0,
                            Some(Ok(v)) => v,
                            Some(Err(_)) => {
                                return RedisReply::Error("ERR hash value is not an integer".into())
                            }
                        };
                        h.insert(a[1].clone(), (cur + n).to_string());
                        RedisReply::Int(cur + n)
                    }
                    Val::Str(_) => RedisReply::Error(WRONGTYPE.into()),
                }
            }),
            "hlen" => arity(1, true).unwrap_or_else(|| self.hlen(&a[0])),
            "hgetall" | "hkeys" | "hvals" => arity(1, true).unwrap_or_else(|| match self.map.get(&a[0]) {
                None => RedisReply::Array(Vec::new()),
                Some(Val::Hash(h)) => RedisReply::Array(
                    h.iter()
                        .flat_map(|(k, v)| match lower.as_str() {
                            "hkeys" => vec![k.clone()],
                            "hvals" => vec![v.clone()],
                            _ => vec![k.clone(), v.clone()],
                        })
                        .map(|s| RedisReply::Bulk(Some(s)))
                        .collect(),
                ),
                Some(Val::Str(_)) => RedisReply::Error(WRONGTYPE.into()),
            }),
            "del" => arity(1, false).unwrap_or_else(|| {
                RedisReply::Int(a.iter().filter(|k| self.map.remove(*k).is_some()).count() as i64)
            }),
            "exists" => arity(1, false).unwrap_or_else(|| {
                RedisReply::Int(a.iter().filter(|k| self.map.contains_key(*k)).count() as i64)
            }),
            "type" => arity(1, true).unwrap_or_else(|| {
                RedisReply::Status(
                    match self.map.get(&a[0]) {
                        None => "none",
                        Some(Val::Str(_)) => "string",
                        Some(Val::Hash(_)) => "hash",
                    }
                    .into(),
                )
            }),
            "keys" => arity(1, true).unwrap_or_else(|| {
                RedisReply::Array(
                    self.map
                        .keys()
                        .filter(|k| glob(&a[0], k))
                        .map(|k| RedisReply::Bulk(Some(k.clone())))
                        .collect(),
                )
            }),
            "dbsize" => RedisReply::Int(self.map.len() as i64),
            "flushall" | "flushdb" => {
                self.map.clear();
                RedisReply::Status("OK".into())
            }
            "info" => RedisReply::Bulk(Some(
                "# Server\r\nredis_version:7.4.2\r\nredis_mode:standalone\r\nos:Linux 6.8.0-1029-aws x86_64\r\narch_bits:64\r\ntcp_port:6379\r\n".into(),
            )),
            _ => {
                let args: Vec<String> = a.iter().take(3).map(|s| format!("'{s}' ")).collect();
                RedisReply::Error(format!(
                    "ERR unknown command '{name}', with args beginning with: {}",
                    args.concat()
                ))
            }
        }
    }
}

/// Redis' `stringmatchlen` for the common cases: `*`, `?` and literals.
fn glob(pat: &str, s: &str) -> bool {
    fn go(p: &[u8], s: &[u8]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], s) || (!s.is_empty() && go(p, &s[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &s[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &s[1..]),
            _ => false,
        }
    }
    go(pat.as_bytes(), s.as_bytes())
}

/// How `redis-cli` prints a reply on a terminal.
pub fn format_cli(r: &RedisReply) -> String {
    fn go(r: &RedisReply, indent: usize, out: &mut String) {
        match r {
            RedisReply::Status(s) => out.push_str(s),
            RedisReply::Error(e) => {
                out.push_str("(error) ");
                out.push_str(e);
            }
            RedisReply::Int(n) => out.push_str(&format!("(integer) {n}")),
            RedisReply::Bulk(None) => out.push_str("(nil)"),
            RedisReply::Bulk(Some(s)) => out.push_str(&format!("{s:?}")),
            RedisReply::Array(items) if items.is_empty() => out.push_str("(empty array)"),
            RedisReply::Array(items) => {
                let w = items.len().to_string().len();
                for (i, it) in items.iter().enumerate() {
                    if i > 0 {
                        out.push('\n');
                        out.push_str(&" ".repeat(indent));
                    }
                    out.push_str(&format!("{:>w$}) ", i + 1));
                    go(it, indent + w + 2, out);
                }
            }
        }
    }
    let mut s = String::new();
    go(r, 0, &mut s);
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(db: &mut RedisDb, line: &str) -> String {
        let args: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        format_cli(&db.exec(&RedisCmd::Args(Box::new(args))))
    }

    #[test]
    fn counters_and_hashes_answer_like_redis() {
        let mut db = RedisDb::new();
        assert_eq!(db.exec(&RedisCmd::IncrBy("hashes", 4)), RedisReply::Int(4));
        assert_eq!(db.exec(&RedisCmd::IncrBy("hashes", 0)), RedisReply::Int(4));
        assert_eq!(run(&mut db, "GET hashes"), "\"4\"\n");
        assert_eq!(run(&mut db, "get nothing"), "(nil)\n");
        assert_eq!(
            db.exec(&RedisCmd::HSet("wallet", "0abc".into(), "x".into())),
            RedisReply::Int(1)
        );
        assert_eq!(
            db.exec(&RedisCmd::HSet("wallet", "0abc".into(), "y".into())),
            RedisReply::Int(0)
        );
        assert_eq!(db.exec(&RedisCmd::HLen("wallet")), RedisReply::Int(1));
        assert_eq!(run(&mut db, "HINCRBY stats n 5"), "(integer) 5\n");
        assert_eq!(run(&mut db, "HGETALL stats"), "1) \"n\"\n2) \"5\"\n");
        assert_eq!(
            run(&mut db, "INCRBY wallet 1"),
            format!("(error) {WRONGTYPE}\n")
        );
        assert_eq!(run(&mut db, "SET s abc"), "OK\n");
        assert_eq!(run(&mut db, "INCR s"), format!("(error) {NOT_INT}\n"));
        assert_eq!(
            run(&mut db, "KEYS *"),
            "1) \"hashes\"\n2) \"s\"\n3) \"stats\"\n4) \"wallet\"\n"
        );
        assert_eq!(
            run(&mut db, "GET"),
            "(error) ERR wrong number of arguments for 'get' command\n"
        );
        assert_eq!(
            run(&mut db, "FOO bar"),
            "(error) ERR unknown command 'FOO', with args beginning with: 'bar' \n"
        );
        assert_eq!(run(&mut db, "PING"), "PONG\n");
        assert_eq!(db.int("hashes"), Some(4));
        assert_eq!(db.hash_len("wallet"), 1);
    }
}
