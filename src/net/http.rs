//! HTTP messages as the simulated servers and tools exchange them: a
//! request line, headers and a body, and a response with a status line.
//! Only what the tools print and the servers look at is modelled.

use std::fmt::Write as _;

/// An HTTP request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: String,
    /// Path and query, e.g. `/json` or `/32`.
    pub path: String,
    /// The `Host` header as the client sends it (`rng`, `10.96.0.5:8080`).
    pub host: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub user_agent: String,
    /// Sent inside TLS (`https://`).
    pub tls: bool,
}

impl HttpRequest {
    pub fn get(host: &str, path: &str) -> HttpRequest {
        HttpRequest {
            method: "GET".into(),
            path: path.into(),
            host: host.into(),
            headers: Vec::new(),
            body: Vec::new(),
            user_agent: String::new(),
            tls: false,
        }
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// The host name without a port, lowercased (ingress host matching).
    pub fn host_name(&self) -> String {
        let h = self.header("host").unwrap_or(&self.host);
        let h = match h.rsplit_once(':') {
            Some((a, p)) if p.chars().all(|c| c.is_ascii_digit()) => a,
            _ => h,
        };
        h.to_ascii_lowercase()
    }
    /// The path without the query string.
    pub fn path_only(&self) -> &str {
        self.path.split('?').next().unwrap_or("/")
    }
    pub fn is_head(&self) -> bool {
        self.method == "HEAD"
    }
}

/// An HTTP response.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn new(status: u16) -> HttpResponse {
        HttpResponse {
            status,
            ..Default::default()
        }
    }
    /// Adds a header.
    pub fn h(mut self, k: &str, v: impl Into<String>) -> HttpResponse {
        self.headers.push((k.to_string(), v.into()));
        self
    }
    /// Sets the body (and `Content-Length`, placed where servers put it:
    /// after the headers given so far).
    pub fn body(mut self, b: impl Into<Vec<u8>>) -> HttpResponse {
        self.body = b.into();
        let len = self.body.len().to_string();
        self.h("Content-Length", len)
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// `HTTP/1.1 200 OK`
    pub fn status_line(&self) -> String {
        format!("HTTP/1.1 {} {}", self.status, reason(self.status))
    }
    /// The response head (status line and headers, CRLF-terminated, with the
    /// blank line): what `httping` counts and `curl -i` shows.
    pub fn head_text(&self) -> String {
        let mut s = self.status_line();
        s.push_str("\r\n");
        for (k, v) in &self.headers {
            let _ = write!(s, "{k}: {v}\r\n");
        }
        s.push_str("\r\n");
        s
    }
    /// The response without its body (a HEAD answer).
    pub fn without_body(mut self) -> HttpResponse {
        self.body.clear();
        self
    }
}

/// The reason phrase of a status code.
pub fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

/// `Sat, 23 Nov 2026 09:00:00 GMT` (RFC 7231 IMF-fixdate).
pub fn http_date(t: jiff::Timestamp) -> String {
    t.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Parses `http://host:port/path` (scheme optional, as curl and httping
/// accept it). Returns (scheme, host, port, path).
pub fn parse_url(url: &str) -> Option<(String, String, u16, String)> {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => ("http".to_string(), url),
    };
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) if rest[i..].starts_with('/') => (&rest[..i], rest[i..].to_string()),
        Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
        None => (rest, "/".to_string()),
    };
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().ok()?),
        None => (authority, default_port),
    };
    if host.is_empty() {
        return None;
    }
    Some((scheme, host.to_string(), port, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_like_curl_takes_them() {
        assert_eq!(
            parse_url("http://10.96.0.5:8080/json?x=1"),
            Some(("http".into(), "10.96.0.5".into(), 8080, "/json?x=1".into()))
        );
        assert_eq!(
            parse_url("rng"),
            Some(("http".into(), "rng".into(), 80, "/".into()))
        );
        assert_eq!(
            parse_url("https://10.96.0.1"),
            Some(("https".into(), "10.96.0.1".into(), 443, "/".into()))
        );
        assert_eq!(parse_url("ftp://x"), None);
        assert_eq!(parse_url("http://x:99999/"), None);
    }

    #[test]
    fn response_heads_are_counted_with_crlf() {
        let r = HttpResponse::new(200).h("Server", "x").body("hi");
        assert_eq!(
            r.head_text(),
            "HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 2\r\n\r\n"
        );
        let q = HttpRequest {
            headers: vec![("Host".into(), "Blue.Example:80".into())],
            ..HttpRequest::get("x", "/a?b")
        };
        assert_eq!(q.host_name(), "blue.example");
        assert_eq!(q.path_only(), "/a");
    }
}
