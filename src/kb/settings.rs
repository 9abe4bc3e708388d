//! `trustfill.toml` at the root of a knowledge base: the team's own defaults, so that nobody
//! repeats the same flags. A flag given on the command line always wins over the file, and the
//! file over trustfill's built-in defaults.
//!
//! ```toml
//! audience = "nda"                      # fill, ask: who receives the answers
//! min_confidence = 75                   # fill: leave questions blank below this
//! max_age = 180                         # fill, ask, kb check: days before an entry is stale
//! model = "none"                        # a model folder (relative to the knowledge base), or "none"
//! owner = "security@example.com"        # kb add, kb import, kb learn: owner of new entries
//! company = "Larkspur Analytics"        # publish: the trust center's name,
//! description = "B2B SaaS for …"        #   one line about the company,
//! contact = "security@example.com"      #   who to write to,
//! request_access = "https://…/nda"      #   where to ask for NDA material (a URL or an address)
//!
//! [topics]                              # publish: a topic tag's heading, where the tag as
//! pci = "PCI DSS"                       #   written is not what to show
//!
//! [profile]                             # fill: the form fields every questionnaire asks
//! company = "Larkspur Analytics"        #   (see `profile::Field` for every key)
//! contact_email = "security@example.com"
//! ```
//!
//! A file with an unknown key or a bad value is refused, with its line, like any other file
//! of the knowledge base; `kb check` reports it. `contact` and `request_access` become links on
//! a public page, so only `https:`, `http:` and `mailto:` links (or a bare address, which
//! becomes `mailto:`) are accepted ([`link_href`]). The file is read only if it is a regular
//! file (or a link to one): a FIFO would block every command ([`read_regular`]).

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::Audience;
use crate::error::{Error, KbProblem, Result};
use crate::lines::line_of;

/// The settings file's name, at the knowledge base's root.
pub const SETTINGS_FILE: &str = "trustfill.toml";

/// The `trustfill.toml` a new knowledge base starts with: every key commented out, so that it
/// changes nothing until the team fills it in, and says what each one is for.
pub const STARTER: &str = r#"# trustfill settings for this knowledge base. Flags on the command line win over this file.
# Uncomment and fill in what applies; `trustfill kb check` checks the file.

# Who you are, for `trustfill publish` (the trust center page):
# company = "Example Inc."
# description = "One line about what the company does."
# contact = "security@example.com"             # an address, or an https:// link
# request_access = "https://example.com/nda"   # where customers ask for NDA material
# [topics]                                     # a topic tag's heading on the page
# pci = "PCI DSS"

# The company profile: `fill` answers every questionnaire's form fields (vendor name,
# contact, website, …) from it, as exact answers from this file.
# [profile]
# company = "Example Inc."
# product = "Example Cloud"
# product_description = "One line about the product."
# website = "https://example.com"
# privacy_notice = "https://example.com/privacy"
# contact_name = "Alex Doe"
# contact_title = "Head of Security"
# contact_email = "security@example.com"
# contact_phone = "+1 555 0100"
# hosting_regions = "AWS us-east-1 and eu-west-1"
# work_locations = "United States, Ireland"
# headquarters = "United States"

# Defaults for every command:
# owner = "security@example.com"   # owner of new entries (kb add, kb import, kb learn)
# audience = "public"              # fill, ask: who receives the answers (public, nda, internal)
# min_confidence = 70              # fill: leave questions blank below this confidence
# max_age = 365                    # days after its review date an entry is stale
"#;

/// Write [`STARTER`] as the new knowledge base's `trustfill.toml`, unless one exists. Returns
/// its path when written.
pub fn write_starter(root: &Path) -> Result<Option<PathBuf>> {
    let path = root.join(SETTINGS_FILE);
    if path.exists() {
        return Ok(None);
    }
    crate::atomic::write(&path, STARTER.as_bytes())?;
    Ok(Some(path))
}

/// What a knowledge base's `trustfill.toml` sets; `None` where it says nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    pub audience: Option<Audience>,
    pub min_confidence: Option<u8>,
    pub max_age: Option<u32>,
    /// A model folder (resolved against the knowledge base), or `none` for words only.
    pub model: Option<PathBuf>,
    pub owner: Option<String>,
    /// For `publish`: the trust center's company name, description, contact and where to
    /// request NDA material.
    pub company: Option<String>,
    pub description: Option<String>,
    pub contact: Option<String>,
    pub request_access: Option<String>,
    /// For `publish`: how a topic tag is shown as a heading (`pci = "PCI DSS"`), where the
    /// tag as written is not what the team wants to read.
    pub topics: std::collections::BTreeMap<String, String>,
    /// The company profile (`[profile]`): what every questionnaire's form fields ask.
    pub profile: super::profile::Profile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    audience: Option<Audience>,
    min_confidence: Option<Spanned<i64>>,
    max_age: Option<Spanned<i64>>,
    model: Option<String>,
    owner: Option<Spanned<String>>,
    company: Option<String>,
    description: Option<String>,
    contact: Option<Spanned<String>>,
    request_access: Option<Spanned<String>>,
    #[serde(default)]
    topics: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    profile: super::profile::RawProfile,
}

/// Why a settings file was not read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// It exists but is not a regular file: what it is (`a FIFO (named pipe)`, `a folder`).
    NotRegular(&'static str),
    Io(std::io::Error),
}

impl ReadError {
    /// The problem as a sentence about the file, for a message that names it.
    pub(crate) fn describe(&self) -> String {
        match self {
            ReadError::NotRegular(what) => {
                format!("is {what}, not a regular file; settings are read only from regular files")
            }
            ReadError::Io(e) => format!("cannot be read: {e}"),
        }
    }
}

/// The text of a settings file, `None` when there is none. Only a regular file (or a link to
/// one) is opened: reading a FIFO blocks until someone writes to it, and a device may never
/// end, so either would hang every command that reads settings.
pub(crate) fn read_regular(path: &Path) -> std::result::Result<Option<String>, ReadError> {
    use std::io::Read;
    let kind = |meta: &std::fs::Metadata| -> Option<&'static str> {
        let t = meta.file_type();
        if t.is_file() {
            return None;
        }
        if t.is_dir() {
            return Some("a folder");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if t.is_fifo() {
                return Some("a FIFO (named pipe)");
            }
            if t.is_socket() {
                return Some("a socket");
            }
            if t.is_char_device() || t.is_block_device() {
                return Some("a device");
            }
        }
        Some("not a regular file")
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(ReadError::Io(e)),
    };
    if let Some(what) = kind(&meta) {
        return Err(ReadError::NotRegular(what));
    }
    let mut file = std::fs::File::open(path).map_err(ReadError::Io)?;
    // Checked again on what was opened, in case the path was replaced in between.
    if let Some(what) = kind(&file.metadata().map_err(ReadError::Io)?) {
        return Err(ReadError::NotRegular(what));
    }
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(ReadError::Io)?;
    Ok(Some(text))
}

/// The `href` of a `contact` or `request_access` value: an `https:`, `http:` or `mailto:` link
/// as it is, a bare address as `mailto:`. Anything else is refused: the trust center is a
/// public page, and a `javascript:` or `data:` link on it would run in its readers' browsers.
pub fn link_href(value: &str) -> std::result::Result<String, String> {
    const ALLOWED: &str =
        "use an https:// address, an http:// address, a mailto: link or an email address";
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "{value:?} contains spaces or control characters; {ALLOWED}"
        ));
    }
    let scheme = value.split_once(':').filter(|(s, _)| {
        s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    match scheme {
        Some((s, rest)) => match s.to_ascii_lowercase().as_str() {
            "https" | "http" if rest.len() > 2 && rest.starts_with("//") => Ok(value.to_string()),
            "mailto" if !rest.is_empty() => Ok(value.to_string()),
            "https" | "http" | "mailto" => {
                Err(format!("{value:?} is not a complete link; {ALLOWED}"))
            }
            other => Err(format!(
                "{value:?} is a {other}: link, which the trust center does not publish; {ALLOWED}"
            )),
        },
        None => {
            let address = value.split_once('@').filter(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
                    && !value.contains(['/', ':', '<', '>', '"', '\\'])
            });
            match address {
                Some(_) => Ok(format!("mailto:{value}")),
                None => Err(format!(
                    "{value:?} is neither a web address nor an email address; {ALLOWED}"
                )),
            }
        }
    }
}

impl Settings {
    /// The settings of the knowledge base at `root`: empty when it has no `trustfill.toml`.
    pub fn load(root: &Path) -> Result<Settings> {
        let path = root.join(SETTINGS_FILE);
        let text = match read_regular(&path) {
            Ok(Some(text)) => text,
            Ok(None) => return Ok(Settings::default()),
            Err(ReadError::Io(e)) => return Err(Error::io("cannot read", &path, e)),
            Err(e @ ReadError::NotRegular(_)) => {
                return Err(Error::KbInvalid(vec![KbProblem {
                    path,
                    line: None,
                    message: format!("{}; replace it with a file", e.describe()),
                }]));
            }
        };
        Settings::parse(&text, root).map_err(Error::KbInvalid)
    }

    fn parse(text: &str, root: &Path) -> std::result::Result<Settings, Vec<KbProblem>> {
        let path = root.join(SETTINGS_FILE);
        let problem = |offset: Option<usize>, message: String| KbProblem {
            path: path.clone(),
            line: offset.map(|o| line_of(text, o)),
            message,
        };
        let raw: Raw = toml::from_str(text).map_err(|e| {
            vec![problem(
                e.span().map(|s| s.start),
                format!(
                    "{} (known settings: audience, min_confidence, max_age, model, owner, company, description, contact, request_access, [topics], [profile] with company, product, product_description, website, privacy_notice, contact_name, contact_title, contact_email, contact_phone, hosting_regions, work_locations, headquarters)",
                    e.message().trim()
                ),
            )]
        })?;
        let mut problems = Vec::new();
        let mut number =
            |value: Option<Spanned<i64>>, name: &str, range: std::ops::RangeInclusive<i64>| {
                let value = value?;
                if range.contains(value.get_ref()) {
                    Some(*value.get_ref())
                } else {
                    problems.push(problem(
                        Some(value.span().start),
                        format!(
                            "{name} = {} is out of range; use {} to {}",
                            value.get_ref(),
                            range.start(),
                            range.end()
                        ),
                    ));
                    None
                }
            };
        let min_confidence = number(raw.min_confidence, "min_confidence", 0..=100).map(|n| n as u8);
        let max_age = number(raw.max_age, "max_age", 1..=36_500).map(|n| n as u32);
        let owner = match raw.owner {
            Some(o) if o.get_ref().trim().is_empty() => {
                problems.push(problem(
                    Some(o.span().start),
                    "owner must not be empty".into(),
                ));
                None
            }
            Some(o) => Some(o.into_inner().trim().to_string()),
            None => None,
        };
        let mut link = |value: Option<Spanned<String>>, name: &str| {
            let value = value?;
            let text = value.get_ref().trim();
            if text.is_empty() {
                return None;
            }
            match link_href(text) {
                Ok(_) => Some(text.to_string()),
                Err(why) => {
                    problems.push(problem(Some(value.span().start), format!("{name} = {why}")));
                    None
                }
            }
        };
        let contact = link(raw.contact, "contact");
        let request_access = link(raw.request_access, "request_access");
        let model = raw.model.map(|m| {
            if m.eq_ignore_ascii_case("none") {
                PathBuf::from("none")
            } else {
                root.join(m)
            }
        });
        if !problems.is_empty() {
            return Err(problems);
        }
        let profile = raw.profile.into_profile(text);
        let text = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        Ok(Settings {
            profile,
            audience: raw.audience,
            min_confidence,
            max_age,
            model,
            owner,
            company: text(raw.company),
            description: text(raw.description),
            contact,
            request_access,
            topics: raw
                .topics
                .into_iter()
                .map(|(tag, name)| (tag.trim().to_lowercase(), name.trim().to_string()))
                .filter(|(tag, name)| !tag.is_empty() && !name.is_empty())
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> std::result::Result<Settings, Vec<String>> {
        Settings::parse(text, Path::new("kb"))
            .map_err(|ps| ps.iter().map(|p| p.to_string()).collect())
    }

    #[test]
    fn every_setting_is_read_and_the_model_is_relative_to_the_knowledge_base() {
        let s = parse("audience = \"nda\"\nmin_confidence = 75\nmax_age = 180\nmodel = \"models/minilm\"\nowner = \" grc@example.com \"\n").unwrap();
        assert_eq!(
            s,
            Settings {
                audience: Some(Audience::Nda),
                min_confidence: Some(75),
                max_age: Some(180),
                model: Some(PathBuf::from("kb/models/minilm")),
                owner: Some("grc@example.com".into()),
                ..Settings::default()
            }
        );
        assert_eq!(parse("").unwrap(), Settings::default());
        assert_eq!(
            parse("model = \"None\"").unwrap().model,
            Some(PathBuf::from("none"))
        );
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused_with_their_line() {
        let errs = parse("audience = \"nda\"\nmin_confidance = 75\n").unwrap_err();
        assert!(
            errs[0].starts_with("kb/trustfill.toml:2: unknown field `min_confidance`"),
            "{errs:?}"
        );
        let errs = parse("min_confidence = 170\nmax_age = 0\n").unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(
            errs[0].contains(":1: min_confidence = 170 is out of range; use 0 to 100"),
            "{errs:?}"
        );
        assert!(
            errs[1].contains(":2: max_age = 0 is out of range"),
            "{errs:?}"
        );
        let errs = parse("audience = \"everyone\"\n").unwrap_err();
        assert!(errs[0].contains("unknown variant `everyone`"), "{errs:?}");
        let errs = parse("[profile]\ncompany = \"Acme\"\nceo = \"Pat\"\n").unwrap_err();
        assert!(
            errs[0].starts_with("kb/trustfill.toml:3: unknown field `ceo`"),
            "{errs:?}"
        );
        let s = parse("[profile]\ncompany = \" Acme \"\nwebsite = \"\"\n").unwrap();
        assert_eq!(
            s.profile.fields,
            [(crate::kb::profile::Field::Company, "Acme".to_string(), 2)],
            "trimmed, blank left out, with its line"
        );
    }

    #[test]
    fn contact_and_request_access_take_only_web_and_mail_links() {
        let s = parse("contact = \" security@example.com \"\nrequest_access = \"https://trust.example.com/nda\"\n").unwrap();
        assert_eq!(s.contact.as_deref(), Some("security@example.com"));
        assert_eq!(
            s.request_access.as_deref(),
            Some("https://trust.example.com/nda")
        );
        for ok in [
            "http://example.com/x",
            "HTTPS://example.com",
            "mailto:grc@example.com",
        ] {
            assert_eq!(link_href(ok).as_deref(), Ok(ok));
        }
        assert_eq!(
            link_href("grc@example.com").as_deref(),
            Ok("mailto:grc@example.com")
        );
        // The reported link: `://` made it a URL, and the page ran it when clicked.
        let errs =
            parse("company = \"Larkspur\"\ncontact = \"javascript://%0aalert(document.domain)\"\n")
                .unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0].starts_with("kb/trustfill.toml:2: contact = \"javascript://%0aalert(document.domain)\" is a javascript: link"),
            "{errs:?}"
        );
        assert!(errs[0].contains("use an https:// address"), "{errs:?}");
        for bad in [
            "javascript:alert(1)",
            "JavaScript://x",
            "data:text/html,<script>alert(1)</script>",
            "file:///etc/passwd",
            "vbscript:msgbox",
            "java\tscript:alert(1)",
            "https:",
            "not a link",
            "example.com/contact",
            "a@b@example.com",
        ] {
            assert!(link_href(bad).is_err(), "{bad:?} was accepted");
        }
        let errs = parse("request_access = \"data:text/html,hi\"\n").unwrap_err();
        assert!(errs[0].contains(":1: request_access = "), "{errs:?}");
    }

    #[cfg(unix)]
    #[test]
    fn settings_are_read_only_from_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(SETTINGS_FILE);
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .unwrap();
        assert!(made.success());
        // Today's code blocked here until someone wrote to the pipe; the test would hang, so
        // it runs on a thread and fails after a few seconds instead.
        let root = dir.path().to_path_buf();
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = send.send(Settings::load(&root).map_err(|e| e.to_string()));
        });
        let result = receive
            .recv_timeout(std::time::Duration::from_secs(5))
            .expect("Settings::load returns on a FIFO instead of blocking");
        let err = result.unwrap_err();
        assert!(
            err.contains("trustfill.toml: is a FIFO (named pipe), not a regular file"),
            "{err}"
        );
        std::fs::remove_file(&path).unwrap();
        std::fs::create_dir(&path).unwrap();
        let err = Settings::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("is a folder, not a regular file"), "{err}");
    }
}
