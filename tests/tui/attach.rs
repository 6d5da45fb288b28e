//! Attach mode against a stand-in apiserver: a few lines of std TCP that
//! serve list responses from a World, as `kubesim serve` would (plain
//! `GET /api/v1/pods`, `/apis/apps/v1/deployments`, JSON lists whose items
//! carry no apiVersion/kind, one of them chunked).

use super::fixtures::*;
use kubesim::cluster::workshop_world;
use kubesim::objects::Kind;
use kubesim::sim::World;
use kubesim::tui::attach::{self, AttachSource, Server};
use kubesim::tui::cache::Change;
use kubesim::tui::source::Source;
use kubesim::tui::theme::Theme;
use kubesim::tui::update::Effect;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn list_body(world: &World, path: &str) -> Option<String> {
    let kind = Kind::ALL
        .iter()
        .copied()
        .find(|k| attach::list_path(*k) == path)?;
    let items: Vec<serde_json::Value> = world
        .store
        .iter(kind, None)
        .map(|o| {
            let mut v = o.to_json();
            let m = v.as_object_mut().unwrap();
            m.remove("apiVersion");
            m.remove("kind");
            v
        })
        .collect();
    Some(
        serde_json::json!({"kind": format!("{}List", kind.info().kind), "items": items})
            .to_string(),
    )
}

/// Serves lists from `world` on a free port; returns the URL.
fn fake_apiserver(world: Arc<Mutex<World>>) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    std::thread::spawn(move || {
        for conn in l.incoming() {
            let Ok(mut c) = conn else { continue };
            let mut line = String::new();
            let mut r = BufReader::new(c.try_clone().unwrap());
            if r.read_line(&mut line).is_err() {
                continue;
            }
            // Drain the headers.
            loop {
                let mut h = String::new();
                if r.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
                    break;
                }
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
            let w = world.lock().unwrap();
            let date = w
                .store
                .timestamp()
                .0
                .strftime("%a, %d %b %Y %H:%M:%S GMT")
                .to_string();
            let resp = match (path.as_str(), list_body(&w, &path)) {
                ("/version", _) => {
                    let b = r#"{"major":"1","minor":"33","gitVersion":"v1.33.5"}"#;
                    format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{b}", b.len())
                }
                // Pods come chunked, as a streaming server sends them.
                ("/api/v1/pods", Some(b)) => format!(
                    "HTTP/1.1 200 OK\r\nDate: {date}\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{b}\r\n0\r\n\r\n",
                    b.len()
                ),
                (_, Some(b)) => format!(
                    "HTTP/1.1 200 OK\r\nDate: {date}\r\nContent-Length: {}\r\n\r\n{b}",
                    b.len()
                ),
                (_, None) => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_string(),
            };
            let _ = c.write_all(resp.as_bytes());
        }
    });
    url
}

fn wait_for(
    src: &mut AttachSource,
    app: &mut kubesim::tui::app::App,
    ok: impl Fn(&kubesim::tui::app::App) -> bool,
) {
    for _ in 0..100 {
        src.advance(app, wall(), Duration::ZERO);
        if ok(app) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("attach mode did not catch up in 5 s");
}

#[test]
fn attached_dashboard_follows_the_server_and_lights_up_changes() {
    let mut w = workshop_world(3);
    w.advance(Duration::from_secs(90));
    create_pod(
        &mut w,
        "web",
        &[("app", "web")],
        Some("node2"),
        "nginx",
        None,
    );
    let world = Arc::new(Mutex::new(w));
    let url = fake_apiserver(world.clone());
    let server = Server::parse(&url).unwrap();
    let mut src = AttachSource::start(server.clone());
    let mut app = attach::attached_app(&server, Theme::MONO);
    wait_for(&mut src, &mut app, |a| a.cache.count(Kind::Pod) > 0);
    assert_eq!(app.cache.count(Kind::Node), 4);
    assert_eq!(app.table_model().rows.len(), 1, "web in default");
    // The server's clock, from its Date header: 09:01:30.
    assert_eq!(
        app.clock.timestamp().strftime("%H:%M:%S").to_string(),
        "09:01:30"
    );

    // Learners create a pod on the server: it appears, marked as added.
    {
        let mut w = world.lock().unwrap();
        w.advance(Duration::from_secs(5));
        create_pod(
            &mut w,
            "api",
            &[("app", "api")],
            Some("node3"),
            "nginx",
            None,
        );
    }
    wait_for(&mut src, &mut app, |a| a.table_model().rows.len() == 2);
    let t = app.table_model();
    let api = t.rows.iter().find(|r| r.key.1 == "api").unwrap();
    assert_eq!(api.mark, Some(Change::Added));
    assert_eq!(
        app.clock.timestamp().strftime("%H:%M:%S").to_string(),
        "09:01:35"
    );
    let screen = render(&mut app, 100, 30);
    let buf = screen.backend().buffer();
    assert!(find(buf, "attached").is_some());
    assert!(find(buf, &format!("ctx {url}")).is_some());

    // Only kubectl lines go to the server; the controls are the server's.
    src.apply(
        &mut app,
        Effect::RunLine {
            line: "sim advance 1m".into(),
            namespace: None,
        },
        wall(),
    );
    assert!(app.current_message().unwrap().error);
}

#[test]
fn server_urls_and_http_answers_parse() {
    assert_eq!(Server::parse("http://127.0.0.1:6443/").unwrap().port, 6443);
    assert!(Server::parse("https://127.0.0.1:6443").is_err());
    assert!(Server::parse("http://h:notaport").is_err());
    let r = attach::parse_response(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Kubesim-Virtual-Time: 2026-11-23T09:00:05Z\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
    )
    .unwrap();
    assert_eq!(r.body, b"abcde");
    assert_eq!(
        r.header("x-kubesim-virtual-time"),
        Some("2026-11-23T09:00:05Z")
    );
    assert!(attach::parse_response(b"garbage").is_err());
    // The server's own virtual time wins; a wall-clock Date far from the
    // objects' era is ignored for the newest object timestamp.
    let t = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
    let newest = Some(t("2026-11-23T09:00:00Z"));
    assert_eq!(
        attach::estimate_now(Some(t("2026-11-23T09:00:07Z")), None, newest),
        Some(t("2026-11-23T09:00:07Z"))
    );
    assert_eq!(
        attach::estimate_now(None, Some(t("2031-01-01T00:00:00Z")), newest),
        newest
    );
    assert_eq!(
        attach::estimate_now(None, Some(t("2026-11-23T09:00:03Z")), newest),
        Some(t("2026-11-23T09:00:03Z"))
    );
}
