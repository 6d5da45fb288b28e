//! `sim ...`: the simulation's own commands.

mod repl_common;

use repl_common::{fails, ok, run, session};

#[test]
fn advance_status_seed_events() {
    let mut s = session();
    assert_eq!(ok(&mut s, "sim advance 1m30s"), "");
    assert_eq!(s.world.now().0, 90_000);
    let st = ok(&mut s, "sim status");
    assert!(st.starts_with("virtual time: 90.000s (90s)\nwall clock:   2026-11-23T09:01:30Z\nseed:         1\nspeed:        1x\n"), "{st}");
    assert_eq!(ok(&mut s, "sim seed"), "1\n");
    ok(&mut s, "kubectl create namespace blue");
    assert_eq!(ok(&mut s, "sim events 1"), "90.000s ADDED Namespace blue\n");
    assert_eq!(
        ok(&mut s, "sim events 2 Namespace"),
        "0.000s ADDED Namespace kube-system\n90.000s ADDED Namespace blue\n"
    );
    assert!(fails(&mut s, "sim advance soon").contains("invalid duration"));
    assert!(fails(&mut s, "sim advance").contains("needs a duration"));
    assert!(fails(&mut s, "sim fly").contains("unknown sim command \"fly\""));
    assert!(ok(&mut s, "sim").starts_with("Simulation commands:"));
}

#[test]
fn speed_pause_resume() {
    let mut s = session();
    assert_eq!(ok(&mut s, "sim speed 4"), "speed: 4x\n");
    assert_eq!(s.term.speed, 4.0);
    assert_eq!(ok(&mut s, "sim speed"), "speed: 4x\n");
    assert!(fails(&mut s, "sim speed -1").contains("invalid speed"));
    assert!(ok(&mut s, "sim pause").starts_with("simulation paused at 00:00:00"));
    assert!(s.term.paused);
    assert!(ok(&mut s, "sim status").contains("speed:        4x (paused)"));
    assert_eq!(
        ok(&mut s, "sim resume"),
        "simulation resumed at 00:00:00 (speed 4x)\n"
    );
    assert!(!s.term.paused);
}

#[test]
fn until_runs_to_the_condition_or_the_timeout() {
    let mut s = session();
    ok(&mut s, "kubectl create deployment web --image=nginx");
    // The controllers and the kubelet (pull, create, start, ready).
    assert_eq!(
        ok(&mut s, "sim until deploy/web available"),
        "deploy/web available after 3s (virtual time 00:00:03)\n"
    );
    assert_eq!(
        ok(&mut s, "sim until deploy/web exists"),
        "deploy/web exists after 0s (virtual time 00:00:03)\n"
    );
    ok(&mut s, "kubectl run p --image=nginx:doesnotexist");
    assert_eq!(
        ok(&mut s, "sim until pod/p scheduled"),
        "pod/p scheduled after 0s (virtual time 00:00:03)\n"
    );
    // An image that does not exist: ErrImagePull, never Running.
    let t0 = s.world.now().0;
    let o = run(&mut s, "sim until pod/p running --timeout 20s");
    assert_eq!(
        o.stderr,
        "error: timed out after 20s waiting for pod/p to be running\n"
    );
    assert_eq!(s.world.now().0 - t0, 20_000);
    ok(&mut s, "kubectl delete pod p --force --grace-period=0");
    assert_eq!(
        ok(&mut s, "sim until pod/p deleted"),
        "pod/p deleted after 0s (virtual time 00:00:23)\n"
    );
    assert!(fails(&mut s, "sim until pod/p happy").contains("unknown state \"happy\""));
    assert!(fails(&mut s, "sim until p running").contains("expected TYPE/NAME"));
    assert!(
        fails(&mut s, "sim until pdos/x running").contains("doesn't have a resource type \"pdos\"")
    );
}
