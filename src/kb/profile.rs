//! The company profile: the `[profile]` table of `trustfill.toml`. Every questionnaire opens
//! with the same form fields (vendor name, product, contact name, email and phone, website,
//! hosting regions); the profile answers them once, and `fill` drafts them as exact answers
//! from `trustfill.toml`. `publish` reads the company and the product's description from it
//! when the top-level keys are not set.

use serde::Deserialize;
use toml::Spanned;

/// One field of the profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    Company,
    Product,
    ProductDescription,
    Website,
    PrivacyNotice,
    ContactName,
    ContactTitle,
    ContactEmail,
    ContactPhone,
    HostingRegions,
    WorkLocations,
    Headquarters,
}

impl Field {
    /// Every field, in the order `trustfill.toml` documents them.
    pub const ALL: [Field; 12] = [
        Field::Company,
        Field::Product,
        Field::ProductDescription,
        Field::Website,
        Field::PrivacyNotice,
        Field::ContactName,
        Field::ContactTitle,
        Field::ContactEmail,
        Field::ContactPhone,
        Field::HostingRegions,
        Field::WorkLocations,
        Field::Headquarters,
    ];

    /// Its key in `[profile]`.
    pub fn key(self) -> &'static str {
        match self {
            Field::Company => "company",
            Field::Product => "product",
            Field::ProductDescription => "product_description",
            Field::Website => "website",
            Field::PrivacyNotice => "privacy_notice",
            Field::ContactName => "contact_name",
            Field::ContactTitle => "contact_title",
            Field::ContactEmail => "contact_email",
            Field::ContactPhone => "contact_phone",
            Field::HostingRegions => "hosting_regions",
            Field::WorkLocations => "work_locations",
            Field::Headquarters => "headquarters",
        }
    }

    /// The field a questionnaire's form label asks for: "Vendor Name", "Solution Provider
    /// Contact Email:", "Country of Company Headquarters". Only labels, never questions: "Do
    /// you publish a privacy notice?" is not the privacy notice field.
    pub fn for_label(label: &str) -> Option<Field> {
        let raw = label.trim();
        if raw.ends_with('?') || raw.chars().count() > 60 {
            return None;
        }
        let l = crate::text::normalize_label(raw);
        let words: Vec<&str> = l.split_whitespace().collect();
        if words.is_empty() || words.len() > 7 {
            return None;
        }
        let has = |w: &str| words.contains(&w);
        let ends = |tail: &[&str]| words.ends_with(tail);
        let contact = has("contact") || has("representative") || has("respondent");
        // The contact fields are the security contact's: a label naming another role
        // ("Accessibility Contact Name", "Billing contact email") is not the profile's.
        const CONTACT_WORDS: [&str; 22] = [
            "solution",
            "provider",
            "vendor",
            "company",
            "supplier",
            "primary",
            "main",
            "security",
            "contact",
            "representative",
            "respondent",
            "name",
            "title",
            "email",
            "e",
            "mail",
            "address",
            "phone",
            "number",
            "telephone",
            "point",
            "of",
        ];
        let other_role = words.iter().any(|w| !CONTACT_WORDS.contains(w));
        if (has("email") || has("phone") || has("telephone") || contact) && other_role {
            return None;
        }
        Some(if has("email") || has("e") && has("mail") {
            Field::ContactEmail
        } else if has("phone") || has("telephone") {
            Field::ContactPhone
        } else if contact && ends(&["name"]) || ends(&["point", "of", "contact"]) {
            Field::ContactName
        } else if contact && ends(&["title"]) || ends(&["job", "title"]) {
            Field::ContactTitle
        } else if has("headquarters") || has("hq") {
            Field::Headquarters
        } else if has("privacy") && (has("notice") || has("policy") || has("statement")) {
            Field::PrivacyNotice
        } else if has("website") || ends(&["web", "site"]) || ends(&["company", "url"]) {
            Field::Website
        } else if (has("hosting") || has("hosted") || ends(&["data", "center", "locations"]))
            && (has("region") || has("regions") || has("location") || has("locations"))
        {
            Field::HostingRegions
        } else if (has("work") || has("staff") || has("employee") || has("employees"))
            && (has("locations") || has("countries"))
        {
            Field::WorkLocations
        } else if ends(&["description"])
            && (has("product") || has("solution") || has("service") || has("application"))
        {
            Field::ProductDescription
        } else if ends(&["name"])
            && (has("vendor")
                || has("company")
                || has("supplier")
                || has("provider")
                || has("organization")
                || has("organisation")
                || has("legal"))
        {
            Field::Company
        } else if ends(&["name"])
            && (has("product") || has("solution") || has("service") || has("application"))
        {
            Field::Product
        } else {
            return None;
        })
    }
}

/// Whether `value`, in the field labelled `label`, is a template's placeholder: one of
/// [`crate::text::is_placeholder`]'s, or a label naming the same profile field ("Vendor
/// Name" left in the "Solution Provider Name" field).
pub fn is_placeholder(value: &str, label: &str) -> bool {
    crate::text::is_placeholder(value, label)
        || matches!(
            (Field::for_label(value), Field::for_label(label)),
            (Some(a), Some(b)) if a == b
        )
}

/// The `[profile]` table as read: each field given, with its line in `trustfill.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    pub fields: Vec<(Field, String, usize)>,
}

impl Profile {
    /// The value of `field`, if the profile gives one.
    pub fn get(&self, field: Field) -> Option<&str> {
        self.fields
            .iter()
            .find(|(f, ..)| *f == field)
            .map(|(_, v, _)| v.as_str())
    }

    /// The field a form label asks for and the profile's answer to it, with its line.
    pub fn answer(&self, label: &str) -> Option<(Field, &str, usize)> {
        let field = Field::for_label(label)?;
        self.fields
            .iter()
            .find(|(f, ..)| *f == field)
            .map(|(f, v, line)| (*f, v.as_str(), *line))
    }
}

/// The raw `[profile]` table; unknown keys are refused like any other of the file.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProfile {
    company: Option<Spanned<String>>,
    product: Option<Spanned<String>>,
    product_description: Option<Spanned<String>>,
    website: Option<Spanned<String>>,
    privacy_notice: Option<Spanned<String>>,
    contact_name: Option<Spanned<String>>,
    contact_title: Option<Spanned<String>>,
    contact_email: Option<Spanned<String>>,
    contact_phone: Option<Spanned<String>>,
    hosting_regions: Option<Spanned<String>>,
    work_locations: Option<Spanned<String>>,
    headquarters: Option<Spanned<String>>,
}

impl RawProfile {
    /// The fields given and not blank, with the line each starts on in `text`.
    pub(crate) fn into_profile(self, text: &str) -> Profile {
        let given = [
            (Field::Company, self.company),
            (Field::Product, self.product),
            (Field::ProductDescription, self.product_description),
            (Field::Website, self.website),
            (Field::PrivacyNotice, self.privacy_notice),
            (Field::ContactName, self.contact_name),
            (Field::ContactTitle, self.contact_title),
            (Field::ContactEmail, self.contact_email),
            (Field::ContactPhone, self.contact_phone),
            (Field::HostingRegions, self.hosting_regions),
            (Field::WorkLocations, self.work_locations),
            (Field::Headquarters, self.headquarters),
        ];
        Profile {
            fields: given
                .into_iter()
                .filter_map(|(f, v)| {
                    let v = v?;
                    let line = crate::lines::line_of(text, v.span().start);
                    let value = v.into_inner().trim().to_string();
                    (!value.is_empty()).then_some((f, value, line))
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_left_in_its_field_is_a_placeholder() {
        assert!(is_placeholder("Vendor Name", "Solution Provider Name"));
        assert!(is_placeholder("mm/dd/yyyy", "Date"));
        assert!(!is_placeholder(
            "Larkspur Analytics",
            "Solution Provider Name"
        ));
        assert!(!is_placeholder(
            "Vendor Name",
            "Solution Provider Contact Email"
        ));
    }

    #[test]
    fn form_labels_name_their_profile_field() {
        for (label, field) in [
            ("Vendor Name", Field::Company),
            ("Solution Provider Name", Field::Company),
            ("Company legal name:", Field::Company),
            ("Solution Name", Field::Product),
            ("Product name", Field::Product),
            ("Solution Description", Field::ProductDescription),
            ("Solution Provider Contact Name", Field::ContactName),
            ("Primary point of contact", Field::ContactName),
            ("Solution Provider Contact Title", Field::ContactTitle),
            ("Solution Provider Contact Email", Field::ContactEmail),
            ("E-mail address", Field::ContactEmail),
            (
                "Solution Provider Contact Phone Number",
                Field::ContactPhone,
            ),
            ("Country of Company Headquarters", Field::Headquarters),
            ("Company website", Field::Website),
            ("Link to privacy notice", Field::PrivacyNotice),
            ("Hosting regions", Field::HostingRegions),
            ("Data center locations", Field::HostingRegions),
            ("Employee work locations", Field::WorkLocations),
            ("Primary security contact e-mail", Field::ContactEmail),
        ] {
            assert_eq!(Field::for_label(label), Some(field), "{label}");
        }
        for label in [
            "Do you publish a privacy notice?",
            "Is customer data encrypted at rest?",
            "Name",
            "Description",
            "Describe how customer data is hosted and where it is stored, in detail please",
            "Solution Provider Accessibility Contact Name",
            "Billing contact email",
        ] {
            assert_eq!(Field::for_label(label), None, "{label}");
        }
    }
}
