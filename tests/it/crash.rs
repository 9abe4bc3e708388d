//! Killed mid-edit: `kb add` rewrites a large answers file through a temporary file and a
//! rename. Killing it at every moment of its run (spread over the time one complete run takes)
//! must leave the file either exactly as it was or exactly as a complete run writes it, the
//! knowledge base loadable, and the lock free for the next command.

use std::path::Path;
use std::process::Stdio;
use std::time::Instant;

use crate::common::*;

/// An answers file of `n` entries (about 300 bytes each).
fn big_answers(n: usize) -> String {
    let mut text = String::from("# A large library, to make the rewrite take a while.\n\n");
    for i in 0..n {
        text.push_str(&format!(
            "[[answer]]\nid = \"control-{i}\"\nquestion = \"Is control number {i} of the baseline implemented and monitored?\"\nanswer = \"Yes\"\ncomment = \"Control {i} is implemented across production and checked by automated monitoring every day.\"\naudience = \"public\"\n\n"
        ));
    }
    text
}

fn kb_add(kb: &Path) -> std::process::Command {
    let mut cmd = trustfill(kb);
    cmd.args([
        "kb",
        "add",
        "--question",
        "Do you support SCIM provisioning?",
        "--answer",
        "Yes",
        "--audience",
        "public",
        "--file",
        "answers/big.toml",
    ]);
    cmd
}

#[test]
fn killing_kb_add_at_any_moment_leaves_the_old_or_the_new_library() {
    let before = big_answers(400);
    let (_dir, kb) = temp_kb(&[("answers/big.toml", &before)]);
    let file = kb.join("answers/big.toml");

    // One complete run: what the file becomes, and how long the command takes.
    let start = Instant::now();
    let out = run(&mut kb_add(&kb));
    let full = start.elapsed();
    assert!(out.status.success(), "{}", stderr(&out));
    let after = std::fs::read_to_string(&file).unwrap();
    assert_ne!(after, before);

    let steps = 16;
    let (mut old, mut new) = (0, 0);
    for k in 0..steps {
        std::fs::write(&file, &before).unwrap();
        let mut child = kb_add(&kb)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(full.mul_f64(f64::from(k) / f64::from(steps)));
        let _ = child.kill(); // SIGKILL: no destructor, no cleanup runs
        let _ = child.wait();
        let now = std::fs::read_to_string(&file).unwrap();
        if now == before {
            old += 1;
        } else {
            assert_eq!(
                now, after,
                "killed after {k}/{steps} of a run: a half-written file"
            );
            new += 1;
        }
        trustfill::kb::KnowledgeBase::load(&kb).expect("the library still loads");
    }
    assert!(
        old > 0,
        "some kills land before the rename ({old} old, {new} new)"
    );

    // Nothing stays locked or broken: the next edit and the next question just work.
    std::fs::write(&file, &before).unwrap();
    let out = run(&mut kb_add(&kb));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), after);
    let out = run(trustfill(&kb).args(["ask", "Do you support SCIM provisioning?"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Yes"), "{}", stdout(&out));
}
