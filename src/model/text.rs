//! Text rules shared by every store: case-insensitive keys, slugs and emails.
//!
//! `unique_key` is the one definition of "the same email" and "the same slug"
//! (SPEC §2, §6); `fold` is the one definition of case-insensitive matching for
//! `startsWith`, `contains` and search, so memory and SQL stores agree. Which
//! characters an email or a slug may hold at all is `characters`' rule.

use super::characters::{identifier_problem, mixed_script_problem};
use unicode_normalization::UnicodeNormalization;

/// Lower-cases char by char, with no context rules, so that a fold of a prefix is a
/// prefix of the fold: what `startsWith` and the nickname index rely on.
pub fn fold(text: &str) -> String {
    // Most text is ASCII, where lower-casing is per byte (a tenth of the cost).
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    text.chars().flat_map(char::to_lowercase).collect()
}

/// The key two emails or slugs share when they are "the same": NFKC, then full
/// Unicode case folding (so `STRAẞE` and `strasse` collide), then NFKC again since
/// folding can un-normalize.
pub fn unique_key(text: &str) -> String {
    // ASCII is already NFKC, and its full case folding is lower-casing.
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    let normalized: String = text.nfkc().collect();
    caseless::default_case_fold_str(&normalized)
        .nfkc()
        .collect()
}

/// Most characters a generated slug keeps.
pub const GENERATED_SLUG_MAX: usize = 100;

/// The base slug generated from a nickname or an email's local part (SPEC §6).
pub fn slugify(source: &str) -> String {
    let normalized: String = if source.is_ascii() {
        source.to_string()
    } else {
        source.nfkc().collect()
    };
    let mut slug = String::new();
    let mut pending_dash = false;
    for c in normalized.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.push(c);
        } else {
            pending_dash = true;
        }
    }
    let slug: String = slug.chars().take(GENERATED_SLUG_MAX).collect();
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() {
        "member".to_string()
    } else {
        slug
    }
}

/// The slug a new member gets from its nickname, else from its email's local part
/// (SPEC §6): the first of them that is in one script, so a look-alike nickname
/// does not make a look-alike profile address; `member` when neither is.
pub fn generated_slug(nickname: Option<&str>, email: &str) -> String {
    nickname
        .filter(|n| !n.trim().is_empty())
        .map(slugify)
        .into_iter()
        .chain([slugify(email_local_part(email))])
        .find(|slug| mixed_script_problem(slug).is_none())
        .unwrap_or_else(|| "member".to_string())
}

/// Why an explicitly set slug is refused, or `None` when it is valid (SPEC §6;
/// characters per `characters`).
pub fn slug_problem(slug: &str) -> Option<String> {
    let count = slug.chars().count();
    if count == 0 {
        return Some("must not be empty".into());
    }
    if count > 255 {
        return Some("must be at most 255 characters".into());
    }
    if let Some(problem) = identifier_problem(slug) {
        return Some(problem);
    }
    if !slug
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Some("may hold only letters, digits, '-', '_' and '.'".into());
    }
    if slug.starts_with(['-', '.']) || slug.ends_with(['-', '.']) {
        return Some("must not start or end with '-' or '.'".into());
    }
    mixed_script_problem(slug).map(|scripts| {
        format!("mixes scripts ({scripts}), as look-alikes of other slugs do; use one script")
    })
}

/// Why `email` is not a valid address, or `None` when it is: `local@domain.tld`
/// without spaces, invisible characters or mixed scripts (SPEC §2).
pub fn email_problem(email: &str) -> Option<String> {
    if let Some(problem) = identifier_problem(email) {
        return Some(problem);
    }
    if !has_email_syntax(email) {
        return Some("is not a valid email address".into());
    }
    let (local, domain) = email.rsplit_once('@')?;
    if let Some(scripts) = mixed_script_problem(local) {
        return Some(format!(
            "mixes scripts ({scripts}) before the @, as look-alike addresses do; use one script"
        ));
    }
    domain.split('.').find_map(|label| {
        mixed_script_problem(label).map(|scripts| {
            format!(
                "mixes scripts ({scripts}) in the domain label {label:?}, as look-alike domains do"
            )
        })
    })
}

/// True for a valid address (see [`email_problem`]).
pub fn is_valid_email(email: &str) -> bool {
    email_problem(email).is_none()
}

/// True for an address of the form `local@domain.tld` without spaces.
fn has_email_syntax(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"@<>()[]\\,;:\"".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    local_ok && domain_ok
}

/// The part of an email before the `@`.
pub fn email_local_part(email: &str) -> &str {
    email.rsplit_once('@').map_or(email, |(local, _)| local)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ascii_shortcuts_agree_with_the_unicode_rules() {
        for byte in 0u8..128 {
            let text = format!("a{}Z", byte as char);
            let slow_key: String =
                caseless::default_case_fold_str(&text.nfkc().collect::<String>())
                    .nfkc()
                    .collect();
            assert_eq!(unique_key(&text), slow_key, "unique_key of byte {byte}");
            let slow_fold: String = text.chars().flat_map(char::to_lowercase).collect();
            assert_eq!(fold(&text), slow_fold, "fold of byte {byte}");
        }
    }

    #[test]
    fn slugs_are_normalized_lowercased_and_dashed() {
        assert_eq!(slugify("Ann  Smith!"), "ann-smith");
        assert_eq!(slugify("--Zoë__Ünal--"), "zoë-ünal");
        assert_eq!(slugify("ｆｕｌｌ ｗｉｄｔｈ"), "full-width");
        assert_eq!(slugify("!!!"), "member");
        assert_eq!(slugify(&"a".repeat(300)).len(), 100);
    }

    #[test]
    fn a_slug_cut_at_100_chars_does_not_end_with_a_dash() {
        let source = format!("{}-b", "a".repeat(99));
        assert_eq!(slugify(&source), "a".repeat(99));
    }

    #[test]
    fn emails_differing_in_case_or_width_share_a_key() {
        assert_eq!(unique_key("Ann@Example.COM"), unique_key("ann@example.com"));
        assert_eq!(
            unique_key("ａｎｎ@example.com"),
            unique_key("ann@example.com")
        );
    }

    #[test]
    fn explicit_slugs_follow_the_character_rules() {
        assert_eq!(slug_problem("ann.smith_2-x"), None);
        assert!(slug_problem("").is_some());
        assert!(slug_problem("-ann").is_some());
        assert!(slug_problem("ann.").is_some());
        assert!(slug_problem("ann smith").is_some());
        assert!(slug_problem(&"a".repeat(256)).is_some());
    }

    #[test]
    fn email_validation_accepts_real_addresses_only() {
        assert!(is_valid_email("ann.smith+tag@example.co.uk"));
        assert!(!is_valid_email("ann@"));
        assert!(!is_valid_email("ann@example"));
        assert!(!is_valid_email("ann smith@example.com"));
        assert!(!is_valid_email("annexample.com"));
    }

    #[test]
    fn an_email_with_a_zero_width_or_format_character_is_refused_by_code_point() {
        for (email, code_point) in [
            ("a\u{200b}b@x.com", "U+200B"),
            ("a\u{200c}b@x.com", "U+200C"),
            ("a\u{200d}b@x.com", "U+200D"),
            ("a\u{2060}b@x.com", "U+2060"),
            ("\u{feff}ab@x.com", "U+FEFF"),
            ("ab@x\u{202e}moc.com", "U+202E"),
            ("ab\u{2066}@x.com", "U+2066"),
            ("ab@x.com\u{ad}", "U+00AD"),
        ] {
            let problem = email_problem(email).unwrap_or_default();
            assert!(problem.contains(code_point), "{email:?}: {problem}");
        }
        assert_eq!(email_problem("ab@x.com"), None);
    }

    #[test]
    fn look_alike_emails_are_refused_and_real_unicode_ones_kept() {
        // A fullwidth address is the same as the plain one (unique_key), not invalid.
        assert_eq!(email_problem("ａｎｎ@example.com"), None);
        assert!(email_problem("p\u{430}ypal@example.com")
            .unwrap()
            .contains("Latin and Cyrillic"));
        assert!(email_problem("ann@p\u{430}ypal.com")
            .unwrap()
            .contains("domain label"));
        for real in [
            "иван@пример.рф",
            "zoë@example.com",
            "山田@例え.jp",
            "иван@example.com",
        ] {
            assert_eq!(email_problem(real), None, "{real}");
        }
    }

    #[test]
    fn slugs_refuse_invisible_and_mixed_script_text() {
        assert!(slug_problem("a\u{200b}b").unwrap().contains("U+200B"));
        assert!(slug_problem("ann\u{202e}").unwrap().contains("U+202E"));
        assert_eq!(slug_problem("ﬁne-ｓｌｕｇ"), None);
        assert!(slug_problem("p\u{430}ypal")
            .unwrap()
            .contains("mixes scripts"));
        assert_eq!(slug_problem("иван-петров"), None);
        assert_eq!(slug_problem("zoë.ünal"), None);
    }

    #[test]
    fn a_generated_slug_is_never_a_mixed_script_look_alike() {
        assert_eq!(
            generated_slug(Some("P\u{430}ypal"), "ann@example.com"),
            "ann"
        );
        assert_eq!(
            generated_slug(Some("P\u{430}ypal"), "p\u{430}ypal@example.com"),
            "member"
        );
        assert_eq!(
            generated_slug(Some("Иван Петров"), "x@example.com"),
            "иван-петров"
        );
        assert_eq!(generated_slug(None, "ann.lee@example.com"), "ann-lee");
        assert_eq!(generated_slug(Some("  "), "ann@example.com"), "ann");
    }
}
