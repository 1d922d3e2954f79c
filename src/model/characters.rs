//! Which characters a member's text may hold (SPEC §2, **Decision**): the rules
//! against text that shows as something it is not.
//!
//! - **Identifiers** (login email, contact emails, slugs): no invisible character
//!   (a control, Cc; a format character, Cf, such as U+200B ZERO WIDTH SPACE, U+FEFF
//!   or a bidi override; any other default-ignorable code point, such as a
//!   variation selector), no white space, and each part in one script as UTS #39
//!   "highly restrictive" counts them (one script, or Latin with Japanese, Chinese
//!   or Korean), so `pаypal` with a Cyrillic `а` is refused. NFKC look-alikes
//!   (`ａｎｎ`, `ﬁne`) are allowed and stored as given: SPEC §5 and §6 make them
//!   *the same* email or slug as their plain forms (`text::unique_key`), so one
//!   beside the other is `ALREADY_EXISTS`.
//! - **Free text** (names, titles, company, address lines, custom field keys and
//!   names, image urls): no control character (Cc: NUL, newline, escape...) and no
//!   bidi embedding, override or isolate (U+202A–U+202E, U+2066–U+2069), which
//!   reorder how the text around them shows ("Trojan Source"). Zero-width joiners
//!   and marks stay allowed: emoji, Persian and Indic names need them.
//!
//! Owns the character classes and the reasons given; which field follows which
//! rule is decided in `text` and `input`.

use unicode_security::mixed_script::AugmentedScriptSet;

/// Format characters (Cf) that are not default-ignorable: they change how the text
/// around them shows (Arabic number signs, Egyptian hieroglyph controls...).
const VISIBLE_FORMAT: [(char, char); 10] = [
    ('\u{600}', '\u{605}'),
    ('\u{6dd}', '\u{6dd}'),
    ('\u{70f}', '\u{70f}'),
    ('\u{890}', '\u{891}'),
    ('\u{8e2}', '\u{8e2}'),
    ('\u{fff9}', '\u{fffb}'),
    ('\u{110bd}', '\u{110bd}'),
    ('\u{110cd}', '\u{110cd}'),
    ('\u{13430}', '\u{1343f}'),
    ('\u{1bca0}', '\u{1bca3}'),
];

/// Default_Ignorable_Code_Point (Unicode 15): shown as nothing at all.
const DEFAULT_IGNORABLE: [(char, char); 17] = [
    ('\u{ad}', '\u{ad}'),
    ('\u{34f}', '\u{34f}'),
    ('\u{61c}', '\u{61c}'),
    ('\u{115f}', '\u{1160}'),
    ('\u{17b4}', '\u{17b5}'),
    ('\u{180b}', '\u{180f}'),
    ('\u{200b}', '\u{200f}'),
    ('\u{202a}', '\u{202e}'),
    ('\u{2060}', '\u{206f}'),
    ('\u{3164}', '\u{3164}'),
    ('\u{fe00}', '\u{fe0f}'),
    ('\u{feff}', '\u{feff}'),
    ('\u{ffa0}', '\u{ffa0}'),
    ('\u{fff0}', '\u{fff8}'),
    ('\u{1bca0}', '\u{1bca3}'),
    ('\u{1d173}', '\u{1d17a}'),
    ('\u{e0000}', '\u{e0fff}'),
];

/// Private use and non-characters: no reader can tell what they show.
const NOT_TEXT: [(char, char); 4] = [
    ('\u{e000}', '\u{f8ff}'),
    ('\u{fdd0}', '\u{fdef}'),
    ('\u{fffe}', '\u{ffff}'),
    ('\u{f0000}', '\u{10ffff}'),
];

fn in_ranges(c: char, ranges: &[(char, char)]) -> bool {
    ranges.iter().any(|&(low, high)| (low..=high).contains(&c))
}

/// True for a character a reader can not see or that reorders the text around it:
/// controls (Cc), format characters (Cf), default-ignorable code points, private
/// use and non-characters.
pub fn is_invisible(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_control();
    }
    c.is_control()
        || in_ranges(c, &DEFAULT_IGNORABLE)
        || in_ranges(c, &VISIBLE_FORMAT)
        || in_ranges(c, &NOT_TEXT)
}

/// True for a bidi embedding, override or isolate (U+202A–U+202E, U+2066–U+2069).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `U+200B`: how a character is named in a reason.
fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// Why `text` can not be free text (a name, a title...), or `None` when it can.
pub fn free_text_problem(text: &str) -> Option<String> {
    if text.is_ascii() && !text.bytes().any(|b| b.is_ascii_control()) {
        return None;
    }
    text.chars().find_map(|c| {
        if c.is_control() {
            Some(format!(
                "contains the control character {}; send plain text on one line",
                code_point(c)
            ))
        } else if is_bidi_control(c) {
            Some(format!(
                "contains {}, a bidi control that changes how the text around it shows",
                code_point(c)
            ))
        } else {
            None
        }
    })
}

/// Why `text` can not be an identifier (an email, a slug), or `None` when it can:
/// an invisible character or white space. The script rule is
/// [`mixed_script_problem`], applied per part by the caller.
pub fn identifier_problem(text: &str) -> Option<String> {
    if let Some(c) = text.chars().find(|&c| is_invisible(c)) {
        return Some(format!(
            "contains {}, an invisible character; type it again without it",
            code_point(c)
        ));
    }
    if let Some(c) = text.chars().find(|c| c.is_whitespace()) {
        return Some(format!("contains white space ({})", code_point(c)));
    }
    None
}

/// Why `part` (a slug, an email's local part or one label of its domain) mixes
/// scripts, or `None` when it is "highly restrictive" (UTS #39 §5.2): all in one
/// script (digits and punctuation go with any), or Latin with only Japanese,
/// Chinese (Han with Bopomofo) or Korean.
pub fn mixed_script_problem(part: &str) -> Option<String> {
    if part.is_ascii() {
        return None;
    }
    let mut all = AugmentedScriptSet::default();
    let mut without_latin = AugmentedScriptSet::default();
    for c in part.chars() {
        let set = AugmentedScriptSet::for_char(c);
        all.intersect_with(set);
        if !set.base.contains_script(unicode_script::Script::Latin) {
            without_latin.intersect_with(set);
        }
    }
    if !all.is_empty() || without_latin.hanb || without_latin.jpan || without_latin.kore {
        return None;
    }
    let mut scripts: Vec<&str> = Vec::new();
    for c in part.chars() {
        let set = AugmentedScriptSet::for_char(c);
        if set.is_all() {
            continue;
        }
        if let Some(script) = set.base.iter().next() {
            let name = script.full_name();
            if !scripts.contains(&name) {
                scripts.push(name);
            }
        }
    }
    Some(format!(
        "{part:?} mixes scripts ({}), as look-alikes of other names do; write it in one script",
        scripts.join(" and ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_security::general_security_profile::IdentifierType;
    use unicode_security::GeneralSecurityProfile;

    #[test]
    fn zero_width_format_and_bidi_characters_are_invisible() {
        for c in [
            '\u{0}',
            '\u{1b}',
            '\u{7f}',
            '\u{85}',
            '\u{ad}',
            '\u{200b}',
            '\u{200c}',
            '\u{200d}',
            '\u{200e}',
            '\u{2060}',
            '\u{feff}',
            '\u{202a}',
            '\u{202e}',
            '\u{2066}',
            '\u{2069}',
            '\u{fe0f}',
            '\u{e0041}',
            '\u{e000}',
            '\u{600}',
            '\u{fff9}',
        ] {
            assert!(is_invisible(c), "{}", code_point(c));
        }
        for c in ['a', '-', '.', 'é', 'ß', 'Ж', '日', '\u{301}'] {
            assert!(!is_invisible(c), "{}", code_point(c));
        }
    }

    #[test]
    fn every_default_ignorable_code_point_of_uts39_counts_as_invisible() {
        // The security crate's own table of identifier types is the reference.
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            if c.identifier_type() == Some(IdentifierType::Default_Ignorable) {
                assert!(is_invisible(c), "{}", code_point(c));
            }
        }
    }

    #[test]
    fn free_text_refuses_controls_and_bidi_overrides_but_keeps_joiners() {
        assert_eq!(free_text_problem("Ann O'Neil"), None);
        assert_eq!(free_text_problem("👩\u{200d}💻 Zoë"), None);
        assert_eq!(free_text_problem("\u{645}\u{200c}\u{645}"), None);
        for bad in [
            "a\u{0}b",
            "line\nbreak",
            "tab\there",
            "a\u{202e}txt.exe",
            "\u{2066}x",
        ] {
            assert!(free_text_problem(bad).is_some(), "{bad:?}");
        }
        assert!(free_text_problem("x\u{202e}y").unwrap().contains("U+202E"));
    }

    #[test]
    fn identifiers_refuse_invisible_characters_and_white_space() {
        assert_eq!(identifier_problem("ann.smith"), None);
        assert_eq!(identifier_problem("zoë"), None);
        let zero_width = identifier_problem("a\u{200b}b").unwrap();
        assert!(zero_width.contains("U+200B"), "{zero_width}");
        assert!(identifier_problem("a\u{2028}b").is_some());
        assert!(identifier_problem("a\u{a0}b").is_some());
        // NFKC look-alikes are the same identifier as their plain form instead.
        assert_eq!(identifier_problem("ａｎｎ"), None);
        assert_eq!(identifier_problem("zoe\u{301}"), None);
    }

    #[test]
    fn one_script_per_part_or_latin_with_cjk() {
        for good in [
            "paypal",
            "иван",
            "ελένη",
            "日本語",
            "やまだ太郎",
            "yamada太郎",
            "hong길동",
            "ann-2",
        ] {
            assert_eq!(mixed_script_problem(good), None, "{good}");
        }
        let cyrillic_a = mixed_script_problem("p\u{430}ypal").unwrap();
        assert!(cyrillic_a.contains("Latin and Cyrillic"), "{cyrillic_a}");
        assert!(mixed_script_problem("ελένηann").is_some());
        assert!(mixed_script_problem("иванλ").is_some());
    }

    #[test]
    fn the_crate_and_our_rule_agree_that_confusable_mixes_are_not_identifiers() {
        // Cross-check with the crate's restriction level for identifier text.
        use unicode_security::{RestrictionLevel, RestrictionLevelDetection};
        for (text, ok) in [
            ("paypal", true),
            ("p\u{430}ypal", false),
            ("yamada太郎", true),
        ] {
            let highly = text.check_restriction_level(RestrictionLevel::HighlyRestrictive);
            assert_eq!(highly, ok, "{text}");
            assert_eq!(mixed_script_problem(text).is_none(), ok, "{text}");
        }
        assert!('a'.identifier_allowed());
    }
}
