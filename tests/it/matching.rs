//! Matching quality on the shipped knowledge base, through the library API. The paraphrases were
//! written by hand in wording that differs from each entry's question and variants; they are a
//! smoke test of the matcher, not the accuracy evaluation (see `trustfill eval` in a later issue).

use trustfill::index::KbIndex;
use trustfill::kb::Audience;
use trustfill::matcher::{MatchOptions, Matcher};

use crate::common::shipped_kb_copy;

const PARAPHRASES: [(&str, &str); 20] = [
    (
        "Is stored customer information protected with encryption?",
        "crypto-at-rest",
    ),
    (
        "Has an independent auditor issued you a SOC 2 Type 2 attestation?",
        "comp-soc2-type2-report",
    ),
    (
        "When someone leaves the company, how fast is their access revoked?",
        "iam-deprovisioning",
    ),
    (
        "Do staff have to use multi-factor authentication when they sign in?",
        "iam-workforce-mfa",
    ),
    (
        "How many hours until you tell customers about a security incident involving their data?",
        "ops-customer-breach-notification",
    ),
    (
        "What is the maximum time to restore the service after a disaster (recovery time objective)?",
        "bcdr-rto",
    ),
    (
        "Are penetration tests performed by an outside firm every year?",
        "ops-penetration-test-annual",
    ),
    (
        "Do you check candidates' backgrounds before they are hired?",
        "hr-background-checks",
    ),
    (
        "Is there a published list of the subprocessors that handle our data?",
        "co-subprocessor-list",
    ),
    (
        "In which regions can our data be hosted?",
        "co-data-residency-options",
    ),
    (
        "What coverage limit does your cyber liability insurance have?",
        "co-cyber-insurance",
    ),
    (
        "Does your company hold an ISO 27001 certification?",
        "comp-iso27001-certified",
    ),
    (
        "Can our users log in to your platform through SAML single sign-on?",
        "iam-customer-sso",
    ),
    (
        "How regularly do you test restores from backup?",
        "bcdr-restore-testing",
    ),
    (
        "Must a second person approve journal entries before they post?",
        "fin-maker-checker",
    ),
    (
        "Will you enter into a HIPAA business associate agreement with us?",
        "comp-hipaa-baa",
    ),
    (
        "Does another engineer review each code change before it is merged?",
        "sdlc-code-review",
    ),
    (
        "Which TLS protocol versions does the service accept?",
        "crypto-tls-versions",
    ),
    (
        "Do laptops and servers run endpoint detection and response software?",
        "ops-edr-anti-malware",
    ),
    (
        "For how long are security audit logs kept?",
        "ops-log-retention-period",
    ),
];

#[test]
fn hand_written_paraphrases_find_their_entry_first() {
    let (_dir, kb) = shipped_kb_copy();
    let (index, _) = KbIndex::open(&kb).unwrap();
    let mut matcher = Matcher::new(&index);
    let opts = MatchOptions {
        audience: Audience::Internal,
        top: 3,
        review_age: None,
    };
    let mut misses = Vec::new();
    for (question, expected) in PARAPHRASES {
        let found = matcher.find(question, &opts).unwrap();
        let ids: Vec<String> = found
            .iter()
            .map(|c| format!("{} ({})", c.entry.id, c.confidence))
            .collect();
        if found.first().map(|c| c.entry.id.as_str()) != Some(expected) {
            misses.push(format!("{question:?}: expected {expected}, got {ids:?}"));
        }
    }
    assert!(
        misses.is_empty(),
        "{} of 20 missed:\n{}",
        misses.len(),
        misses.join("\n")
    );
}

#[test]
fn confidence_ranks_a_close_paraphrase_above_a_vague_one() {
    let (_dir, kb) = shipped_kb_copy();
    let (index, _) = KbIndex::open(&kb).unwrap();
    let mut matcher = Matcher::new(&index);
    let opts = MatchOptions::default();
    let close = matcher
        .find("Is customer data encrypted at rest?", &opts)
        .unwrap();
    let vague = matcher.find("Tell us about data", &opts).unwrap();
    let off = matcher
        .find("What is your favourite colour?", &opts)
        .unwrap();
    let top = |c: &[trustfill::matcher::Candidate]| c.first().map_or(0, |c| c.confidence.percent());
    assert!(top(&close) >= 80, "close: {}", top(&close));
    assert!(
        top(&vague) < top(&close),
        "vague {} vs close {}",
        top(&vague),
        top(&close)
    );
    assert!(top(&off) < 20, "off-topic: {}", top(&off));
}

/// The built-in security vocabulary reaches every knowledge base, even one without a
/// `thesaurus.toml`; the knowledge base's own file extends it, and `builtin = false` turns it off.
#[test]
fn the_builtin_vocabulary_applies_to_any_knowledge_base_and_a_kb_file_extends_it() {
    use crate::common::{entry, temp_kb};
    let answers = [
        entry(
            "mfa",
            "Is multi-factor authentication required for all staff?",
            "Yes",
            "public",
        ),
        entry(
            "idp",
            "Can customers sign in through their identity provider?",
            "Yes",
            "public",
        ),
        entry("pay", "Do you store payment details?", "No", "public"),
    ]
    .join("\n");
    let top = |kb: &std::path::Path, question: &str| -> Option<String> {
        let (index, _) = KbIndex::open(kb).unwrap();
        let found = Matcher::new(&index)
            .find(question, &MatchOptions::default())
            .unwrap();
        found.first().map(|c| c.entry.id.clone())
    };

    // No thesaurus.toml: "2FA" and "Entra ID" meet their entries only through the built-in groups.
    let (_d1, plain) = temp_kb(&[("answers/a.toml", &answers)]);
    assert_eq!(top(&plain, "Is 2FA enforced?").as_deref(), Some("mfa"));
    assert_eq!(top(&plain, "Entra ID supported?").as_deref(), Some("idp"));
    // A word no group knows finds nothing yet.
    assert_eq!(top(&plain, "Stripe?"), None);

    // The knowledge base's own group joins the vocabulary.
    let own = "[[synonyms]]\nterms = [\"payment details\", \"Stripe\"]\n";
    let (_d2, extended) = temp_kb(&[("answers/a.toml", &answers), ("thesaurus.toml", own)]);
    assert_eq!(top(&extended, "Stripe?").as_deref(), Some("pay"));
    assert_eq!(top(&extended, "Is 2FA enforced?").as_deref(), Some("mfa"));

    // Opting out leaves only the file's groups.
    let alone = format!("builtin = false\n{own}");
    let (_d3, opted_out) = temp_kb(&[("answers/a.toml", &answers), ("thesaurus.toml", &alone)]);
    assert_eq!(top(&opted_out, "Stripe?").as_deref(), Some("pay"));
    assert_eq!(top(&opted_out, "Is 2FA enforced?"), None);
}

#[test]
fn generic_questionnaire_words_do_not_outvote_the_topic() {
    use crate::common::{entry, temp_kb};
    let answers = [
        entry(
            "procedures",
            "Are appropriate procedures and documentation in place?",
            "Yes",
            "public",
        ),
        entry("backups", "Are backups encrypted?", "Yes", "public"),
        entry("mfa", "Is MFA required for staff?", "Yes", "public"),
        entry("logs", "Are audit logs retained?", "Yes", "public"),
    ]
    .join("\n");
    let (_d, kb) = temp_kb(&[("answers/a.toml", &answers)]);
    let (index, _) = KbIndex::open(&kb).unwrap();
    let found = Matcher::new(&index)
        .find(
            "Are appropriate procedures and documentation in place for encrypting backups?",
            &MatchOptions::default(),
        )
        .unwrap();
    // Four of the question's words are the first entry's, two the second's: the two carry the
    // topic.
    assert_eq!(found[0].entry.id, "backups", "{:?}", ids(&found));
}

#[test]
fn a_specific_the_knowledge_base_never_mentions_is_not_drafted() {
    let (_kbdir, kb) = shipped_kb_copy();
    let (index, _) = KbIndex::open(&kb).unwrap();
    let mut matcher = Matcher::new(&index);
    let opts = MatchOptions::default();
    let threshold = trustfill::matcher::DEFAULT_MIN_CONFIDENCE;
    for (asked, near_miss) in [
        (
            "Is customer data encrypted at rest?",
            "Is customer data encrypted at rest with post-quantum ciphers?",
        ),
        (
            "Do you have a SOC 2 Type II report?",
            "Do you have a SOC 2 Type II report covering the privacy criterion?",
        ),
    ] {
        let mut best = |q: &str| {
            let found = matcher.find(q, &opts).unwrap();
            found.first().map_or(0, |c| c.confidence.percent())
        };
        let (plain, specific) = (best(asked), best(near_miss));
        assert!(plain >= threshold, "{asked}: {plain}");
        assert!(specific < threshold, "{near_miss}: {specific}");
    }
}

fn ids(found: &[trustfill::matcher::Candidate]) -> Vec<(String, u8)> {
    found
        .iter()
        .map(|c| (c.entry.id.clone(), c.confidence.percent()))
        .collect()
}

/// What an entry does not cover keeps it from being drafted, and the reviewer is told what:
/// a qualifier the entry never mentions ("IoT devices"), a scope it does not speak of (the
/// workforce for an entry about customers), another value of one kind (a Type I report for an
/// entry about Type II), the respondent's suppliers for an entry about the respondent, a row
/// that is an open prompt, not a question. The entry stays among the candidates, below the
/// threshold, with the reason.
#[test]
fn an_entry_that_does_not_answer_the_question_as_asked_is_not_drafted_and_says_why() {
    use crate::common::*;
    let answers = [
        asset_inventory(),
        entry(
            "customer-mfa",
            "Do you support multi-factor authentication for customers?",
            "Yes",
            "public",
        ),
        entry(
            "security-program",
            "Do you have a documented information security program?",
            "Yes",
            "public",
        ),
        entry(
            "soc2-type2",
            "Do you have a SOC 2 Type II report?",
            "Yes",
            "public",
        ),
        entry(
            "cyber-insurance",
            "Do you carry cyber insurance?",
            "Yes",
            "public",
        ),
        // A "No" whose comment names what the company has instead: the entry is about SOC 3.
        "[[answer]]\nid = \"soc3\"\nquestion = \"Do you publish a SOC 3 report?\"\nanswer = \"No\"\ncomment = \"We do not produce a SOC 3 report; our SOC 2 Type II report serves that purpose, under NDA.\"\naudience = \"public\"\nowner = \"team@example.com\"\nreviewed = 2026-05-01\n\n".to_string(),
        entry(
            "pentest",
            "Is the platform penetration tested by a third party every year?",
            "Yes",
            "public",
        ),
    ]
    .concat();
    let (_dir, kb) = temp_kb(&[("answers/a.toml", &answers)]);
    let ask = |q: &str| -> serde_json::Value {
        let out = run(trustfill(&kb).args(["ask", "--json", q]));
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_str(&stdout(&out)).unwrap()
    };
    // Asked as the entry asks it: drafted.
    for (question, id) in [
        (
            "Do you maintain an inventory of hardware and software assets?",
            "asset-inventory",
        ),
        ("Do you have a SOC 2 Type 2 report?", "soc2-type2"),
        ("Does the vendor carry cyber insurance?", "cyber-insurance"),
        // A vocabulary phrase is one term: "pen tested" is covered by "penetration tested".
        (
            "Is the platform pen tested by a third party every year?",
            "pentest",
        ),
    ] {
        let plain = ask(question);
        assert_eq!(plain["matches"][0]["id"], id);
        assert!(plain["matches"][0]["confidence"].as_u64().unwrap() >= 70);
        assert!(plain["matches"][0]["not_covered"].is_null());
    }

    for (question, id, why) in [
        (
            "Do you maintain an inventory of IoT devices?",
            "asset-inventory",
            "does not mention \"IoT devices\"",
        ),
        (
            "Is multi-factor authentication enforced for all employees?",
            "customer-mfa",
            "speaks of customers only, but the question is about the workforce",
        ),
        (
            "Is there anything else you would like us to know about your information security program?",
            "security-program",
            "open prompt",
        ),
        (
            "Do you have a SOC 2 Type I report?",
            "soc2-type2",
            "speaks of Type II only, but the question is about Type I",
        ),
        (
            "Is a SOC 2 Type 2 report available?",
            "soc3",
            "speaks of SOC 3 only, but the question is about SOC 2",
        ),
        (
            "Do you require your critical vendors to carry cyber insurance?",
            "cyber-insurance",
            "the question is about its suppliers",
        ),
    ] {
        let doc = ask(question);
        let m = doc["matches"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .unwrap_or_else(|| panic!("{id} is a candidate for {question:?}: {doc}"));
        assert!(m["confidence"].as_u64().unwrap() < 70, "{question:?}: {m}");
        assert!(
            m["not_covered"].as_str().unwrap_or_default().contains(why),
            "{question:?}: {m}"
        );
    }

    // The review note says it too: fill a questionnaire of the IoT question.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("q.csv");
    std::fs::write(
        &input,
        "ID,Question,Answer\nA-1,Do you maintain an inventory of IoT devices?,\n",
    )
    .unwrap();
    let out = run(trustfill(&kb).arg("fill").arg(&input));
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let dump = cell_dump(&dir.path().join("q.review.xlsx"));
    let note = &dump[&("Review".to_string(), 1, 11)];
    assert_eq!(dump[&("Review".to_string(), 1, 7)], "Needs answer");
    assert!(note.contains("does not mention \"IoT devices\""), "{note}");
}

/// A library kept as one column of prose (many teams' export, brought in with `kb import`) has
/// no comment: what the entry says is in its answer, and the answer's words cover a question as
/// a comment's do. The same question against an entry that does not say it is held back.
#[test]
fn the_words_of_a_prose_answer_cover_the_question() {
    use crate::common::*;
    let prose = |id: &str, answer: &str| {
        format!(
            "[[answer]]\nid = \"{id}\"\nquestion = \"Do you maintain an inventory of hardware and software assets?\"\nanswer = \"{answer}\"\naudience = \"public\"\n\n"
        )
    };
    for (answer, drafted) in [
        (
            "Yes. Every laptop, server and IoT device is recorded in the asset inventory, with its owner.",
            true,
        ),
        (
            "Yes. Every laptop and server is recorded in the asset inventory, with its owner.",
            false,
        ),
    ] {
        let answers = [
            prose("asset-inventory", answer),
            entry(
                "cyber-insurance",
                "Do you carry cyber insurance?",
                "Yes",
                "public",
            ),
        ]
        .concat();
        let (_dir, kb) = temp_kb(&[("answers/a.toml", &answers)]);
        let out = run(trustfill(&kb).args([
            "ask",
            "--json",
            "Do you maintain an inventory of IoT devices?",
        ]));
        assert!(out.status.success(), "{}", stderr(&out));
        let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        let best = &doc["matches"][0];
        assert_eq!(best["id"], "asset-inventory", "{doc}");
        let confidence = best["confidence"].as_u64().unwrap();
        assert_eq!(confidence >= 70, drafted, "{answer:?}: {best}");
        assert_eq!(best["not_covered"].is_null(), drafted, "{answer:?}: {best}");
    }
}

/// In a library of statements (one answer column, no bare "Yes"), an entry that answers a yes or
/// no question still says only whether: a form field that asks which product is not drafted
/// from it, and says why; the question it answers is.
#[test]
fn a_statement_to_a_yes_no_question_does_not_fill_a_field_that_asks_which() {
    use crate::common::*;
    let answers = [
        "[[answer]]\nid = \"edr\"\nquestion = \"Do you run endpoint detection and response (EDR) software on your systems?\"\nanswer = \"An EDR product is deployed on every company laptop and on all production endpoints, with real-time malware prevention and remote isolation.\"\naudience = \"public\"\n\n".to_string(),
        entry("cyber-insurance", "Do you carry cyber insurance?", "Yes", "public"),
    ]
    .concat();
    let (_dir, kb) = temp_kb(&[("answers/a.toml", &answers)]);
    let best = |q: &str| -> serde_json::Value {
        let out = run(trustfill(&kb).args(["ask", "--json", q]));
        assert!(out.status.success(), "{}", stderr(&out));
        let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(doc["matches"][0]["id"], "edr", "{doc}");
        doc["matches"][0].clone()
    };
    let field = best("EDR product deployed on company laptops");
    assert!(field["confidence"].as_u64().unwrap() < 70, "{field}");
    assert!(
        field["incomplete"].as_str().unwrap().contains("form field"),
        "{field}"
    );
    let asked = best("Do you run EDR software on your endpoints?");
    assert!(asked["confidence"].as_u64().unwrap() >= 70, "{asked}");
}
