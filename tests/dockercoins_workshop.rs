//! The workshop's DockerCoins storyline, typed as the workshop types it
//! (scenarios/dockercoins/workshop.txt), through the real controllers,
//! kubelet, Services and traffic engine: the numbers follow from the model
//! (workshop.md §1.5), not from a script.

use kubesim::cli::script;
use kubesim::cli::session::Session;

/// The mean of the `~N hashes/second` lines of each `sim dockercoins` block.
fn rates(transcript: &str) -> Vec<f64> {
    transcript
        .split("$ sim dockercoins")
        .skip(1)
        .map(|block| {
            let v: Vec<f64> = block
                .lines()
                .take_while(|l| !l.starts_with("$ "))
                .filter_map(|l| l.split('~').nth(1)?.split_whitespace().next()?.parse().ok())
                .collect();
            v.iter().sum::<f64>() / v.len().max(1) as f64
        })
        .collect()
}

#[test]
fn scaling_workers_plateaus_at_ten_until_rng_is_a_daemonset() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/dockercoins/workshop.txt"
    ))
    .unwrap();
    let mut s = Session::new(kubesim::cluster::workshop_world(1));
    s.state.workdir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let (t, code) = script::run(&mut s, &text, true);
    assert_eq!(code, 0, "{t}");
    let r = rates(&t);
    assert!(r.len() >= 4, "four samples of the hash rate:\n{t}");
    // The first sample follows the worker's recovery after `kubectl expose`
    // (it waits 10 s after an error), so it is only known to be mining.
    assert!(
        r[0] > 0.5,
        "1 worker mines once redis, rng and hasher exist: {r:?}"
    );
    // Two workers: each does sleep 0.1 s + rng 0.1 s + hasher 0.1 s per
    // hash, ≈ 3.3/s each.
    assert!((5.0..=8.0).contains(&r[1]), "2 workers ≈ 6.6: {r:?}");
    // Ten workers: rng serves one request at a time, 0.1 s each: 10/s.
    assert!(
        (8.5..=10.5).contains(&r[2]),
        "10 workers plateau at 10: {r:?}"
    );
    // rng as a DaemonSet on the three workers lifts the ceiling.
    assert!(r[3] > 15.0, "rng DaemonSet lifts the rate: {r:?}");
    // httping: rng queues (~700 ms with 10 workers), hasher answers at once.
    assert!(
        t.contains("round-trip min/avg/max = 7") || t.contains("round-trip min/avg/max = 6"),
        "{t}"
    );
}
