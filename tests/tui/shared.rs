//! `kubesim serve --tui`: the dashboard and the HTTP API on one World (the
//! runner's, src/sim/runner.rs), as `serve --repl` shares it with the REPL.
//! What learners do over the API shows on the dashboard, and a `:` line
//! typed on the dashboard is seen by the API.

use super::fixtures::*;
use kubesim::api::{self, ServeArgs, ServeOptions};
use kubesim::objects::Kind;
use kubesim::tui::app::{App, Clock};
use kubesim::tui::attach::{get, Server};
use kubesim::tui::cache::Change;
use kubesim::tui::shared::SharedSource;
use kubesim::tui::source::Source;
use kubesim::tui::theme::Theme;
use std::io::{Read, Write};
use std::time::Duration;

/// A POST of a JSON body, as kubectl create sends it.
fn post(url: &Server, path: &str, body: &str) -> u16 {
    let addr = format!("{}:{}", url.host, url.port);
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    kubesim::tui::attach::parse_response(&raw).unwrap().status
}

#[test]
fn served_api_and_dashboard_share_one_store() {
    let args = ServeArgs {
        port: 0,
        address: [127, 0, 0, 1].into(),
        kubeconfig: "unused".into(),
        speed: 1.0,
        seed: 3,
        repl: false,
        tui: true,
        cluster: None,
    };
    let handle = api::spawn_world(&args).unwrap();
    let server = api::start(handle.clone(), &ServeOptions::default(), false).unwrap();
    let url = Server::parse(&server.url()).unwrap();

    let mut src = SharedSource::new(handle.clone(), 1.0);
    let mut app = App::new(Clock::new(jiff::Timestamp::UNIX_EPOCH, 0, 1.0), Theme::MONO);
    src.init(&mut app);
    assert_eq!(app.clock.seed, 3, "the served world's seed");
    assert_eq!(app.cache.iter(Kind::Node, None).count(), 4);

    // A learner creates a pod over the API: the dashboard sees it, as an
    // added row.
    let pod = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"from-kubectl"},"spec":{"containers":[{"name":"c","image":"nginx"}]}}"#;
    assert_eq!(post(&url, "/api/v1/namespaces/default/pods", pod), 201);
    src.advance(&mut app, wall(), Duration::from_millis(20));
    let rows: Vec<(String, Option<Change>)> = app
        .table_model()
        .rows
        .iter()
        .map(|r| (r.key.1.clone(), r.mark))
        .collect();
    assert_eq!(
        rows,
        vec![("from-kubectl".to_string(), Some(Change::Added))]
    );

    // The teacher types a REPL line on the dashboard: the API serves its
    // result.
    command_on(
        &mut app,
        &mut src,
        "kubectl create deployment web --image=nginx",
    );
    assert_eq!(
        app.current_message().map(|m| m.text.as_str()),
        Some("deployment.apps/web created")
    );
    let r = get(&url, "/apis/apps/v1/namespaces/default/deployments/web").unwrap();
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));

    // Both read the same clock: the world's.
    let now = handle.call(|w| w.now());
    src.advance(&mut app, wall(), Duration::from_millis(20));
    assert!(app.clock.now >= now);

    server.shutdown();
    handle.stop();
}

fn command_on(app: &mut App, src: &mut SharedSource, line: &str) {
    use kubesim::tui::update::{update, Action};
    let mut actions = vec![Action::BeginCommand];
    actions.extend(line.chars().map(Action::Input));
    actions.push(Action::Submit);
    for a in actions {
        for e in update(app, a) {
            src.apply(app, e, wall());
        }
    }
}
