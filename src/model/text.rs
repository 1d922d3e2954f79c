//! Text rules shared by every store: case-insensitive keys, slugs and emails.
//!
//! `unique_key` is the one definition of "the same email" and "the same slug"
//! (SPEC §2, §6); `fold` is the one definition of case-insensitive matching for
//! `startsWith`, `contains` and search, so memory and SQL stores agree.

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

/// Why an explicitly set slug is refused, or `None` when it is valid (SPEC §6).
pub fn slug_problem(slug: &str) -> Option<&'static str> {
    let count = slug.chars().count();
    if count == 0 {
        return Some("must not be empty");
    }
    if count > 255 {
        return Some("must be at most 255 characters");
    }
    if !slug
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Some("may hold only letters, digits, '-', '_' and '.'");
    }
    if slug.starts_with(['-', '.']) || slug.ends_with(['-', '.']) {
        return Some("must not start or end with '-' or '.'");
    }
    None
}

/// True for an address of the form `local@domain.tld` without spaces.
pub fn is_valid_email(email: &str) -> bool {
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
}
