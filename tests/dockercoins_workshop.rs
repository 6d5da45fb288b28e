//! The workshop's DockerCoins storyline, typed as the workshop types it
//! (scenarios/dockercoins/workshop.txt: slides/k8s/ourapponkube.md,
//! kubectlscale.md, scalingdockercoins.md, daemonset.md), through the real
//! controllers, kubelet, Services and traffic engine. The numbers follow
//! from the model (workshop.md §1.5), not from a script: the transcript is
//! a snapshot, and the rates are checked against the model's.

mod repl_common;

use kubesim::cli::script;

/// The `mean X hashes/second` line of each `sim dockercoins` block.
fn means(transcript: &str) -> Vec<f64> {
    transcript
        .lines()
        .filter_map(|l| {
            l.strip_prefix("mean ")?
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .collect()
}

/// The average of each `round-trip min/avg/max = a/b/c ms` line.
fn httping_avgs(transcript: &str) -> Vec<f64> {
    transcript
        .lines()
        .filter_map(|l| {
            let v = l.strip_prefix("round-trip min/avg/max = ")?;
            v.split('/').nth(1)?.parse().ok()
        })
        .collect()
}

fn storyline() -> String {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/dockercoins/workshop.txt"
    ))
    .unwrap();
    let mut s = repl_common::session();
    let (t, code) = script::run(&mut s, &text, true);
    // `kubectl apply` of the unedited DaemonSet fails on purpose (strict
    // decoding), as in the slides: that is the script's only failure.
    assert_eq!(code, 1, "{t}");
    t
}

#[test]
fn scaling_workers_plateaus_at_ten_until_rng_is_a_daemonset() {
    let t = storyline();
    insta::assert_snapshot!("dockercoins_workshop", t);
    let r = means(&t);
    assert_eq!(r.len(), 4, "four samples of the hash rate:\n{t}");
    // One worker: sleep 0.1 s + rng 0.1 s + hasher 0.1 s per hash = 3.3/s.
    assert!((3.0..=3.5).contains(&r[0]), "1 worker ≈ 3.3: {r:?}");
    // Two workers: twice that, less a little queueing at the single rng.
    assert!((6.0..=6.8).contains(&r[1]), "2 workers ≈ 6.6: {r:?}");
    // Ten workers: rng serves one request at a time, 0.1 s each: 10/s.
    assert!(
        (9.3..=10.1).contains(&r[2]),
        "10 workers plateau at 10: {r:?}"
    );
    // rng as a DaemonSet on the three workers (+ the Deployment's pod)
    // lifts the ceiling.
    assert!(r[3] > 15.0, "rng DaemonSet lifts the rate: {r:?}");
    // httping: hasher answers in a few ms; rng queues (~700 ms with 10
    // workers: each waits behind the others' 0.1 s requests); the
    // DaemonSet shortens rng's queue.
    let h = httping_avgs(&t);
    assert_eq!(h.len(), 3, "{t}");
    assert!(h[0] < 10.0, "hasher: a few ms: {h:?}");
    assert!((550.0..=850.0).contains(&h[1]), "rng ≈ 700 ms: {h:?}");
    assert!(h[2] < h[1] / 2.0, "rng faster once a DaemonSet: {h:?}");
}

#[test]
fn the_storyline_is_deterministic() {
    assert_eq!(storyline(), storyline());
}
