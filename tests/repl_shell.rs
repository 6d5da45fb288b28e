//! The little shell (issue 9 item 3), driven through `Session`: each
//! construct of POSIX sh that workshop lines use, with `bash`'s words for
//! its errors.

mod repl_common;

use kubesim::cli::script;
use kubesim::cli::shell::{is_complete, INTERRUPTED};
use repl_common::{fails, ok, read, run, session, write};

#[test]
fn variables_command_substitution_and_export() {
    let mut s = session();
    // The workshop's line, verbatim (kubectlexpose.md).
    ok(
        &mut s,
        "IP=$(kubectl get svc kubernetes -o go-template --template '{{.spec.clusterIP}}')",
    );
    assert_eq!(ok(&mut s, "echo $IP"), "10.96.0.1\n");
    assert_eq!(ok(&mut s, "echo ${IP}:443"), "10.96.0.1:443\n");
    assert_eq!(ok(&mut s, "echo \"[$IP]\""), "[10.96.0.1]\n");
    assert_eq!(ok(&mut s, "echo '$IP'"), "$IP\n");
    assert_eq!(
        ok(&mut s, "echo ${NOPE:-fallback} ${IP-x}"),
        "fallback 10.96.0.1\n"
    );
    ok(&mut s, "export REGISTRY=dockercoins TAG=v0.1");
    assert_eq!(
        ok(&mut s, "echo $REGISTRY/worker:$TAG"),
        "dockercoins/worker:v0.1\n"
    );
    assert_eq!(
        ok(&mut s, "export"),
        "declare -x REGISTRY=\"dockercoins\"\ndeclare -x TAG=\"v0.1\"\n"
    );
    assert_eq!(
        ok(&mut s, "echo `echo back` $(echo $(echo nested))"),
        "back nested\n"
    );
    ok(&mut s, "unset TAG");
    assert_eq!(ok(&mut s, "echo [$TAG]"), "[]\n");
    // A command's own assignment does not stay.
    assert_eq!(ok(&mut s, "X=1 echo hi; echo [$X]"), "hi\n[]\n");
}

#[test]
fn field_splitting_and_arithmetic() {
    let mut s = session();
    assert_eq!(
        ok(&mut s, "for i in $(seq 3); do echo n$i; done"),
        "n1\nn2\nn3\n"
    );
    ok(&mut s, "L='a  b c'");
    assert_eq!(ok(&mut s, "for w in $L; do echo $w; done"), "a\nb\nc\n");
    assert_eq!(ok(&mut s, "for w in \"$L\"; do echo $w; done"), "a b c\n");
    assert_eq!(ok(&mut s, "echo $((1+2*3)) $(( (1+2)*3 ))"), "7 9\n");
    ok(&mut s, "i=4");
    assert_eq!(ok(&mut s, "echo $((i+1)) $(($i%3))"), "5 1\n");
    // $RANDOM is a fixed sequence: scripts replay identically.
    let a = ok(&mut s, "echo $RANDOM");
    let mut s2 = session();
    assert_eq!(ok(&mut s2, "echo $RANDOM"), a);
    assert!(fails(&mut s, "echo $((1/0))").contains("division by 0"));
}

#[test]
fn lists_status_and_comments() {
    let mut s = session();
    assert_eq!(ok(&mut s, "true && echo yes || echo no"), "yes\n");
    assert_eq!(ok(&mut s, "false && echo yes || echo no"), "no\n");
    assert_eq!(ok(&mut s, "echo a; echo b # not c"), "a\nb\n");
    assert_eq!(ok(&mut s, "# only a comment"), "");
    let o = run(&mut s, "false; echo $?");
    assert_eq!(o.stdout, "1\n");
    assert_eq!(ok(&mut s, "! false && echo negated"), "negated\n");
    assert_eq!(
        ok(
            &mut s,
            "if kubectl get ns default >/dev/null; then echo there; else echo missing; fi"
        ),
        "there\n"
    );
    assert_eq!(
        ok(&mut s, "if false; then echo a; elif true; then echo b; fi"),
        "b\n"
    );
    assert_eq!(ok(&mut s, "{ echo a; echo b; } | wc -l"), "2\n");
    assert_eq!(ok(&mut s, "(X=inner; echo $X); echo [$X]"), "inner\n[]\n");
}

#[test]
fn quotes_and_escapes() {
    let mut s = session();
    assert_eq!(
        ok(&mut s, r#"echo "a \"b\" \$c" 'd "e"' f\ g"#),
        "a \"b\" $c d \"e\" f g\n"
    );
    assert_eq!(
        ok(
            &mut s,
            r#"echo "line1
line2""#
        ),
        "line1\nline2\n"
    );
    assert_eq!(ok(&mut s, "echo one \\\ntwo"), "one two\n");
}

#[test]
fn pipes_into_text_tools() {
    let mut s = session();
    assert_eq!(ok(&mut s, "kubectl get nodes | grep -c node"), "4\n");
    assert_eq!(
        ok(&mut s, "kubectl get nodes | grep -v NAME | wc -l"),
        "4\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl get nodes | grep -i CONTROL-PLANE | cut -d' ' -f1"
        ),
        "node1\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl get nodes -o name | sort -r | head -n 2"),
        "node/node4\nnode/node3\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl get nodes -o name | tail -1"),
        "node/node4\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl get nodes | awk '{print $1}' | tail -n +2 | head -1"
        ),
        "node1\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl get pods -A | grep -E 'coredns|etcd' | awk '{print $2}' | cut -c1-4 | uniq -c"
        ),
        "      2 core\n      1 etcd\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl get pods -n kube-system -o json | jq -r '.items[].metadata.name' | grep kube-proxy | wc -l"),
        "4\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl get nodes -o json | jq -c '.items[] | select(.metadata.name == \"node2\") | {name: .metadata.name}'"),
        "{\"name\":\"node2\"}\n"
    );
    // The exit status of a pipeline is the last command's.
    assert_eq!(run(&mut s, "kubectl get nodes | grep nothing").code, 1);
    assert!(fails(&mut s, "echo x | tail -f").contains("not supported"));
}

#[test]
fn redirections_and_files() {
    let mut s = session();
    ok(&mut s, "kubectl create deployment rng --image=dockercoins/rng:v0.1 --dry-run=client -o yaml > rng.yaml");
    assert!(read(&s, "rng.yaml").starts_with("apiVersion: apps/v1\nkind: Deployment\n"));
    ok(&mut s, "echo one > f.txt; echo two >> f.txt");
    assert_eq!(read(&s, "f.txt"), "one\ntwo\n");
    assert_eq!(ok(&mut s, "wc -l < f.txt"), "2\n");
    assert_eq!(ok(&mut s, "cat f.txt | sort -r"), "two\none\n");
    // stderr goes where 2> and 2>&1 say.
    assert_eq!(ok(&mut s, "kubectl get pods 2>/dev/null"), "");
    let o = run(&mut s, "kubectl get pods 2>&1 | grep -c found");
    assert_eq!(o.stdout, "1\n");
    ok(&mut s, "kubectl get pod nope > out.txt 2> err.txt || true");
    assert_eq!(
        read(&s, "err.txt"),
        "Error from server (NotFound): pods \"nope\" not found\n"
    );
    assert!(fails(&mut s, "cat < missing.txt").contains("missing.txt: No such file or directory"));
    ok(&mut s, "mkdir d; touch d/x; cd d");
    assert_eq!(ok(&mut s, "ls"), "x\n");
    write(&s, "y", "");
    assert_eq!(ok(&mut s, "ls | sort"), "x\ny\n");
}

#[test]
fn heredocs_span_lines() {
    let mut s = session();
    let out = ok(
        &mut s,
        "kubectl apply -f- <<EOF\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: green\nEOF",
    );
    assert_eq!(out, "namespace/green created\n");
    ok(&mut s, "NAME=blue");
    assert_eq!(ok(&mut s, "cat <<EOF\nname: $NAME\nEOF"), "name: blue\n");
    assert_eq!(ok(&mut s, "cat <<'EOF'\nname: $NAME\nEOF"), "name: $NAME\n");
    assert_eq!(ok(&mut s, "cat <<-EOF\n\tindented\n\tEOF"), "indented\n");
    // Script mode gathers the following lines until the delimiter.
    let mut s = session();
    let (t, code) = script::run(&mut s, "kubectl apply -f - <<EOF\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: red\nEOF\nkubectl get ns red -o name\n", false);
    assert_eq!(code, 0, "{t}");
    assert_eq!(
        t,
        "$ kubectl apply -f - <<EOF\n> apiVersion: v1\n> kind: Namespace\n> metadata:\n>   name: red\n> EOF\nnamespace/red created\n$ kubectl get ns red -o name\nnamespace/red\n"
    );
}

#[test]
fn incomplete_input_is_recognised() {
    for t in [
        "echo 'a",
        "cat <<EOF\nx",
        "for i in 1; do",
        "a &&",
        "a |",
        "echo \\",
        "echo $(date",
    ] {
        assert!(!is_complete(t), "{t}");
    }
    for t in [
        "echo a",
        "cat <<EOF\nx\nEOF",
        "for i in 1; do echo; done",
        "echo ;; b",
    ] {
        assert!(is_complete(t), "{t}");
    }
}

#[test]
fn syntax_errors_read_as_bash() {
    let mut s = session();
    let o = run(&mut s, "echo a ;; echo b");
    assert_eq!(
        o.stderr,
        "kubesim: syntax error near unexpected token `;;'\n"
    );
    assert_eq!(o.code, 2);
    assert_eq!(
        run(&mut s, "done").stderr,
        "kubesim: syntax error near unexpected token `done'\n"
    );
    assert_eq!(
        run(&mut s, "echo >").stderr,
        "kubesim: syntax error near unexpected token `newline'\n"
    );
    assert_eq!(run(&mut s, "nosuchcmd").stderr, "kubesim: command not found: nosuchcmd\nType 'help' for the commands kubesim understands.\n");
}

#[test]
fn sleep_and_loops_advance_virtual_time() {
    let mut s = session();
    let t0 = s.world.now();
    ok(&mut s, "sleep 5");
    assert_eq!((s.world.now() - t0).as_secs(), 5);
    ok(&mut s, "for i in 1 2 3; do sleep 0.5; done");
    assert_eq!((s.world.now() - t0).as_millis(), 6500);
    // An endless loop in a script stops at the stream bound (30 s).
    let t1 = s.world.now();
    let out = s.execute("while sleep 10; do echo tick; done");
    assert_eq!(out.stdout, "tick\ntick\ntick\n");
    assert_eq!((s.world.now() - t1).as_secs(), 30);
    // The transcript says why it stopped (docs/repl.md, "Endless commands").
    assert_eq!(
        out.stderr,
        "kubesim: stopped after 30s of virtual time, as Ctrl-C would (scripts bound endless commands)\n"
    );
    assert_eq!(out.code, 0);
    assert_eq!(
        ok(
            &mut s,
            "n=0; until [ $n -ge 3 ]; do n=$((n+1)); done; echo $n"
        ),
        "3\n"
    );
    assert!(fails(&mut s, "sleep soon").contains("invalid time interval"));
    // Ctrl-C ends a waiting command with status 130.
    s.term
        .interrupted
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let mut sh = kubesim::cli::shell::Shell::new(&mut s);
    let list = kubesim::cli::shell::parse("while true; do sleep 1; done").unwrap();
    let o = sh.run_list(&list, None, kubesim::cli::term::Live::CAPTURED);
    assert_eq!(o.code, INTERRUPTED);
}

#[test]
fn watch_reruns_until_the_bound() {
    let mut s = session();
    let out = ok(&mut s, "watch -n 10 kubectl get ns default -o name");
    // The same screen is shown once (watch redraws only on change).
    assert_eq!(
        out,
        "Every 10.0s: kubectl get ns default -o name\n\nnamespace/default\n\n"
    );
    assert!(fails(&mut s, "watch").contains("Usage"));
}

#[test]
fn network_tools_use_the_hook() {
    let mut s = session();
    // The session's network is the simulation's (net::tools through
    // cli::net_hook): cluster DNS does not know "blue".
    let o = run(&mut s, "curl http://blue");
    assert_eq!(o.stderr, "curl: (6) Could not resolve host: blue\n");
    assert_eq!(o.code, 6);
    // The unconnected default, worded as each tool words it.
    s.hooks.network = kubesim::cli::hooks::unresolved_network;
    let o = run(&mut s, "curl -k https://10.96.0.1");
    assert_eq!(o.stderr, "curl: (7) Failed to connect to 10.96.0.1 port 443 after 0 ms: Couldn't connect to server\n");
    assert_eq!(o.code, 7);
    // Whatever the hook, the shell hands it the expanded argv, in loops too.
    s.hooks.network =
        |_ctx, argv| kubesim::cli::output::Output::ok(format!("answer to {}\n", argv.join(" ")));
    assert_eq!(
        ok(
            &mut s,
            "IP=10.96.0.1; for i in 1 2; do curl -s http://$IP; done"
        ),
        "answer to curl -s http://10.96.0.1\nanswer to curl -s http://10.96.0.1\n"
    );
}

#[test]
fn exit_ends_a_script() {
    let mut s = session();
    let (t, code) = script::run(&mut s, "echo a\nexit 3\necho b\n", false);
    assert_eq!(t, "$ echo a\na\n$ exit 3\n");
    assert_eq!(code, 3);
}

#[test]
fn script_mode_stops_at_the_first_failure_unless_keep_going() {
    let mut s = session();
    let text = "kubectl get pod nope\necho after\n";
    let (t, code) = script::run(&mut s, text, false);
    assert_eq!(
        t,
        "$ kubectl get pod nope\nError from server (NotFound): pods \"nope\" not found\n"
    );
    assert_eq!(code, 1);
    let (t, code) = script::run(&mut s, text, true);
    assert!(t.ends_with("$ echo after\nafter\n"));
    assert_eq!(code, 1);
}

#[test]
fn kubens_switches_namespace() {
    let mut s = session();
    let o = run(&mut s, "kns kube-system");
    assert_eq!(
        o.stderr,
        "Context \"kubernetes-admin@kubernetes\" modified.\nActive namespace is \"kube-system\".\n"
    );
    assert_eq!(s.state.namespace, "kube-system");
    ok(&mut s, "kubens -");
    assert_eq!(s.state.namespace, "default");
    assert!(fails(&mut s, "kubens nope").contains("no namespace exists with name \"nope\""));
}

/// A front end that holds only the session state (the REPL of `kubesim
/// serve --repl`, whose world lives on the runner's thread) gets the
/// whole shell through `run_line`, and split words through `run_words`.
#[test]
fn lines_on_a_world_owned_elsewhere() {
    use kubesim::cli::session::{run_line, run_words, SessionState};
    let mut world = kubesim::cluster::workshop_world(1);
    let mut state = SessionState::default();
    let o = run_line(
        "D=web; kubectl create deployment $D --image=nginx && echo ok",
        &mut world,
        &mut state,
    );
    assert_eq!(o.stdout, "deployment.apps/web created\nok\n");
    assert_eq!(state.vars.get("D").map(String::as_str), Some("web"));
    let words: Vec<String> = ["kubectl", "get", "deploy", "-o", "name"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let o = run_words(&words, &mut world, &mut state, None);
    assert_eq!(o.stdout, "deployment.apps/web\n");
    let words: Vec<String> = ["kubectl", "apply", "-f", "-"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: 'b c'\n";
    let o = run_words(&words, &mut world, &mut state, Some(cm));
    assert_eq!(o.stdout, "configmap/cfg created\n");
    let o = run_line(
        "kubectl get cm cfg -o jsonpath='{.data.a}'",
        &mut world,
        &mut state,
    );
    assert_eq!(o.stdout, "b c");
    let o = run_line("echo 'unterminated", &mut world, &mut state);
    assert_eq!(o.code, 2);
}

/// Scripts stop `get -w` and `logs -f` after 30 s of virtual time with a
/// note on stderr; `--request-timeout` chooses the length and needs none.
#[test]
fn endless_kubectl_streams_note_the_script_bound() {
    let mut s = session();
    ok(
        &mut s,
        "kubectl run pingpong --image=alpine -- ping 127.0.0.1",
    );
    let note = "kubesim: stopped after 30s of virtual time, as Ctrl-C would (scripts bound endless commands; --request-timeout=D sets another length)\n";
    let t0 = s.world.now();
    let o = run(&mut s, "kubectl get pods -w");
    assert_eq!(o.code, 0);
    assert_eq!(o.stderr, note);
    assert_eq!((s.world.now() - t0).as_secs(), 30);
    let o = run(&mut s, "kubectl logs pingpong -f --tail 1");
    assert_eq!((o.code, o.stderr.as_str()), (0, note));
    assert_eq!(o.stdout.lines().count(), 31, "{}", o.stdout);
    let o = run(&mut s, "kubectl get pods -w --request-timeout=5s");
    assert_eq!(o.stderr, "");
}
