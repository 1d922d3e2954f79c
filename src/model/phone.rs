//! What a phone number may look like (SPEC §2): 1 to 50 characters of digits,
//! spaces and `+ - ( ) . /`, at least 3 digits, optionally followed by an
//! extension written `x123`, `ext 123` or `ext. 123`. Numbers are kept as typed:
//! sites store local and international forms side by side, so nothing is
//! normalised, only nonsense (letters, emoji, a lone digit) is refused.

/// Longest phone number, in characters.
pub const MAX_PHONE_CHARS: usize = 50;

/// Why `phone` is not a phone number, or `None` when it is one.
pub fn phone_problem(phone: &str) -> Option<String> {
    let chars = phone.chars().count();
    if chars > MAX_PHONE_CHARS {
        return Some(format!(
            "must be at most {MAX_PHONE_CHARS} characters (got {chars})"
        ));
    }
    let (number, extension) = split_extension(phone);
    let number_ok = number
        .chars()
        .all(|c| c.is_ascii_digit() || " +-()./".contains(c));
    let extension_ok =
        extension.is_none_or(|e| !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()));
    let digits = number.bytes().filter(u8::is_ascii_digit).count();
    if !number_ok || !extension_ok || digits < 3 {
        return Some(format!(
            "{phone:?} is not a phone number: use digits, spaces and + - ( ) . / \
             (at least 3 digits), and x or ext before an extension"
        ));
    }
    None
}

/// Splits `"555 0100 ext. 12"` into `("555 0100 ", Some("12"))`: the extension
/// starts at the first `ext` or `x` (any case); spaces and a dot after it are skipped.
fn split_extension(phone: &str) -> (&str, Option<&str>) {
    // ASCII lowercasing keeps every byte offset, so offsets in `lower` fit `phone`.
    let lower = phone.to_ascii_lowercase();
    let (cut, marker) = match (lower.find("ext"), lower.find('x')) {
        (Some(ext), Some(x)) if ext + 1 == x => (ext, 3),
        (_, Some(x)) => (x, 1),
        _ => return (phone, None),
    };
    let rest = phone[cut + marker..].trim_start_matches([' ', '.']);
    (&phone[..cut], Some(rest.trim_end()))
}

#[cfg(test)]
mod tests {
    use super::phone_problem;

    #[test]
    fn accepts_numbers_as_people_write_them() {
        for phone in [
            "555",
            "+1 555 0100",
            "(020) 7946-0958",
            "+44 20.7946.0958",
            "030/1234567",
            "555-0100 x12",
            "555-0100 ext. 12",
            "555-0100 EXT 12",
            "555-0100x12",
        ] {
            assert_eq!(phone_problem(phone), None, "{phone}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_number() {
        for phone in [
            "",
            "1",
            "12",
            "call me",
            "555-0100 ☎",
            "555 0100 ext",
            "555 0100 x 1a",
            "+1 555\u{200B}0100",
            "555; DROP TABLE members",
            "x123",
        ] {
            assert!(phone_problem(phone).is_some(), "{phone:?} was accepted");
        }
    }

    #[test]
    fn refuses_more_than_fifty_characters() {
        let long = "5".repeat(51);
        assert!(phone_problem(&long).unwrap().contains("at most 50"));
        assert_eq!(phone_problem(&"5".repeat(50)), None);
    }
}
